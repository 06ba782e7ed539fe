"""Demo requests through the vendor portal: a periodic report sent, one submitted, one returned with a
comment and one accepted (which opened a periodic-report audit being recorded); a selection questionnaire
sent and one accepted (which prefilled the vendor's evaluation draft); a return/deletion certificate
submitted for an ended contract; a certification renewal sent and one submitted; a corrective plan for an
open finding submitted. No e-mail is sent."""

from __future__ import annotations

import io
from datetime import date, timedelta

from werkzeug.datastructures import FileStorage

from oversight.audits.models import OPEN as FINDING_OPEN
from oversight.audits.models import Finding
from oversight.core.timeutil import utcnow
from oversight.disposals.models import DisposalItem
from oversight.extensions import db
from oversight.portal import services
from oversight.portal.models import (
    CERTIFICATION_RENEWAL,
    CORRECTIVE_PLAN,
    DELETION_CERTIFICATE,
    PERIODIC_REPORT,
    QUESTIONNAIRE,
)
from oversight.vendors.models import Vendor, VendorCertification, VendorContact

AUDITOR = "auditor@example.com"
PROCUREMENT = "procurement@example.com"


def _answers(request, *, partial: str | None = None) -> dict:
    items = {
        item.code: {"answer": "conforming", "comment": ""} for item in services.report_items(request)
    }
    if partial is not None and partial in items:
        items[partial] = {"answer": "partial", "comment": "教育記録の一部が未整備です。"}
    return {"items": items, "incidents": "前回報告以降、漏えい等の事案はありません。"}


def seed_portal(users: dict, vendors: list[Vendor], *, today: date) -> None:
    """Four vendors, one periodic report each in another state, plus the other kinds; the caller commits."""
    auditor = users[AUDITOR]
    now = utcnow()
    contacts = {
        contact.vendor_id: contact
        for contact in db.session.scalars(
            db.select(VendorContact).where(VendorContact.email != "").order_by(VendorContact.id.desc())
        )
    }
    chosen = [vendor for vendor in vendors if vendor.status == "active" and vendor.id in contacts][:4]
    for index, vendor in enumerate(chosen):
        contact = contacts[vendor.id]
        request = services.create_request(
            vendor,
            kind=PERIODIC_REPORT,
            contact_ids=[contact.id],
            due_on=today + timedelta(days=14 + 7 * index),
            message="今期（上期）の取扱状況について定期報告をお願いします。",
            actor=auditor,
            now=now,
            notify=False,
        )
        if index == 0:
            continue
        actor = services.actor_for(contact, vendor)
        services.submit(request, _answers(request, partial="A08"), actor=actor, now=now)
        if index == 2:
            services.return_submission(
                request,
                comments={"A08": "未整備の教育記録の範囲と、整備の予定日を記載してください。"},
                note="",
                actor=auditor,
                now=now,
            )
        elif index == 3:
            services.accept(request, note="確認しました。", actor=auditor, today=today, now=now)
        db.session.flush()
    _seed_overdue(auditor, [vendor for vendor in vendors if vendor.status == "active" and vendor.id in contacts
                            and vendor not in chosen][:1], contacts, today=today, now=now)
    seed_questionnaires(users, vendors, contacts, today=today)
    seed_certificate_requests(users, contacts, today=today)
    seed_renewal_requests(users, contacts, today=today)
    seed_corrective_plans(users, contacts, today=today)


def _seed_overdue(auditor, vendors: list[Vendor], contacts: dict, *, today: date, now) -> None:
    """A request three weeks overdue: the sweep reminds its contact and tells the vendor's owner."""
    for vendor in vendors:
        request = services.create_request(
            vendor, kind=PERIODIC_REPORT, contact_ids=[contacts[vendor.id].id], due_on=now.date() + timedelta(days=30),
            message="前期の定期報告が未提出です。至急ご提出ください。", actor=auditor, now=now, notify=False,
        )
        request.due_on = today - timedelta(days=21)
        db.session.flush()


def _questionnaire_answers(request) -> dict:
    items = {item.code: {"answer": "conforming", "comment": ""} for item in services.report_items(request)}
    if "S12" in items:
        items["S12"] = {"answer": "partial", "comment": "新任者向けの研修は来月実施予定です。"}
    return {"items": items}


def seed_questionnaires(users: dict, vendors: list[Vendor], contacts: dict, *, today: date) -> None:
    """Two candidate or evaluating vendors: a questionnaire sent, and one accepted into an evaluation draft."""
    procurement = users[PROCUREMENT]
    now = utcnow()
    chosen = [vendor for vendor in vendors if vendor.status in ("candidate", "evaluating") and vendor.id in contacts]
    for index, vendor in enumerate(chosen[:2]):
        contact = contacts[vendor.id]
        request = services.create_request(
            vendor,
            kind=QUESTIONNAIRE,
            contact_ids=[contact.id],
            due_on=today + timedelta(days=21 + 7 * index),
            message="委託先選定のため、自己評価へのご回答と証跡の提出をお願いします。",
            actor=procurement,
            now=now,
            notify=False,
        )
        if index == 0:
            continue
        services.submit(request, _questionnaire_answers(request), actor=services.actor_for(contact, vendor), now=now)
        services.accept(request, note="ご回答ありがとうございました。", actor=procurement, today=today, now=now)
        db.session.flush()


