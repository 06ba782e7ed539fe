"""What the issued documents show, loaded in a constant number of queries and handed on as plain data.

Every function here reads only; labels come out in Japanese (the documents are Japanese records)
whatever the reader's language, and lights become ``pdf.document.Light`` cells. ``documents``
turns the results into ``ReportDocument``s without touching the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import force_locale
from sqlalchemy import and_, or_
from sqlalchemy.orm import joinedload, selectinload

from oversight.activity.actions import action_label
from oversight.activity.display import LogReader
from oversight.activity.models import ActivityLog
from oversight.audits.models import Audit, Finding
from oversight.auth.models import User
from oversight.contracts import review as review_rules
from oversight.contracts.models import Contract, ContractReview
from oversight.core import registry
from oversight.core.timeutil import local_stamp, local_today
from oversight.disposals.models import DisposalItem
from oversight.evaluations.models import Evaluation, EvaluationAnswer
from oversight.evidence import services as evidence_services
from oversight.evidence.models import EvidenceFile
from oversight.extensions import db
from oversight.incidents.models import Incident, IncidentStep
from oversight.pdf.document import Cell, Light
from oversight.status import register
from oversight.status.lights import VendorLights, vendor_lights
from oversight.subcontracts import chain
from oversight.subcontracts import queries as subcontract_queries
from oversight.vendors.models import Vendor

REGISTER_BATCH = 500
CHANGE_LIMIT = 50
CHANGE_LINES = 5  # changes shown per history row in a PDF (a checklist round changes dozens of answers)
LIGHT_LABELS = ("選定", "契約", "把握", "再委託", "返却・廃棄")  # the five lights, in ``VendorLights`` order
DOCUMENT_LANGUAGE = "ja"


@contextmanager
def japanese():
    """Labels (statuses, lights) in Japanese while loading, whatever the reader's language."""
    with force_locale(DOCUMENT_LANGUAGE):
        yield


def light_cell(light: Any) -> Light | None:
    """A feature's oversight light as a document cell (``None`` stays empty)."""
    if light is None:
        return None
    level = light.state if light.state in ("green", "amber", "red", "grey") else "grey"
    return Light(level, light.text)


def _count(value: int | None) -> str:
    """A number shown left-aligned like the other facts (key-value tables right-align numbers)."""
    return f"{value:,}" if value is not None else ""


def _name(user: Any) -> str:
    return user.name if user is not None else ""


# --- 1. 委託先管理台帳 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterRow:
    number: int
    vendor_id: int
    name: str
    name_kana: str
    corporate_number: str
    status: str
    risk: str
    owner: str
    lights: tuple[Light | None, ...]


def register_vendor_ids(filters: dict[str, Any], sort: Any) -> list[int]:
    """The ids of the vendors the list page shows for ``filters``, in its order (one query)."""
    query = register.list_query(filters, sort=sort, today=local_today())
    return list(db.session.scalars(query.with_only_columns(Vendor.id).options()))


def _light_cells(found: dict[int, VendorLights], vendor_id: int) -> tuple[Light | None, ...]:
    """The five lights of ``vendor_id`` (in ``found``, from ``status.lights.vendor_lights``) as cells."""
    lights = found.get(vendor_id)
    return tuple(light_cell(light) for light in lights) if lights else (None,) * len(LIGHT_LABELS)


def register_rows(
    vendor_ids: list[int], batch_size: int | None = None, *, localised: bool = False
) -> Iterator[RegisterRow]:
    """The register's rows, loading vendors and their lights ``batch_size`` at a time.

    Only one batch of ORM objects is alive at once (the session is expunged after each), so memory
    stays bounded by the batch size plus the small row tuples handed on. Labels are Japanese unless
    ``localised`` (then in the reader's language, for the list exports).
    """
    batch_size = batch_size or REGISTER_BATCH
    number = 0
    for start in range(0, len(vendor_ids), batch_size):
        batch = vendor_ids[start : start + batch_size]
        with nullcontext() if localised else japanese():
            rows = _register_batch(batch, number)
        db.session.expunge_all()
        number += len(rows)
        yield from rows  # outside the forced locale: the reader may render between rows


