"""``flask demo generate --vendors N``: a synthetic data set at large-company scale, for benchmarks.

Rows go in through Core bulk inserts in chunks (no ORM object per row), with ids assigned here so
children can point at parents without reading them back. Everything is drawn from one seeded random
generator and placed relative to ``--today``, so the lights come out as a mix of green, amber and red.
Proportions per vendor: 4 contracts (each with one or two review rounds), 12 audits, 2 subcontract
nodes, 60 activity-log rows, about 1.2 evaluations and 2 reminder-log rows.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import Table, func, insert, select, text

from oversight.activity.models import ActivityLog
from oversight.audits import models as audits
from oversight.auth.models import User, UserRole
from oversight.auth.passwords import hash_password
from oversight.auth.roles import ADMIN, ALL_ROLES, AUDITOR, LEGAL, MANAGER, PROCUREMENT, VIEWER
from oversight.checklists import services as checklist_services
from oversight.checklists.models import AUDIT, CONTRACT, SELECTION
from oversight.contracts import models as contracts
from oversight.core.timeutil import local_today, utcnow
from oversight.demo.users import DEMO_PASSWORD
from oversight.disposals.models import DisposalItem
from oversight.evaluations import models as evaluations
from oversight.extensions import db
from oversight.incidents import models as incidents
from oversight.reminders.models import ReminderLog
from oversight.subcontracts import models as subcontracts
from oversight.units import services as unit_services
from oversight.units.models import COMPANY, BusinessUnit, vendor_units
from oversight.vendors import models as vendors
from oversight.vendors.corporate_number import with_check_digit

BENCH_EMAIL = "bench@example.com"
# With ``--units K`` (K > 1): a manager and a viewer of the first generated group company only, whom the
# bench signs in as besides the group-wide bench user (``bench.run``; the same password).
UNIT_MANAGER_EMAIL = "unit.manager@bench.example.com"
UNIT_VIEWER_EMAIL = "unit.viewer@bench.example.com"
CHUNK = 4000
# Parents before children: a table's buffer is flushed only after every table before it.
TABLE_ORDER = [
    BusinessUnit,
    User,
    UserRole,
    vendors.Vendor,
    vendor_units,
    vendors.VendorContact,
    vendors.VendorCertification,
    evaluations.Evaluation,
    evaluations.EvaluationAnswer,
    contracts.Contract,
    contracts.ContractReview,
    contracts.ClauseResult,
    audits.Audit,
    audits.AuditResult,
    audits.Finding,
    audits.AuditTrigger,
    subcontracts.Subcontract,
    subcontracts.SubcontractConsent,
    DisposalItem,
    incidents.Incident,
    incidents.IncidentStep,
    ActivityLog,
    ReminderLog,
]
STATUS_WEIGHTS = {
    vendors.ACTIVE: 72,
    vendors.SELECTED: 4,
    vendors.EVALUATING: 5,
    vendors.CANDIDATE: 5,
    vendors.TERMINATING: 5,
    vendors.ENDED: 6,
    vendors.REJECTED: 3,
}
AUDIT_MONTHS = {"high": 6, "medium": 12, "low": 24}
WORK = ("給与計算", "源泉徴収票の作成", "社会保険手続", "年末調整", "支払調書の作成", "書類の保管・廃棄")
KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"
ACTIONS = {
    "vendor": ("vendor.update", "vendor.status", "vendor.contact_update", "evaluation.answers", "report.download"),
    "contract": ("contract.update", "contract.submit", "contract.clauses", "contract.approve", "contract.sign"),
    "audit": ("audit.plan", "audit.start", "audit.results", "audit.submit", "audit.signoff"),
}


class BulkWriter:
    """Buffers rows per table, assigns ids, and inserts them in chunks with Core ``insert``."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.buffers: dict[Any, list[dict]] = defaultdict(list)
        self.next_ids: dict[Any, int] = {}
        self.bases: dict[Any, dict] = {}
        self.counts: dict[str, int] = defaultdict(int)

    def table(self, model: Any) -> Table:
        return model if isinstance(model, Table) else model.__table__

    def new_id(self, model: Any) -> int:
        if model not in self.next_ids:
            self.next_ids[model] = (db.session.scalar(select(func.max(self.table(model).c.id))) or 0) + 1
        self.next_ids[model] += 1
        return self.next_ids[model] - 1

    def add(self, model: Any, **values: Any) -> int:
        """Queue one row (defaults filled in); returns its id."""
        if "id" not in values and "id" in self.table(model).c:
            values["id"] = self.new_id(model)
        self.buffers[model].append({**self._base(model), **values})
        if len(self.buffers[model]) >= CHUNK:
            self.flush(model)
        return values.get("id")

    def flush(self, model: Any | None = None) -> None:
        """Insert the buffered rows of ``model`` and of every table it may point at (all when None)."""
        last = TABLE_ORDER.index(model) if model is not None else len(TABLE_ORDER) - 1
        for each in TABLE_ORDER[: last + 1]:
            rows = self.buffers.pop(each, [])
            for start in range(0, len(rows), CHUNK):
                db.session.execute(insert(self.table(each)), rows[start : start + CHUNK])
            self.counts[self.table(each).name] += len(rows)

    def _base(self, model: Any) -> dict:
        if model not in self.bases:
            base = {}
            for column in self.table(model).columns:
                default = column.default
                if default is not None and default.is_scalar:
                    base[column.name] = default.arg
                elif default is not None and default.is_callable:
                    base[column.name] = default.arg(None)
                else:
                    base[column.name] = None
            base.update({key: self.now for key in ("created_at", "updated_at") if key in base})
            self.bases[model] = base
        return self.bases[model]


