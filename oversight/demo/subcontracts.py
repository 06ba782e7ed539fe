"""Demo subcontract chains: three levels under one contract with an unconsented node at the bottom,
an advance consent, a revoked consent, and a request waiting for legal.

Dates are relative to ``today`` so the lights look the same whenever the demo is loaded.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from oversight.contracts.models import CLOSED, Contract
from oversight.evaluations.models import APPROVED, CONDITIONAL, Evaluation
from oversight.extensions import db
from oversight.subcontracts import services
from oversight.subcontracts.models import ADVANCE, PER_EVENT
from oversight.vendors.models import Vendor

PROCUREMENT = "procurement@example.com"
LEGAL = "legal@example.com"
MANAGER = "manager@example.com"
MANAGER2 = "manager2@example.com"


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), UTC)


def _signed_contract(vendor: Vendor) -> Contract | None:
    """The vendor's first contract that was signed and has not ended (possibly being amended)."""
    query = (
        db.select(Contract)
        .where(Contract.vendor_id == vendor.id, Contract.signed_on.is_not(None), Contract.status.not_in(CLOSED))
        .order_by(Contract.id)
    )
    return db.session.scalars(query).first()


def _evaluated(exclude: set[int]) -> list[tuple[Vendor, Evaluation]]:
    """Vendors with an approved evaluation, to serve as subcontractors."""
    query = (
        db.select(Vendor, Evaluation)
        .join(Evaluation, Evaluation.vendor_id == Vendor.id)
        .where(Evaluation.status.in_((APPROVED, CONDITIONAL)), Vendor.id.not_in(exclude))
        .order_by(Vendor.id, Evaluation.id.desc())
    )
    seen: dict[int, tuple[Vendor, Evaluation]] = {}
    for vendor, evaluation in db.session.execute(query):
        seen.setdefault(vendor.id, (vendor, evaluation))
    return list(seen.values())


WORK = {
    "print": (
        "給与明細の印刷・封入・発送",
        "従業員の氏名、住所、支給額（個人番号は含まない）",
        "専用室で印刷、施錠保管、配送業者へ手渡し",
    ),
    "data": (
        "年末調整データの入力代行",
        "扶養控除等申告書の記載事項（個人番号を含む）",
        "入力専用端末、作業後の原票返却",
    ),
    "scan": ("申告書のスキャン・電子化", "扶養控除等申告書の画像", "閉域網内のスキャンセンター"),
    "cloud": ("給与計算システムの運用保守", "給与計算データベース", "国内データセンター（クラウド）"),
    "efile": ("電子申請の代行", "社会保険の届出データ（個人番号を含む）", "電子申請専用端末"),
}


def _values(kind: str, **extra) -> dict:
    scope, data, method = WORK[kind]
    return {
        "scope_of_work": scope,
        "data_scope": data,
        "handling_method": method,
        "handling_location": "domestic",
        "handling_country": "",
        **extra,
    }


def _request(node, evaluation, day: date, users: dict, **extra):
    values = {
        **_values("print"),
        "scope_of_work": node.scope_of_work,
        "data_scope": node.data_scope,
        "handling_method": node.handling_method,
        "evaluation_id": evaluation.id,
        "supervision_plan": "委託先が四半期ごとに作業場所を実地確認し、結果を当社へ報告する。",
        "has_c04": True,
        "has_c14": True,
        "has_c16": True,
        "consent_type": PER_EVENT,
        "request_note": "",
        **extra,
    }
    return services.request_consent(node, values, actor=users[PROCUREMENT], now=_moment(day))


def _consent(node, evaluation, day: date, users: dict, *, today: date, expires_on: date, conditions: str, **extra):
    consent = _request(node, evaluation, day, users, **extra)
    services.review(
        consent,
        recommendation="approve",
        note="条項・評価とも問題なし",
        actor=users[LEGAL],
        now=_moment(day + timedelta(days=1)),
    )
    services.approve(
        consent,
        conditions=conditions,
        expires_on=expires_on,
        actor=users[MANAGER],
        # The extra audit a new subcontractor calls for falls due from the demo's today, not in the past.
        today=today,
        now=_moment(day + timedelta(days=2)),
    )
    return consent


def seed_subcontracts(users: dict, vendors: list[Vendor], *, today: date) -> None:
    """Create the demo chains on the demo contracts; the caller commits."""
    if len(vendors) < 2:
        return
    main, other = _signed_contract(vendors[0]), _signed_contract(vendors[1])
    if main is None:
        return
    candidates = _evaluated({vendors[0].id, vendors[1].id})
    if len(candidates) < 5:
        return
    t = today
    (
        (first, first_eval),
        (second, second_eval),
        (third, _third_eval),
        (revoked, revoked_eval),
        (waiting, waiting_eval),
    ) = candidates[:5]

    # Level 1 (再委託), consented per event; the subcontractor was told.
    level1 = services.record_node(main, parent=None, vendor=first, values=_values("data"), actor=users[PROCUREMENT])
    consent = _consent(
        level1,
        first_eval,
        t - timedelta(days=40),
        users,
        today=t,
        expires_on=t + timedelta(days=250),
        conditions="年1回、取扱状況の報告書を提出すること",
    )
    services.record_notification(
        consent, notified_on=t - timedelta(days=37), note="書面（許諾通知書の写し）", actor=users[PROCUREMENT], today=t
    )

    # Level 2 (再々委託) under it, with an advance consent (all three Q&A 3-9 conditions).
    level2 = services.record_node(main, parent=level1, vendor=second, values=_values("scan"), actor=users[PROCUREMENT])
    _consent(
        level2,
        second_eval,
        t - timedelta(days=30),
        users,
        today=t,
        expires_on=t + timedelta(days=20),
        conditions="再々委託の開始時に通知、四半期ごとに報告",
        consent_type=ADVANCE,
        advance_identified=True,
        advance_ability_confirmed=True,
        advance_reporting_agreed=True,
        report_schedule="四半期ごと（1月・4月・7月・10月）",
    )

    # Level 3 under it: recorded from an audit finding, never consented (violation).
    services.record_node(
        main,
        parent=level2,
        vendor=third,
        values=_values("cloud", handling_location="abroad", handling_country="シンガポール"),
        actor=users[PROCUREMENT],
    )

    # Another level 1 whose consent was revoked (violation).
    revoked_node = services.record_node(
        main, parent=None, vendor=revoked, values=_values("print"), actor=users[PROCUREMENT]
    )
    revoked_consent = _consent(
        revoked_node,
        revoked_eval,
        t - timedelta(days=90),
        users,
        today=t,
        expires_on=t + timedelta(days=200),
        conditions="",
    )
    services.revoke(
        revoked_consent,
        reason="監査で再々委託の無断実施が判明したため許諾を取り消す",
        actor=users[MANAGER2],
        now=_moment(t - timedelta(days=5)),
    )

    # A request waiting for legal, on the amended contract (電子申請代行).
    if other is not None:
        node = services.record_node(
            other, parent=None, vendor=waiting, values=_values("efile"), actor=users[PROCUREMENT]
        )
        _request(node, waiting_eval, t - timedelta(days=2), users, request_note="覚書（第7条改訂）と同時に申請")