def _register_batch(batch: list[int], numbered_from: int) -> list[RegisterRow]:
    query = db.select(Vendor).where(Vendor.id.in_(batch)).options(joinedload(Vendor.owner))
    vendors = {vendor.id: vendor for vendor in db.session.scalars(query)}
    lights = vendor_lights(batch, local_today())
    rows = []
    for vendor_id in batch:
        vendor = vendors.get(vendor_id)
        if vendor is None:
            continue
        rows.append(
            RegisterRow(
                number=numbered_from + len(rows) + 1,
                vendor_id=vendor.id,
                name=vendor.name,
                name_kana=vendor.name_kana,
                corporate_number=vendor.corporate_number or "",
                status=vendor.status_label,
                risk=vendor.risk_label,
                owner=_name(vendor.owner),
                lights=_light_cells(lights, vendor_id),
            )
        )
    return rows


# --- 2. 委託先監督記録 ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceRef:
    """One evidence file a document refers to, and the record it belongs to."""

    evidence_id: int
    owner_type: str
    owner_id: int
    record: str
    filename: str
    sha256: str
    size: int
    content_type: str
    uploaded_at: datetime
    description: str


@dataclass
class ContractSection:
    title: str
    facts: list[tuple[str, Cell]]
    clause_rows: list[tuple[Cell, ...]]


@dataclass
class AuditSection:
    title: str
    facts: list[tuple[str, Cell]]
    result_rows: list[tuple[Cell, ...]]
    finding_rows: list[tuple[Cell, ...]]


@dataclass
class VendorFile:
    vendor_id: int
    vendor_name: str
    register: list[tuple[str, Cell]]
    lights: list[tuple[str, Cell]]
    contacts: list[tuple[Cell, ...]]
    certifications: list[tuple[Cell, ...]]
    evaluations: list[tuple[Cell, ...]]
    contracts: list[ContractSection]
    audits: list[AuditSection]
    subcontracts: list[tuple[Cell, ...]]
    disposals: list[tuple[Cell, ...]]
    incidents: list[tuple[Cell, ...]]
    changes: list[tuple[Cell, ...]]
    evidence: list[EvidenceRef] = field(default_factory=list)


def load_vendor(vendor_id: int) -> Vendor | None:
    """The vendor with owner, manager, contacts and certifications, or None."""
    return db.session.scalar(
        db.select(Vendor)
        .where(Vendor.id == vendor_id)
        .options(
            joinedload(Vendor.owner),
            joinedload(Vendor.manager),
            selectinload(Vendor.contacts),
            selectinload(Vendor.certifications),
        )
    )


def _register_facts(vendor: Vendor) -> list[tuple[str, Cell]]:
    location = str(vendor.handling_location)
    if vendor.is_abroad and vendor.handling_country:
        location = f"国外（{vendor.handling_country}）"
    elif not vendor.is_abroad:
        location = "国内"
    return [
        ("名称", vendor.name),
        ("名称（カナ）", vendor.name_kana),
        ("法人番号", vendor.corporate_number or ""),
        ("所在地", vendor.address),
        ("代表者", vendor.representative),
        ("状態", vendor.status_label),
        ("リスク区分", vendor.risk_label),
        ("委託する事務の範囲", vendor.entrusted_work),
        ("特定個人情報等の範囲", vendor.data_scope),
        ("本人の数（概数）", _count(vendor.data_subject_count)),
        ("取扱場所", location),
        ("社内担当者", _name(vendor.owner)),
        ("管理責任者", _name(vendor.manager)),
    ]


