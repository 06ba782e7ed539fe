"""Fixtures of the API tests: users with personal access tokens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest

from oversight.auth import services as auth_services
from oversight.auth import tokens
from oversight.auth.models import User
from oversight.core.timeutil import utcnow
from oversight.disposals import services as disposal_services
from oversight.extensions import db
from oversight.reminders.models import ReminderLog
from oversight.vendors import services as vendor_services
from oversight.vendors.models import Vendor
from tests.audits import helpers as audit_helpers
from tests.conftest import UserInfo
from tests.contracts.helpers import approve_selection, cleared, drafted, pdf, people, signed
from tests.evaluations import helpers as evaluation_helpers
from tests.incidents.factories import create_incident
from tests.subcontracts import helpers as subcontract_helpers
from tests.vendors.factories import create_vendor


@dataclass
class TokenHolder:
    user: UserInfo
    secret: str
    token_id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}


@pytest.fixture
def make_token(app, make_user) -> Callable[..., TokenHolder]:
    """``make_token(*roles, scope="write", days=30)``: a user holding ``roles`` and a token of theirs."""

    def make(*roles: str, scope: str = "write", days: int = 30, user: UserInfo | None = None) -> TokenHolder:
        user = user or make_user(*roles)
        with app.app_context():
            owner = db.session.get(User, user.id)
            record, secret = tokens.create_token(
                owner, name="test", scope=scope, days=days, actor=owner, now=utcnow()
            )
            db.session.commit()
            return TokenHolder(user, secret, record.id)

    return make


@pytest.fixture
def a_vendor(app) -> int:
    """The id of a registered vendor."""
    with app.app_context():
        vendor = create_vendor()
        db.session.commit()
        return vendor.id


@pytest.fixture
def a_contract(app, a_vendor) -> int:
    """The id of a contract draft with ``a_vendor``."""
    with app.app_context():
        contract = drafted(vendor=db.session.get(Vendor, a_vendor))
        db.session.commit()
        return contract.id


@pytest.fixture
def a_cleared_contract(app, make_user, a_vendor) -> dict[str, int]:
    """A contract with ``a_vendor`` drafted and submitted by procurement and cleared by legal: a manager may
    approve it or return it."""
    procurement, legal = make_user("procurement"), make_user("legal")
    with app.app_context():
        contract = cleared(db.session.get(User, procurement.id), db.session.get(User, legal.id),
                           vendor=db.session.get(Vendor, a_vendor))
        db.session.commit()
        return {"contract": contract.id, "drafter": procurement.id, "reviewer": legal.id}


@pytest.fixture
def an_incident(app, make_user, a_vendor) -> int:
    """The id of an incident at ``a_vendor`` (a reportable leak the principal learnt of on 2026-11-02)."""
    recorder = make_user("manager")
    with app.app_context():
        vendor, actor = db.session.get(Vendor, a_vendor), db.session.get(User, recorder.id)
        incident = create_incident(actor, vendor=vendor, department_knew_on=date(2026, 11, 2))
        db.session.commit()
        return incident.id


@pytest.fixture
def a_disposal(app) -> int:
    """The id of a return/deletion item opened when a signed contract ended on 2026-03-31 (now overdue)."""
    with app.app_context():
        procurement, legal, manager = people()
        contract = signed(procurement, legal, manager, end_on=date(2026, 3, 31), signed_on=date(2025, 3, 20),
                          start_on=date(2025, 4, 1))
        disposal_services.close_ended_contracts(date(2026, 4, 1))
        item = disposal_services.items_of_contract(contract)[0]
        db.session.commit()
        return item.id


@pytest.fixture
def a_certified_disposal(app, a_disposal) -> int:
    """``a_disposal`` with the vendor's deletion certificate recorded by procurement: a manager may confirm it."""
    with app.app_context():
        item = disposal_services.load_item(a_disposal)
        recorder = auth_services.find_by_email("procurement@example.com")  # a_disposal's people()
        disposal_services.record_certificate(
            item, CERTIFICATE, file_storage=pdf("certificate.pdf"), actor=recorder, now=utcnow(),
            today=date(2026, 4, 20),
        )
        db.session.commit()
        return item.id


CERTIFICATE = {
    "method": "erasure", "method_detail": "消去ソフト", "completed_on": date(2026, 4, 10),
    "certificate_number": "DEL-0001", "data_items": "給与計算データ一式", "media": "サーバーHDD",
    "media_quantity": 2, "responsible_person": "情報システム部長 山田", "operator": "", "witness": "",
    "location": "委託先データセンター", "covers_backups": True, "backup_note": "", "irrecoverable": True,
    "irrecoverable_statement": "復元できない状態にしたことを証明します。",
}