class Generator:
    """Draws the data set for ``vendor_count`` vendors."""

    def __init__(self, vendor_count: int, seed: int, today: date, unit_count: int = 1, shared: float = 0.0) -> None:
        self.n = vendor_count
        self.unit_count = unit_count
        self.shared = shared if unit_count > 1 else 0.0
        self.unit_ids: list[int] = []
        self.unit_of: dict[int, int] = {}  # vendor id -> its first unit
        self.units_of: dict[int, tuple[int, ...]] = {}  # vendor id -> every unit it belongs to
        self.rng = random.Random(seed)
        self.today = today
        self.now = utcnow()
        self.out = BulkWriter(self.now)
        self.users: dict[str, list[int]] = defaultdict(list)
        self.items: dict[str, list[tuple[int, bool]]] = {}
        self.templates: dict[str, int] = {}
        self.vendor_rows: list[tuple[int, str, str]] = []  # id, status, risk tier
        self.signed_contracts: list[tuple[int, int, int]] = []  # contract id, vendor id, unit id
        self.contract_ids: list[int] = []
        self.audit_ids: list[int] = []

    # -- helpers -------------------------------------------------------------------------------------
    def day(self, offset_days: int) -> date:
        return self.today + timedelta(days=offset_days)

    def at(self, day: date, hour: int = 1) -> datetime:
        return datetime.combine(day, clock(hour % 24, self.rng.randrange(60)), tzinfo=UTC)

    def pick(self, role: str) -> int:
        return self.rng.choice(self.users[role])

    def weighted(self, weights: dict[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    # -- the run -------------------------------------------------------------------------------------
    def run(self) -> dict[str, int]:
        self.load_templates()
        self.make_units()
        self.make_users()
        self.make_vendors()
        self.make_evaluations()
        self.make_contracts()
        self.make_audits()
        self.make_subcontracts()
        self.make_incidents()
        self.make_activity()
        self.make_reminders()
        self.out.flush()
        reset_sequences()
        return dict(self.out.counts)

    def load_templates(self) -> None:
        for kind in (SELECTION, CONTRACT, AUDIT):
            template = checklist_services.current_template(kind)
            self.templates[kind] = template.id
            self.items[kind] = [(item.id, item.is_required) for item in template.items]

    def make_units(self) -> None:
        """The default unit (本社), and with ``--units K`` K-1 more group companies beside it (reused when a
        ``--force`` run made them already); vendor i belongs to unit i mod K, and its contracts, audits,
        incidents and subcontractors too. With ``--shared S`` a share S of the vendors also belongs to the
        next unit, which holds every other contract and audit of theirs (a vendor two units entrust)."""
        self.unit_ids = [unit_services.default_unit().id]
        existing = dict(db.session.execute(select(BusinessUnit.code, BusinessUnit.id)).all())
        for number in range(2, self.unit_count + 1):
            code = f"bench-{number:02d}"
            self.unit_ids.append(
                existing.get(code)
                or self.out.add(BusinessUnit, code=code, name=f"グループ会社{number:02d}", kind=COMPANY)
            )

    def unit_for(self, vendor_id: int, index: int) -> int:
        """The unit of a vendor's ``index``-th contract or audit: its units in turn."""
        units = self.units_of[vendor_id]
        return units[index % len(units)]

    def make_users(self) -> None:
        password_hash = hash_password(DEMO_PASSWORD)
        per_role = max(2, self.n // 250)
        counts = {ADMIN: 2, VIEWER: 2, PROCUREMENT: per_role, LEGAL: per_role, AUDITOR: per_role, MANAGER: per_role}
        accounts = [(BENCH_EMAIL, "ベンチ 利用者", ALL_ROLES)] if not _user_exists(BENCH_EMAIL) else []
        suffix = self.out.new_id(User)
        for role, count in counts.items():
            accounts += [
                (f"{role}{number}.{suffix}@bench.example.com", f"{role} {number}", (role,))
                for number in range(1, count + 1)
            ]
        for email, name, roles in accounts:
            user_id = self.out.add(
                User,
                email=email,
                name=name,
                password_hash=password_hash,
                session_token=f"{self.rng.getrandbits(128):032x}",
                language="ja" if self.rng.random() < 0.9 else "en",
                password_changed_at=self.now,
            )
            for role in roles:
                self.out.add(UserRole, user_id=user_id, role=role)
                self.users[role].append(user_id)
        if self.unit_count > 1:  # per unit, a manager and a viewer who see only that unit
            for index, unit_id in enumerate(self.unit_ids, start=1):
                for role in (MANAGER, VIEWER):
                    user_id = self.out.add(
                        User, email=f"{role}.unit{index:02d}.{suffix}@bench.example.com",
                        name=f"{role} unit{index:02d}", password_hash=password_hash,
                        session_token=f"{self.rng.getrandbits(128):032x}", language="ja",
                        password_changed_at=self.now,
                    )
                    self.out.add(UserRole, user_id=user_id, role=role, unit_id=unit_id)
            for email, role in ((UNIT_MANAGER_EMAIL, MANAGER), (UNIT_VIEWER_EMAIL, VIEWER)):
                if _user_exists(email):
                    continue
                user_id = self.out.add(
                    User, email=email, name=f"{role} ベンチ部門", password_hash=password_hash,
                    # Not from self.rng: the data drawn after the users stays what it was without these two.
                    session_token=f"{random.Random(email).getrandbits(128):032x}", language="ja",
                    password_changed_at=self.now,
                )
                self.out.add(UserRole, user_id=user_id, role=role, unit_id=self.unit_ids[1])

    def make_vendors(self) -> None:
        for number in range(self.n):
            vendor_id = self.out.new_id(vendors.Vendor)
            status = self.weighted(STATUS_WEIGHTS)
            risk = self.weighted({"high": 20, "medium": 50, "low": 30})
            kana = "".join(self.rng.choice(KANA) for _ in range(4))
            abroad = self.rng.random() < 0.05
            self.out.add(
                vendors.Vendor,
                id=vendor_id,
                name=f"{kana}ビジネスサービス株式会社 {number + 1:05d}",
                name_kana=f"{kana}ビジネスサービス",
                corporate_number=with_check_digit(f"{7 * 10**11 + vendor_id:012d}"),
                address=f"東京都千代田区丸の内{1 + number % 3}-{1 + number % 9}-{1 + number % 20}",
                representative="代表取締役 山田 太郎",
                entrusted_work=self.rng.choice(WORK),
                data_scope="従業員及び扶養家族の個人番号、氏名、住所",
                data_subject_count=self.rng.randrange(50, 50000),
                handling_location="abroad" if abroad else "domestic",
                handling_country="Viet Nam" if abroad else "",
                handling_site=self.rng.choice(("own_site", "cloud", "both")),
                risk_tier=risk,
                status=status,
                is_entrustment=status != vendors.CANDIDATE or None,
                owner_id=self.pick(PROCUREMENT),
                manager_id=self.pick(MANAGER),
            )
            self.vendor_rows.append((vendor_id, status, risk))
            first = number % len(self.unit_ids)
            self.unit_of[vendor_id] = self.unit_ids[first]
            self.units_of[vendor_id] = (self.unit_ids[first],)
            if self.shared and self.rng.random() < self.shared:
                self.units_of[vendor_id] += (self.unit_ids[(first + 1) % len(self.unit_ids)],)
            for unit_id in self.units_of[vendor_id]:
                self.out.add(vendor_units, vendor_id=vendor_id, unit_id=unit_id)
            self.out.add(
                vendors.VendorContact,
                vendor_id=vendor_id,
                name="佐藤 花子",
                department="情報管理部",
                email=f"contact{vendor_id}@vendor.example.jp",
                phone="03-0000-0000",
                role="責任者",
            )
            if self.rng.random() < 0.6:
                self.out.add(
                    vendors.VendorCertification,
                    vendor_id=vendor_id,
                    kind=self.rng.choice(("pmark", "isms")),
                    number=f"{10000000 + vendor_id}",
                    issuer="JIPDEC",
                    expires_on=self.day(self.rng.randrange(-60, 700)),
                )

    def make_evaluations(self) -> None:
        answers = (evaluations.CONFORMING,) * 12 + (evaluations.PARTIAL, evaluations.NOT_APPLICABLE)
        for vendor_id, status, _risk in self.vendor_rows:
            if status == vendors.CANDIDATE:
                continue
            runs = []
            if status == vendors.EVALUATING:
                runs.append(self.rng.choice((evaluations.DRAFT, evaluations.SUBMITTED, evaluations.RETURNED)))
            elif status == vendors.REJECTED:
                runs.append(evaluations.REJECTED)
            else:
                if self.rng.random() < 0.2:
                    runs.append(evaluations.APPROVED)  # the previous, superseded evaluation
                runs.append(self.rng.choice((evaluations.APPROVED,) * 4 + (evaluations.CONDITIONAL,)))
            previous_id = None
            for index, outcome in enumerate(runs):
                decided_on = self.day(-self.rng.randrange(0, 470) - 400 * (len(runs) - 1 - index))
                decided = outcome in evaluations.DECIDED
                previous_id = self.out.add(
                    evaluations.Evaluation,
                    vendor_id=vendor_id,
                    template_id=self.templates[SELECTION],
                    previous_id=previous_id,
                    status=outcome,
                    started_by_id=self.pick(PROCUREMENT),
                    submitted_by_id=self.pick(PROCUREMENT) if outcome != evaluations.DRAFT else None,
                    submitted_at=self.at(decided_on - timedelta(days=7)) if outcome != evaluations.DRAFT else None,
                    proposed_decision=evaluations.APPROVE if outcome != evaluations.DRAFT else None,
                    decided_by_id=self.pick(MANAGER) if decided else None,
                    decided_at=self.at(decided_on) if decided else None,
                    valid_until=decided_on + timedelta(days=365)
                    if outcome in (evaluations.APPROVED, evaluations.CONDITIONAL)
                    else None,
                    conditions="年1回の実地監査を受け入れること" if outcome == evaluations.CONDITIONAL else "",
                )
                for item_id, _required in self.items[SELECTION]:
                    self.out.add(
                        evaluations.EvaluationAnswer,
                        evaluation_id=previous_id,
                        item_id=item_id,
                        answer=self.rng.choice(answers),
                    )

    def make_contracts(self) -> None:
        for vendor_id, status, _risk in self.vendor_rows:
            if status in (vendors.ACTIVE, vendors.TERMINATING, vendors.ENDED):
                count = self.rng.choice((2, 3, 4, 5, 5, 6, 7, 8))
            elif status == vendors.SELECTED:
                count = 1
            else:
                continue
            for index in range(count):
                self.add_contract(vendor_id, self.contract_status(status), self.unit_for(vendor_id, index))

    def contract_status(self, vendor_status: str) -> str:
        if vendor_status == vendors.ENDED:
            return contracts.DISPOSED
        if vendor_status == vendors.TERMINATING:
            return self.rng.choice((contracts.ENDED, contracts.ENDED, contracts.DISPOSED))
        if vendor_status == vendors.SELECTED:
            return self.rng.choice((contracts.DRAFT, contracts.IN_REVIEW, contracts.RETURNED, contracts.APPROVED))
        return self.weighted(
            {
                contracts.SIGNED: 70,
                contracts.DISPOSED: 12,
                contracts.ENDED: 3,
                contracts.IN_REVIEW: 5,
                contracts.RETURNED: 3,
                contracts.DRAFT: 4,
                contracts.APPROVED: 3,
            }
        )

    def add_contract(self, vendor_id: int, status: str, unit_id: int) -> None:
        contract_id = self.out.new_id(contracts.Contract)
        if status in (contracts.ENDED, contracts.DISPOSED):
            end_on = self.day(-self.rng.randrange(1, 900 if status == contracts.DISPOSED else 120))
        else:
            end_on = self.day(self.rng.randrange(10, 1100))
        start_on = end_on - timedelta(days=365 * self.rng.choice((1, 2, 3, 5)))
        rounds = 0 if status == contracts.DRAFT else self.rng.choice((1, 1, 1, 2))
        decided = status not in (contracts.DRAFT, contracts.IN_REVIEW, contracts.RETURNED)
        gaps = self.rng.choice((0,) * 12 + (1, 2)) if decided else (None if rounds == 0 else 1)
        self.out.add(
            contracts.Contract,
            id=contract_id,
            vendor_id=vendor_id,
            unit_id=unit_id,
            number=f"BM-{contract_id:07d}",
            title=f"{self.rng.choice(WORK)}業務委託契約",
            contract_type=self.rng.choice(tuple(contracts.TYPE_LABELS)),
            scope="個人番号関係事務の一部",
            data_scope="個人番号、氏名、生年月日",
            start_on=start_on,
            end_on=end_on,
            auto_renewal=self.rng.random() < 0.4,
            notice_days=90,
            incident_notice_hours=24,
            end_handling=self.rng.choice(("return", "delete")),
            status=status,
            clause_gaps=gaps,
            approved_by_id=self.pick(MANAGER) if decided else None,
            approved_at=self.at(start_on - timedelta(days=20)) if decided else None,
            signed_on=start_on - timedelta(days=10)
            if status in (contracts.SIGNED, contracts.ENDED, contracts.DISPOSED)
            else None,
            ended_on=end_on if status in (contracts.ENDED, contracts.DISPOSED) else None,
            created_by_id=self.pick(PROCUREMENT),
        )
        self.contract_ids.append(contract_id)
        if status == contracts.SIGNED:
            self.signed_contracts.append((contract_id, vendor_id, unit_id))
        for round_number in range(1, rounds + 1):
            self.add_review(contract_id, round_number, rounds, status, start_on, gaps or 0)
        if status in (contracts.ENDED, contracts.DISPOSED):
            self.add_disposal(contract_id, vendor_id, end_on, status)

    def add_review(
        self, contract_id: int, round_number: int, rounds: int, status: str, start_on: date, gaps: int
    ) -> None:
        last = round_number == rounds
        submitted_on = start_on - timedelta(days=60 - 20 * round_number)
        if not last:
            outcome = contracts.OUTCOME_RETURNED
        elif status == contracts.IN_REVIEW:
            outcome = None
        elif status == contracts.RETURNED:
            outcome = contracts.OUTCOME_RETURNED
        else:
            outcome = contracts.OUTCOME_APPROVED
        review_id = self.out.add(
            contracts.ContractReview,
            contract_id=contract_id,
            round_number=round_number,
            kind=contracts.INITIAL,
            template_id=self.templates[CONTRACT],
            submitted_by_id=self.pick(PROCUREMENT),
            submitted_at=self.at(submitted_on),
            reviewer_id=self.pick(LEGAL) if outcome else None,
            decided_at=self.at(submitted_on + timedelta(days=5)) if outcome else None,
            outcome=outcome,
        )
        failing = gaps if last else 2
        for item_id, required in self.items[CONTRACT]:
            result = contracts.PRESENT
            if required and failing > 0:
                result, failing = self.rng.choice((contracts.MISSING, contracts.INSUFFICIENT)), failing - 1
            elif not required and self.rng.random() < 0.1:
                result = contracts.NOT_APPLICABLE
            if status == contracts.IN_REVIEW and last:
                result = None if self.rng.random() < 0.3 else result
            self.out.add(
                contracts.ClauseResult,
                review_id=review_id,
                item_id=item_id,
                result=result,
                clause_number=f"第{item_id % 20 + 1}条" if result == contracts.PRESENT else "",
            )

    def add_disposal(self, contract_id: int, vendor_id: int, end_on: date, status: str) -> None:
        due_on = end_on + timedelta(days=contracts.DEFAULT_DISPOSAL_DAYS)
        state = "confirmed" if status == contracts.DISPOSED else self.rng.choice(("open", "open", "certified"))
        done = state != "open"
        completed_on = min(due_on - timedelta(days=self.rng.randrange(0, 20)), self.today) if done else None
        self.out.add(
            DisposalItem,
            contract_id=contract_id,
            vendor_id=vendor_id,
            level=0,
            opened_on=end_on,
            due_on=due_on,
            method="erasure" if done else None,
            completed_on=completed_on,
            certificate_number=f"DEL-{contract_id}" if done else "",
            data_items="個人番号、氏名" if done else "",
            responsible_person="情報管理部長" if done else "",
            irrecoverable=done,
            covers_backups=done,
            recorded_by_id=self.pick(PROCUREMENT) if done else None,
            recorded_at=self.at(completed_on) if done else None,
            confirmed_by_id=self.pick(MANAGER) if state == "confirmed" else None,
            confirmed_at=self.at(completed_on + timedelta(days=2)) if state == "confirmed" else None,
        )

    def make_audits(self) -> None:
        per_vendor_target = 12 * self.n
        eligible = [row for row in self.vendor_rows if row[1] in (vendors.ACTIVE, vendors.TERMINATING, vendors.ENDED)]
        average = per_vendor_target / max(1, len(eligible))
        for vendor_id, status, risk in eligible:
            count = max(1, round(self.rng.uniform(0.5, 1.5) * average))
            interval = AUDIT_MONTHS[risk] * 30
            last_on = self.day(-self.rng.randrange(0, int(interval * 1.3)))
            step = max(20, min(interval, 2200 // count))
            planned = status == vendors.ACTIVE and self.rng.random() < 0.5
            for index in range(count):
                if planned and index == 0:
                    self.add_audit(vendor_id, self.day(self.rng.randrange(5, 120)), audits.PLANNED, index)
                    continue
                conducted_on = last_on - timedelta(days=step * index)
                state = audits.SIGNED_OFF
                if index == 0 and self.rng.random() < 0.1:
                    state = self.rng.choice((audits.IN_PROGRESS, audits.SUBMITTED))
                elif self.rng.random() < 0.03:
                    state = audits.CANCELLED
                self.add_audit(vendor_id, conducted_on, state, index)
        for vendor_id, _status, _risk in self.rng.sample(eligible, min(len(eligible), max(1, self.n // 100))):
            self.out.add(
                audits.AuditTrigger,
                vendor_id=vendor_id,
                kind=audits.RENEWAL,
                reason="契約更新",
                raised_on=self.day(-10),
                due_on=self.day(self.rng.randrange(-20, 60)),
                raised_by_id=self.pick(MANAGER),
            )

    def add_audit(self, vendor_id: int, on: date, state: str, index: int = 0) -> None:
        recorded = state in (audits.IN_PROGRESS, audits.SUBMITTED, audits.SIGNED_OFF)
        signed = state == audits.SIGNED_OFF
        kind = self.weighted(
            {audits.ON_SITE: 30, audits.REMOTE: 25, audits.QUESTIONNAIRE: 20, audits.PERIODIC_REPORT: 25}
        )
        audit_id = self.out.add(
            audits.Audit,
            vendor_id=vendor_id,
            unit_id=self.unit_for(vendor_id, index),
            kind=kind,
            status=state,
            template_id=self.templates[AUDIT] if recorded else None,
            planned_on=on - timedelta(days=14),
            conducted_on=on if recorded else None,
            conducted_end_on=on if recorded else None,
            overall_rating=self.rng.choice(("good", "good", "acceptable", "needs_improvement")) if signed else None,
            decision="continue" if signed else None,
            recorded_by_id=self.pick(AUDITOR) if recorded else None,
            submitted_by_id=self.pick(AUDITOR) if state in (audits.SUBMITTED, audits.SIGNED_OFF) else None,
            submitted_at=self.at(on + timedelta(days=3)) if state in (audits.SUBMITTED, audits.SIGNED_OFF) else None,
            signed_off_by_id=self.pick(MANAGER) if signed else None,
            signed_off_at=self.at(on + timedelta(days=7)) if signed else None,
            completed_on=on if signed else None,
            summary="実地調査の結果、概ね適切に管理されている。" if signed else "",
        )
        self.audit_ids.append(audit_id)
        if not recorded:
            return
        finding_items = []
        for item_id, _required in self.items[AUDIT]:
            result = self.rng.choice((audits.CONFORMING,) * 60 + (audits.FINDING, audits.NOT_APPLICABLE))
            finding_items += [item_id] if result == audits.FINDING else []
            self.out.add(audits.AuditResult, audit_id=audit_id, item_id=item_id, result=result)
        for item_id in finding_items if signed else []:
            due_on = on + timedelta(days=60)
            resolved = due_on < self.today - timedelta(days=30) or self.rng.random() < 0.4
            self.out.add(
                audits.Finding,
                audit_id=audit_id,
                vendor_id=vendor_id,
                item_id=item_id,
                severity=self.rng.choice((audits.MINOR, audits.MINOR, audits.MODERATE, audits.SERIOUS)),
                description="アクセスログの定期確認が記録されていない",
                requested_action="確認手順を定め、記録すること",
                requested_on=on + timedelta(days=7),
                due_on=due_on,
                status=self.rng.choice((audits.VERIFIED, audits.CLOSED))
                if resolved
                else self.rng.choice((audits.OPEN, audits.PLAN_RECEIVED)),
                verified_on=due_on if resolved else None,
                created_by_id=self.pick(AUDITOR),
            )

    def make_subcontracts(self) -> None:
        if not self.signed_contracts:
            return
        pool = [row[0] for row in self.vendor_rows]
        used: set[tuple[int, int]] = set()
        nodes_by_contract: dict[int, list[tuple[int, int, int, str]]] = defaultdict(list)
        for _ in range(2 * self.n):
            contract_id, contract_vendor, contract_unit = self.rng.choice(self.signed_contracts)
            vendor_id = self.rng.choice(pool)
            if contract_unit not in self.units_of[vendor_id]:
                continue  # a unit's subcontractors are its own vendors (the data stays apart per unit)
            if vendor_id == contract_vendor or (contract_id, vendor_id) in used:
                continue
            used.add((contract_id, vendor_id))
            parents = [node for node in nodes_by_contract[contract_id] if node[2] < 3]
            parent = self.rng.choice(parents) if parents and self.rng.random() < 0.35 else None
            node_id = self.out.new_id(subcontracts.Subcontract)
            level = parent[2] + 1 if parent else 1
            path = f"{parent[3]}{node_id}/" if parent else f"/{node_id}/"
            self.out.add(
                subcontracts.Subcontract,
                id=node_id,
                contract_id=contract_id,
                parent_id=parent[0] if parent else None,
                vendor_id=vendor_id,
                parent_vendor_id=parent[1] if parent else contract_vendor,
                level=level,
                path=path,
                scope_of_work="データ入力",
                data_scope="個人番号、氏名",
                handling_method="専用端末で入力",
                recorded_by_id=self.pick(PROCUREMENT),
            )
            nodes_by_contract[contract_id].append((node_id, vendor_id, level, path))
            self.add_consent(node_id)

    def add_consent(self, node_id: int) -> None:
        status = self.weighted(
            {
                subcontracts.APPROVED: 80,
                subcontracts.REQUESTED: 4,
                subcontracts.REVIEWED: 3,
                subcontracts.REFUSED: 2,
                subcontracts.REVOKED: 3,
                "none": 8,
            }
        )
        if status == "none":
            return
        requested_on = self.day(-self.rng.randrange(30, 700))
        decided = status in (subcontracts.APPROVED, subcontracts.REFUSED, subcontracts.REVOKED)
        self.out.add(
            subcontracts.SubcontractConsent,
            subcontract_id=node_id,
            status=status,
            scope_of_work="データ入力",
            data_scope="個人番号、氏名",
            has_c04=True,
            has_c14=True,
            has_c16=True,
            requested_by_id=self.pick(PROCUREMENT),
            requested_at=self.at(requested_on),
            recommendation=subcontracts.RECOMMEND_APPROVE if status != subcontracts.REQUESTED else None,
            reviewed_by_id=self.pick(LEGAL) if status != subcontracts.REQUESTED else None,
            reviewed_at=self.at(requested_on + timedelta(days=3)) if status != subcontracts.REQUESTED else None,
            expires_on=self.day(self.rng.randrange(-60, 700)) if status == subcontracts.APPROVED else None,
            decided_by_id=self.pick(MANAGER) if decided else None,
            decided_at=self.at(requested_on + timedelta(days=6)) if decided else None,
            refusal_reason="選定評価が未了" if status == subcontracts.REFUSED else "",
            revoked_by_id=self.pick(MANAGER) if status == subcontracts.REVOKED else None,
            revoked_at=self.at(self.day(-5)) if status == subcontracts.REVOKED else None,
            revocation_reason="再委託先での事故" if status == subcontracts.REVOKED else "",
        )

    def make_incidents(self) -> None:
        active = [row[0] for row in self.vendor_rows if row[1] == vendors.ACTIVE] or [self.vendor_rows[0][0]]
        # With units, the first incidents go one to each unit (among its active vendors, when it has any).
        per_unit = [[vendor_id for vendor_id in active if self.unit_of[vendor_id] == unit_id]
                    for unit_id in self.unit_ids] if self.unit_count > 1 else []
        for number in range(max(3, self.n // 400)):
            knew_on = self.day(-self.rng.randrange(1, 200))
            closed = knew_on < self.day(-90)
            incident_vendor = self.rng.choice(per_unit[number] if number < len(per_unit) and per_unit[number]
                                              else active)
            incident_id = self.out.add(
                incidents.Incident,
                vendor_id=incident_vendor,
                unit_id=self.unit_of[incident_vendor],
                title="委託先での書類紛失",
                kind=self.rng.choice((incidents.LEAK, incidents.LOSS)),
                description="源泉徴収票の控えを紛失",
                occurred_on=knew_on - timedelta(days=2),
                vendor_knew_on=knew_on,
                vendor_notified_on=knew_on,
                department_knew_on=knew_on,
                categories=[self.rng.choice(("R4-i", "R3", "R2-i"))],
                people_min=1,
                people_max=self.rng.randrange(1, 400),
                status=incidents.CLOSED if closed else incidents.OPEN,
                owner_id=self.pick(MANAGER),
                created_by_id=self.pick(MANAGER),
                closed_on=knew_on + timedelta(days=60) if closed else None,
                closed_by_id=self.pick(MANAGER) if closed else None,
            )
            for position, code in enumerate(incidents.STEP_CODES):
                done = closed or position < 2
                self.out.add(
                    incidents.IncidentStep,
                    incident_id=incident_id,
                    code=code,
                    position=position,
                    status=incidents.STEP_DONE if done else incidents.STEP_OPEN,
                    done_on=knew_on + timedelta(days=position) if done else None,
                )

    def make_activity(self) -> None:
        targets = {
            "vendor": [row[0] for row in self.vendor_rows],
            "contract": self.contract_ids,
            "audit": self.audit_ids,
        }
        everyone = [user_id for ids in self.users.values() for user_id in ids]
        for _ in range(60 * self.n):
            object_type = self.rng.choice(("vendor", "vendor", "contract", "audit"))
            ids = targets[object_type] or targets["vendor"]
            object_type = object_type if targets[object_type] else "vendor"
            occurred_at = self.now - timedelta(seconds=self.rng.randrange(0, 3 * 365 * 86400))
            self.out.add(
                ActivityLog,
                occurred_at=occurred_at,
                actor_id=self.rng.choice(everyone),
                actor_label="bench",
                action=self.rng.choice(ACTIONS[object_type]),
                object_type=object_type,
                object_id=self.rng.choice(ids),
                summary="更新",
                changes={"status": ["draft", "submitted"]},
                ip_address="127.0.0.1",
            )

    def make_reminders(self) -> None:
        for index, (contract_id, _vendor_id, _unit_id) in enumerate(self.signed_contracts[: 2 * self.n]):
            due_on = self.day(self.rng.randrange(-40, 30))
            status = self.weighted({"sent": 85, "logged": 5, "failed": 5, "pending": 5})
            self.out.add(
                ReminderLog,
                rule="contract_end",
                kind="contract_end",
                object_type="contract",
                object_id=contract_id,
                due_on=due_on,
                stage="due" if index % 2 else "lead-30",
                recipient_id=self.pick(MANAGER),
                title=f"契約 BM-{contract_id:07d} の終了",
                url_path=f"/contracts/{contract_id}",
                status=status,
                attempts=1 if status != "pending" else 0,
                last_error="SMTP timeout" if status == "failed" else None,
                created_at=self.at(due_on - timedelta(days=30)),
                next_attempt_at=self.now,
                sent_at=self.now if status == "sent" else None,
            )


def _user_exists(email: str) -> bool:
    return db.session.scalar(select(func.count(User.id)).where(User.email == email)) > 0


def reset_sequences() -> None:
    """PostgreSQL: move each id sequence past the ids assigned here, so later inserts do not collide."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in TABLE_ORDER:
        if isinstance(model, Table):
            continue  # no id column
        name = model.__table__.name
        db.session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), COALESCE((SELECT MAX(id) FROM {name}), 1))")
        )


def refresh_statistics() -> None:
    """``ANALYZE`` after the bulk load, so the query planner knows the new sizes of the tables.

    Without statistics SQLite picks indexes by shape only (e.g. findings by severity rather than by
    vendor, 30 times slower on a vendor list); PostgreSQL's autovacuum would analyze later, but the
    benchmark starts at once.
    """
    with db.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()


def generate(vendor_count: int, seed: int, today: date, unit_count: int = 1, shared: float = 0.0) -> dict[str, int]:
    """Add the synthetic data set (checklist templates synced first); the caller commits."""
    checklist_services.sync_default_templates()
    db.session.flush()
    return Generator(vendor_count, seed, today, unit_count, shared).run()


@click.command("generate")
@click.option("--vendors", "vendor_count", type=click.IntRange(1, 200_000), required=True, help="Number of vendors.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed (same seed, same data).")
@click.option(
    "--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Date the data is placed around."
)
@click.option("--force", is_flag=True, help="Add the data even if the database already has vendors.")
@click.option("--units", "unit_count", type=click.IntRange(1, 500), default=1, show_default=True,
              help="Number of business units the vendors are spread over.")
@click.option("--shared", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="With --units: the share of vendors that also belong to a second unit (half their contracts).")
@with_appcontext
def generate_command(
    vendor_count: int, seed: int, today: datetime | None, force: bool, unit_count: int, shared: float
) -> None:
    """Generate a large synthetic data set for benchmarks."""
    if db.session.scalar(select(func.count(vendors.Vendor.id))) and not force:
        raise click.ClickException("The database already has vendors; use --force to add the generated data anyway.")
    started = time.perf_counter()
    counts = generate(vendor_count, seed, today.date() if today else local_today(), unit_count, shared)
    db.session.commit()
    refresh_statistics()
    for table, count in sorted(counts.items()):
        click.echo(f"  {table:<28} {count:>9}")
    click.echo(
        f"Generated {vendor_count} vendors in {time.perf_counter() - started:.1f} s. "
        f"Sign in as {BENCH_EMAIL} (password: {DEMO_PASSWORD})."
    )