def _evaluation_rows(evaluations: list[Evaluation]) -> list[tuple[Cell, ...]]:
    return [
        (
            f"#{evaluation.id}",
            evaluation.status_label,
            evaluation.decision_label,
            evaluation.decided_at,
            evaluation.valid_until,
            evaluation.conditions or evaluation.decision_note,
        )
        for evaluation in evaluations
    ]


def _contract_sections(contracts: list[Contract], latest_reviews: dict[int, ContractReview]) -> list[ContractSection]:
    sections = []
    for contract in contracts:
        review = latest_reviews.get(contract.id)
        rows = []
        if review is not None:
            rows = [
                (result.item.code, result.item.text_ja, result.result_label, result.clause_number, _waiver(result))
                for result in review_rules.sorted_results(review)
            ]
        sections.append(
            ContractSection(
                title=f"{contract.number}　{contract.title}",
                facts=[
                    ("種別", contract.type_label),
                    ("状態", contract.status_label),
                    ("期間", f"{contract.start_on.isoformat()} ～ {contract.end_on.isoformat()}"),
                    ("自動更新", "あり" if contract.auto_renewal else "なし"),
                    ("事案の通知期限（時間）", _count(contract.incident_notice_hours)),
                    ("終了時の取扱い", f"{contract.end_handling_label}（終了後{contract.disposal_days}日以内）"),
                    ("締結日", contract.signed_on),
                    ("条項チェック", f"第{review.round_number}回 {review.outcome_label}" if review else "未実施"),
                ],
                clause_rows=rows,
            )
        )
    return sections


def _waiver(result: Any) -> str:
    if not result.waiver_reason:
        return result.note
    approved = f"（承認：{_name(result.waiver_approved_by)}）" if result.waiver_approved_at else "（承認待ち）"
    return f"{result.note}\n適用除外：{result.waiver_reason}{approved}".strip()


def _audit_sections(audits: list[Audit]) -> list[AuditSection]:
    sections = []
    for audit in audits:
        results = sorted(audit.results, key=lambda result: (result.item.position, result.item.id))
        sections.append(
            AuditSection(
                title=f"#{audit.id}　{audit.kind_label}　{(audit.conducted_on or audit.planned_on or '')}",
                facts=audit_facts(audit),
                result_rows=[(r.item.code, r.item.text_ja, r.result_label, r.note) for r in results],
                finding_rows=finding_rows(audit.findings),
            )
        )
    return sections


def audit_facts(audit: Audit) -> list[tuple[str, Cell]]:
    """The header facts of one audit."""
    return [
        ("委託先", audit.vendor.name),
        ("種別", audit.kind_label),
        ("状態", audit.status_label),
        ("予定日", audit.planned_on),
        ("実施日", audit.conducted_on),
        ("対象期間", _period(audit.period_start_on, audit.period_end_on)),
        ("監査担当", "、".join(user.name for user in audit.auditors)),
        ("範囲", audit.scope_note),
        ("総合評価", audit.rating_label),
        ("判定", audit.decision_label),
        ("条件", audit.decision_conditions),
        ("所見", audit.summary),
        ("承認日時", audit.signed_off_at),
    ]


def _period(start: date | None, end: date | None) -> str:
    if start is None and end is None:
        return ""
    return f"{start.isoformat() if start else ''} ～ {end.isoformat() if end else ''}"


def finding_rows(findings: list[Finding]) -> list[tuple[Cell, ...]]:
    """Findings as table rows: severity, description, requested action, due, status, plan, verified (when, by whom)."""
    return [
        (
            finding.item.code if finding.item else "",
            finding.severity_label,
            finding.description,
            finding.requested_action,
            finding.due_on,
            finding.status_label,
            finding.plan_text,
            finding.verified_on,
            _name(finding.verified_by),
        )
        for finding in sorted(findings, key=lambda finding: finding.id)
    ]