CERTIFICATE = {
    "method": "erasure",
    "method_detail": "データ消去ソフトによる上書き消去（3回）",
    "certificate_number": "DEL-2026-014",
    "data_items": "給与計算データ一式（委託期間分）",
    "media": "業務サーバーのディスク、バックアップテープ",
    "media_quantity": 3,
    "responsible_person": "情報システム部長",
    "operator": "システム管理担当",
    "witness": "",
    "location": "委託先データセンター",
    "covers_backups": True,
    "backup_note": "バックアップテープ2本も同時に消去しました。",
    "irrecoverable": True,
    "irrecoverable_statement": "上記データを復元できない状態にしたことを証明します。",
}


def seed_certificate_requests(users: dict, contacts: dict, *, today: date) -> None:
    """The first open return/deletion item whose holder has a contact: a certificate requested and submitted."""
    procurement = users[PROCUREMENT]
    now = utcnow()
    items = db.session.scalars(
        db.select(DisposalItem)
        .where(DisposalItem.recorded_at.is_(None), DisposalItem.confirmed_at.is_(None))
        .order_by(DisposalItem.due_on, DisposalItem.id)
    )
    item = next((item for item in items if item.vendor_id in contacts), None)
    if item is None:
        return
    contact = contacts[item.vendor_id]
    request = services.create_request(
        item.vendor,
        kind=DELETION_CERTIFICATE,
        contact_ids=[contact.id],
        due_on=max(item.due_on, today + timedelta(days=21)),
        message="契約終了に伴い、特定個人情報の返却・廃棄の証明書をご提出ください。",
        actor=procurement,
        now=now,
        subject_id=item.id,
        notify=False,
    )
    actor = services.actor_for(contact, item.vendor)
    text = "削除証明書\n給与計算データ一式を復元できない状態にしたことを証明します。\n"
    upload = FileStorage(stream=io.BytesIO(text.encode("utf-8")), filename="削除証明書.txt", content_type="text/plain")
    services.upload_evidence(request, upload, description="削除証明書（署名済み）", actor=actor)
    certificate = {**CERTIFICATE, "completed_on": (today - timedelta(days=1)).isoformat()}
    services.submit(request, {"certificate": certificate}, actor=actor, now=now)
    db.session.flush()


def seed_renewal_requests(users: dict, contacts: dict, *, today: date) -> None:
    """The certification expiring first whose vendor has a contact: a renewal sent, and one submitted."""
    procurement = users[PROCUREMENT]
    now = utcnow()
    certifications = db.session.scalars(
        db.select(VendorCertification)
        .where(VendorCertification.expires_on.is_not(None))
        .order_by(VendorCertification.expires_on, VendorCertification.id)
    )
    chosen = [certification for certification in certifications if certification.vendor_id in contacts][:2]
    for index, certification in enumerate(chosen):
        contact = contacts[certification.vendor_id]
        request = services.create_request(
            certification.vendor,
            kind=CERTIFICATION_RENEWAL,
            contact_ids=[contact.id],
            due_on=today + timedelta(days=21 + 7 * index),
            message="認証の有効期限が近づいています。更新後の登録証の写しをご提出ください。",
            actor=procurement,
            now=now,
            subject_id=certification.id,
            notify=False,
        )
        if index == 0:
            continue
        actor = services.actor_for(contact, certification.vendor)
        text = "登録証（更新）\n有効期間：2年間\n"
        upload = FileStorage(stream=io.BytesIO(text.encode("utf-8")), filename="登録証.txt", content_type="text/plain")
        services.upload_evidence(request, upload, description="更新後の登録証", actor=actor)
        expires_on = max(certification.expires_on, today) + timedelta(days=730)
        renewal = {"number": certification.number, "issuer": certification.issuer, "expires_on": expires_on}
        services.submit(request, {"renewal": renewal}, actor=actor, now=now)
        db.session.flush()


def seed_corrective_plans(users: dict, contacts: dict, *, today: date) -> None:
    """The first open finding whose vendor has a contact: the corrective plan asked for and submitted."""
    auditor = users[AUDITOR]
    now = utcnow()
    findings = db.session.scalars(
        db.select(Finding).where(Finding.status == FINDING_OPEN).order_by(Finding.due_on, Finding.id)
    )
    finding = next((finding for finding in findings if finding.vendor_id in contacts), None)
    if finding is None:
        return
    contact = contacts[finding.vendor_id]
    request = services.create_request(
        finding.vendor,
        kind=CORRECTIVE_PLAN,
        contact_ids=[contact.id],
        due_on=today + timedelta(days=21),
        message="監査の指摘事項について、是正計画をご提出ください。",
        actor=auditor,
        now=now,
        subject_id=finding.id,
        notify=False,
    )
    plan = "担当者向けの研修を来月中に実施し、受講記録を整備します。完了後に記録の写しを提出します。"
    services.submit(request, {"plan": plan}, actor=services.actor_for(contact, finding.vendor), now=now)
    db.session.flush()