@pytest.fixture
def a_contact(app, a_vendor) -> dict[str, int]:
    """A contact person and a certification of ``a_vendor``."""
    with app.app_context():
        vendor = db.session.get(Vendor, a_vendor)
        contact = vendor_services.add_contact(
            vendor, {"name": "経理 花子", "department": "経理部", "email": "hanako@example.com"}, actor=None
        )
        certification = vendor_services.add_certification(
            vendor, {"kind": "pmark", "number": "10820001", "issuer": "JIPDEC", "expires_on": date(2027, 3, 31)},
            actor=None,
        )
        db.session.commit()
        return {"vendor": a_vendor, "contact": contact.id, "certification": certification.id}


@pytest.fixture
def a_consent(app, make_user) -> dict[str, int]:
    """A signed contract's chain with a consent request waiting for legal (``requested``), one legal reviewed
    (``reviewed``: a manager may decide), and a node with an approved evaluation and no request (``node``)."""
    procurement, legal, manager = (make_user(role) for role in ("procurement", "legal", "manager"))
    with app.app_context():
        team = subcontract_helpers.Team.__new__(subcontract_helpers.Team)
        team.procurement, team.legal, team.manager = (
            db.session.get(User, person.id) for person in (procurement, legal, manager)
        )
        team.contract = signed(team.procurement, team.legal, team.manager, start_on=date(2026, 1, 1),
                               end_on=date(2027, 12, 31))
        requested = team.request(team.node())
        reviewed = team.reviewed(team.node())
        node = team.node()
        evaluation = approve_selection(node.vendor)
        db.session.commit()
        return {"requested": requested.id, "reviewed": reviewed.id, "node": node.id, "evaluation": evaluation.id,
                "requester": procurement.id, "reviewer": legal.id}


@pytest.fixture
def an_audit(app, make_user, a_vendor) -> dict[str, int]:
    """An audit of ``a_vendor`` being recorded (every item conforming but A01), with one open finding."""
    recorder = make_user("auditor")
    with app.app_context():
        vendor, auditor = db.session.get(Vendor, a_vendor), db.session.get(User, recorder.id)
        audit = audit_helpers.recording(vendor, auditor)
        audit_helpers.answer_all(audit, auditor, A01="finding")
        finding = audit_helpers.finding(audit, auditor, due_on=date(2026, 11, 30))
        db.session.commit()
        return {"audit": audit.id, "finding": finding.id, "auditor": recorder.id}


@pytest.fixture
def a_submitted_audit(app, make_user, a_vendor) -> dict[str, int]:
    """An audit of ``a_vendor`` recorded (every item conforming) and submitted for a manager's sign-off."""
    recorder = make_user("auditor")
    with app.app_context():
        vendor, auditor = db.session.get(Vendor, a_vendor), db.session.get(User, recorder.id)
        audit = audit_helpers.submitted(vendor, auditor)
        db.session.commit()
        return {"audit": audit.id, "auditor": recorder.id}


@pytest.fixture
def a_subcontract(app, make_user) -> dict[str, int]:
    """A signed contract's chain: a consented level-1 node and, below it, a level-2 node without consent."""
    procurement, legal, manager = (make_user(role) for role in ("procurement", "legal", "manager"))
    with app.app_context():
        team = subcontract_helpers.Team.__new__(subcontract_helpers.Team)
        team.procurement, team.legal, team.manager = (
            db.session.get(User, person.id) for person in (procurement, legal, manager)
        )
        team.contract = signed(team.procurement, team.legal, team.manager, start_on=date(2026, 1, 1),
                               end_on=date(2027, 12, 31))
        first = team.node()
        consent = team.consented(first, expires_on=date(2027, 6, 30))
        second = team.node(parent=first)
        db.session.commit()
        return {"first": first.id, "second": second.id, "consent": consent.id, "contract": team.contract.id}


@pytest.fixture
def an_evaluation(app, make_user) -> int:
    """The id of a selection evaluation submitted for a manager's decision (every answer conforming)."""
    submitter = make_user("procurement")
    with app.app_context():
        evaluation = evaluation_helpers.submitted(db.session.get(User, submitter.id))
        db.session.commit()
        return evaluation.id


@pytest.fixture
def a_reminder(app, make_user) -> int:
    """The id of a failed reminder in the outbox."""
    recipient = make_user("manager")
    with app.app_context():
        row = ReminderLog(
            rule="audits.audit_due", kind="general", object_type="vendor", object_id=1, due_on=date(2026, 12, 1),
            stage="due", recipient_id=recipient.id, title="次回監査", url_path="/audits/", status="failed",
            attempts=1, last_error="connection refused", created_at=utcnow(), next_attempt_at=utcnow(),
        )
        db.session.add(row)
        db.session.commit()
        return row.id