def _subcontract_rows(statuses: list[chain.NodeStatus]) -> list[tuple[Cell, ...]]:
    rows = []
    for status in chain.flatten(statuses):
        node, consent = status.node, status.current
        rows.append(
            (
                node.contract.number,
                node.level_label,
                "　" * (node.level - 1) + node.vendor.name,
                node.parent_vendor.name,
                status.current_label,
                consent.expires_on if consent else None,
                light_cell(status.light),
            )
        )
    return rows


def _disposal_rows(items: list[DisposalItem]) -> list[tuple[Cell, ...]]:
    return [
        (
            item.contract.number,
            item.vendor.name,
            item.due_on,
            item.method_label,
            item.completed_on,
            item.certificate_number,
            item.state_label,
        )
        for item in items
    ]


def _incident_rows(incidents: list[Incident]) -> list[tuple[Cell, ...]]:
    return [
        (
            f"#{incident.id}",
            incident.title,
            incident.kind_label,
            incident.vendor_knew_on,
            incident.status_label,
            incident.closed_on,
        )
        for incident in incidents
    ]


def _change_rows(owners: dict[str, list[int]], limit: int) -> list[tuple[Cell, ...]]:
    conditions = [
        and_(ActivityLog.object_type == owner_type, ActivityLog.object_id.in_(ids))
        for owner_type, ids in owners.items()
        if ids
    ]
    if not conditions:
        return []
    # The actor by name (as the pages show people); the stored e-mail only for a deleted account.
    query = (
        db.select(ActivityLog, User.name)
        .outerjoin(User, User.id == ActivityLog.actor_id)
        .where(or_(*conditions), ~ActivityLog.action.in_(("evidence.download", "report.download")))
        .order_by(ActivityLog.occurred_at.desc(), ActivityLog.id.desc())
        .limit(limit)
    )
    found = db.session.execute(query).all()
    reader = LogReader(registry.current()).load([row for row, _name in found])  # as the activity log page shows them
    return [
        (row.occurred_at, actor_name or row.actor_label, str(action_label(row.action)), _change_text(reader, row))
        for row, actor_name in found
    ]


def _change_text(reader: LogReader, row: ActivityLog) -> str:
    """The summary, then each change as 項目: 前 → 後 (a checklist's dozens of answers only counted)."""
    lines = reader.changes(row)
    shown = [f"{line.field}: {line.before} → {line.after}" for line in lines[:CHANGE_LINES]]
    if len(lines) > CHANGE_LINES:
        shown.append(f"…（他{len(lines) - CHANGE_LINES}件）")
    return "\n".join([row.summary[:300], *shown]).strip()


def _evidence_refs(owners: dict[str, dict[int, str]]) -> list[EvidenceRef]:
    """Every file attached to the given records (one query per owner type), with the record's label."""
    refs = []
    for owner_type, labels in owners.items():
        for owner_id, files in evidence_services.files_for_many(owner_type, list(labels)).items():
            refs.extend(_ref(evidence, labels[owner_id]) for evidence in files)
    return refs


def _ref(evidence: EvidenceFile, record: str) -> EvidenceRef:
    return EvidenceRef(
        evidence_id=evidence.id,
        owner_type=evidence.owner_type,
        owner_id=evidence.owner_id,
        record=record,
        filename=evidence.original_filename,
        sha256=evidence.sha256,
        size=evidence.size,
        content_type=evidence.content_type,
        uploaded_at=evidence.uploaded_at,
        description=evidence.description,
    )


def vendor_file(vendor: Vendor, today: date, change_limit: int = CHANGE_LIMIT) -> VendorFile:
    """Everything the 委託先監督記録 shows for ``vendor`` (a constant number of queries)."""
    with japanese():
        return _vendor_file(vendor, today, change_limit)


def _vendor_file(vendor: Vendor, today: date, change_limit: int) -> VendorFile:
    ids = [vendor.id]
    lights = vendor_lights(ids, today)
    evaluations = list(
        db.session.scalars(
            db.select(Evaluation).where(Evaluation.vendor_id == vendor.id).order_by(Evaluation.id.desc())
        )
    )
    answers = db.session.execute(
        db.select(EvaluationAnswer.id, EvaluationAnswer.evaluation_id).where(
            EvaluationAnswer.evaluation_id.in_([evaluation.id for evaluation in evaluations])
        )
    ).all()
    contracts = list(
        db.session.scalars(db.select(Contract).where(Contract.vendor_id == vendor.id).order_by(Contract.start_on))
    )
    latest_reviews = _latest_reviews([contract.id for contract in contracts])
    audits = list(
        db.session.scalars(
            db.select(Audit)
            .where(Audit.vendor_id == vendor.id)
            .options(selectinload(Audit.results), selectinload(Audit.findings))
            .order_by(Audit.id)
        ).unique()
    )
    trees = subcontract_queries.vendor_trees(vendor, today)
    statuses = [status for _contract, roots in trees for status in roots]
    nodes = [status.node for status in chain.flatten(statuses)]
    consent_ids = [consent.id for status in chain.flatten(statuses) for consent in status.consents]
    disposals = list(
        db.session.scalars(
            db.select(DisposalItem).where(DisposalItem.vendor_id == vendor.id).order_by(DisposalItem.due_on)
        )
    )
    incidents = list(
        db.session.scalars(db.select(Incident).where(Incident.vendor_id == vendor.id).order_by(Incident.id))
    )
    step_ids = db.session.execute(
        db.select(IncidentStep.id, IncidentStep.incident_id).where(
            IncidentStep.incident_id.in_([incident.id for incident in incidents])
        )
    ).all()
    audit_items = [(result.id, audit) for audit in audits for result in audit.results]
    findings = [finding for audit in audits for finding in audit.findings]
    owners: dict[str, list[int]] = {
        "vendor": [vendor.id],
        "vendor_contact": [contact.id for contact in vendor.contacts],
        "vendor_certification": [certification.id for certification in vendor.certifications],
        "evaluation": [evaluation.id for evaluation in evaluations],
        "contract": [contract.id for contract in contracts],
        "contract_review": [review.id for review in latest_reviews.values()],
        "audit": [audit.id for audit in audits],
        "finding": [finding.id for finding in findings],
        "subcontract": [node.id for node in nodes],
        "subcontract_consent": consent_ids,
        "disposal": [item.id for item in disposals],
        "incident": [incident.id for incident in incidents],
    }
    evaluation_labels = {evaluation.id: f"選定評価 #{evaluation.id}" for evaluation in evaluations}
    audit_labels = {audit.id: f"監査 #{audit.id}" for audit in audits}
    incident_labels = {incident.id: f"事案 #{incident.id} {incident.title}" for incident in incidents}
    evidence = _evidence_refs(
        {
            "vendor": {vendor.id: f"委託先 {vendor.name}"},
            "evaluation_answer": {
                answer_id: f"{evaluation_labels[evaluation_id]} 回答" for answer_id, evaluation_id in answers
            },
            "contract": {contract.id: f"契約 {contract.number}" for contract in contracts},
            "audit": audit_labels,
            "audit_item": {item_id: f"{audit_labels[audit.id]} 項目" for item_id, audit in audit_items},
            "finding": {finding.id: f"指摘事項 #{finding.id}（監査 #{finding.audit_id}）" for finding in findings},
            "disposal": {item.id: f"返却・廃棄 #{item.id}（{item.contract.number}）" for item in disposals},
            "incident": incident_labels,
            "incident_step": {step_id: f"{incident_labels[incident_id]} 対応" for step_id, incident_id in step_ids},
        }
    )
    return VendorFile(
        vendor_id=vendor.id,
        vendor_name=vendor.name,
        register=_register_facts(vendor),
        lights=list(zip(LIGHT_LABELS, _light_cells(lights, vendor.id), strict=True)),
        contacts=[
            (contact.name, contact.department, contact.role, contact.email, contact.phone)
            for contact in vendor.contacts
        ],
        certifications=[
            (
                certification.kind_label,
                certification.name,
                certification.number,
                certification.issuer,
                certification.expires_on,
                "期限切れ" if certification.is_expired_on(today) else "",
            )
            for certification in vendor.certifications
        ],
        evaluations=_evaluation_rows(evaluations),
        contracts=_contract_sections(contracts, latest_reviews),
        audits=_audit_sections(audits),
        subcontracts=_subcontract_rows(statuses),
        disposals=_disposal_rows(disposals),
        incidents=_incident_rows(incidents),
        changes=_change_rows(owners, change_limit),
        evidence=evidence,
    )


def _latest_reviews(contract_ids: list[int]) -> dict[int, ContractReview]:
    """The latest review round of each contract, results loaded (two queries)."""
    if not contract_ids:
        return {}
    latest = (
        db.select(ContractReview.contract_id, db.func.max(ContractReview.round_number).label("round_number"))
        .where(ContractReview.contract_id.in_(contract_ids))
        .group_by(ContractReview.contract_id)
        .subquery()
    )
    query = (
        db.select(ContractReview)
        .join(
            latest,
            and_(
                ContractReview.contract_id == latest.c.contract_id,
                ContractReview.round_number == latest.c.round_number,
            ),
        )
        .options(selectinload(ContractReview.results))
    )
    return {review.contract_id: review for review in db.session.scalars(query)}


# --- 3. 契約条項チェックリスト ------------------------------------------------------------------------


@dataclass
class ClauseChecklist:
    contract_id: int
    round_number: int
    facts: list[tuple[str, Cell]]
    rows: list[tuple[Cell, ...]]
    waivers: list[tuple[Cell, ...]]


def load_review(contract_id: int, round_number: int | None) -> ContractReview | None:
    """One review round of a contract (the latest when ``round_number`` is None), results and people loaded."""
    query = (
        db.select(ContractReview)
        .where(ContractReview.contract_id == contract_id)
        .options(
            joinedload(ContractReview.contract),
            joinedload(ContractReview.submitted_by),
            joinedload(ContractReview.reviewer),
            selectinload(ContractReview.results),
        )
    )
    if round_number is not None:
        query = query.where(ContractReview.round_number == round_number)
    return db.session.scalars(query.order_by(ContractReview.round_number.desc()).limit(1)).first()


def clause_checklist(review: ContractReview) -> ClauseChecklist:
    """The clause findings of one review round."""
    with japanese():
        contract = review.contract
        results = review_rules.sorted_results(review)
        return ClauseChecklist(
            contract_id=contract.id,
            round_number=review.round_number,
            facts=[
                ("委託先", contract.vendor.name),
                ("契約番号", contract.number),
                ("契約名", contract.title),
                ("種別", contract.type_label),
                ("期間", f"{contract.start_on.isoformat()} ～ {contract.end_on.isoformat()}"),
                ("審査回", f"第{review.round_number}回（{review.kind_label}）"),
                ("審査依頼", f"{_name(review.submitted_by)} {_stamp(review.submitted_at)}".strip()),
                ("審査担当", _name(review.reviewer)),
                ("審査結果", f"{review.outcome_label} {_stamp(review.decided_at)}".strip()),
                ("コメント", review.comment),
            ],
            rows=[
                (
                    result.item.code,
                    result.item.text_ja + ("（必須）" if result.item.is_required else ""),
                    result.result_label,
                    result.clause_number,
                    result.quote,
                    result.note,
                )
                for result in results
            ],
            waivers=[
                (
                    result.item.code,
                    result.waiver_reason,
                    _name(result.waiver_by),
                    _name(result.waiver_approved_by),
                    result.waiver_approved_at,
                )
                for result in results
                if result.waiver_reason
            ],
        )


def _stamp(moment: datetime | None) -> str:
    return local_stamp(moment) if moment else ""


# --- 4. 監査報告書 ------------------------------------------------------------------------------------


@dataclass
class AuditReport:
    audit_id: int
    vendor_name: str
    facts: list[tuple[str, Cell]]
    result_rows: list[tuple[Cell, ...]]
    finding_rows: list[tuple[Cell, ...]]


def load_audit(audit_id: int) -> Audit | None:
    """One audit with its results, findings and auditors."""
    return db.session.scalars(
        db.select(Audit).where(Audit.id == audit_id).options(selectinload(Audit.results), selectinload(Audit.findings))
    ).first()


def audit_report(audit: Audit) -> AuditReport:
    """One audit's header, checklist results and findings."""
    with japanese():
        results = sorted(audit.results, key=lambda result: (result.item.position, result.item.id))
        return AuditReport(
            audit_id=audit.id,
            vendor_name=audit.vendor.name,
            facts=audit_facts(audit),
            result_rows=[
                (result.item.code, result.item.category_ja, result.item.text_ja, result.result_label, result.note)
                for result in results
            ],
            finding_rows=finding_rows(audit.findings),
        )


# --- 5. 返却・廃棄確認記録 ------------------------------------------------------------------------------


@dataclass
class DisposalRecord:
    item_id: int
    vendor_name: str
    facts: list[tuple[str, Cell]]
    certificate: list[tuple[str, Cell]]
    confirmation: list[tuple[str, Cell]]
    files: list[EvidenceRef]


def load_disposal(item_id: int) -> DisposalItem | None:
    """One return/deletion item with its contract, vendor and people."""
    return db.session.scalars(
        db.select(DisposalItem)
        .where(DisposalItem.id == item_id)
        .options(joinedload(DisposalItem.recorded_by), joinedload(DisposalItem.confirmed_by))
    ).first()


def disposal_record(item: DisposalItem) -> DisposalRecord:
    """The item, its certificate fields (guideline reference §6.3) and the manager's confirmation."""
    with japanese():
        files = [_ref(evidence, "返却・廃棄") for evidence in evidence_services.files_for("disposal", item.id)]
        return DisposalRecord(
            item_id=item.id,
            vendor_name=item.vendor.name,
            facts=[
                ("契約", f"{item.contract.number}　{item.contract.title}"),
                ("発行者（委託先）", item.vendor.name),
                ("区分", "委託先" if item.level == 0 else f"再委託先（第{item.level}階層）"),
                ("事由", item.reason_label),
                ("開始日", item.opened_on),
                ("期限", item.due_on),
                ("状態", item.state_label),
            ],
            certificate=[
                ("証明書番号", item.certificate_number),
                ("情報項目", item.data_items),
                ("媒体名", item.media),
                ("数量", _count(item.media_quantity)),
                ("廃棄又は消去の方法", f"{item.method_label}\n{item.method_detail}".strip()),
                ("廃棄又は消去の年月日", item.completed_on),
                ("責任者", item.responsible_person),
                ("作業者", item.operator),
                ("立会人", item.witness),
                ("実施場所", item.location),
                (
                    "バックアップ・ログ・複製",
                    ("対象に含む" if item.covers_backups else "対象外") + _suffix(item.backup_note),
                ),
                (
                    "復元不可能である旨",
                    ("確認済" if item.irrecoverable else "未確認") + _suffix(item.irrecoverable_statement),
                ),
                ("添付", "、".join(ref.filename for ref in files)),
                ("記録者", f"{_name(item.recorded_by)} {_stamp(item.recorded_at)}".strip()),
            ],
            confirmation=[
                ("確認者（管理責任者）", _name(item.confirmed_by)),
                ("確認日時", item.confirmed_at),
                ("確認メモ", item.confirmation_note),
            ],
            files=files,
        )


def _suffix(note: str) -> str:
    return f"\n{note}" if note else ""
