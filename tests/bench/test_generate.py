"""``flask demo generate``: proportions and integrity of a tiny generated data set (no timings)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from oversight.activity.models import ActivityLog
from oversight.audits.models import Audit, AuditResult, Finding
from oversight.auth.models import User, UserRole
from oversight.auth.roles import ALL_ROLES
from oversight.checklists import services as checklist_services
from oversight.checklists.models import AUDIT, CONTRACT, SELECTION
from oversight.contracts.models import DISPOSED, ENDED, ClauseResult, Contract, ContractReview
from oversight.demo.generate import BENCH_EMAIL
from oversight.demo.users import DEMO_PASSWORD
from oversight.disposals.models import DisposalItem
from oversight.evaluations.models import Evaluation, EvaluationAnswer
from oversight.extensions import db
from oversight.incidents.models import Incident
from oversight.reminders.models import ReminderLog
from oversight.subcontracts.models import Subcontract, SubcontractConsent
from oversight.vendors import corporate_number
from oversight.vendors.models import Vendor
from tests.conftest import empty_all_tables

TODAY = date(2026, 11, 26)
VENDORS = 5


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def generate(app, *extra: str):
    return app.test_cli_runner().invoke(
        args=["demo", "generate", "--vendors", str(VENDORS), "--seed", "7", "--today", TODAY.isoformat(), *extra]
    )


@pytest.fixture
def generated(app):
    result = generate(app)
    assert result.exit_code == 0, result.output
    with app.app_context():
        yield result
        db.session.remove()


def test_generate_builds_the_proportions_per_vendor(generated):
    assert count(Vendor) == VENDORS
    assert 1 <= count(Contract) <= 8 * VENDORS
    assert 6 * VENDORS <= count(Audit) <= 20 * VENDORS
    assert count(Subcontract) <= 2 * VENDORS
    generated_rows = select(func.count(ActivityLog.id)).where(ActivityLog.actor_label == "bench")
    assert db.session.scalar(generated_rows) == 60 * VENDORS
    assert count(Incident) >= 3
    assert count(ReminderLog) <= 2 * VENDORS
    assert count(Evaluation) >= 1


def test_generate_creates_users_of_every_role_and_a_bench_user_with_all(generated, client):
    roles = set(db.session.scalars(select(UserRole.role)))
    assert roles == set(ALL_ROLES)
    bench = db.session.scalar(select(User).where(User.email == BENCH_EMAIL))
    assert set(bench.roles) == set(ALL_ROLES)
    response = client.post("/auth/login", data={"email": BENCH_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_generated_checklist_rows_are_complete_for_each_record(generated):
    sizes = {kind: len(checklist_services.current_template(kind).items) for kind in (SELECTION, CONTRACT, AUDIT)}
    assert count(EvaluationAnswer) == count(Evaluation) * sizes[SELECTION]
    assert count(ClauseResult) == count(ContractReview) * sizes[CONTRACT]
    recorded = db.session.scalar(select(func.count(Audit.id)).where(Audit.template_id.is_not(None)))
    assert count(AuditResult) == recorded * sizes[AUDIT]
    assert db.session.scalar(select(func.count(Finding.id)).where(Finding.audit_id.not_in(select(Audit.id)))) == 0


def test_generated_records_are_consistent(generated):
    assert all(corporate_number.is_valid(number) for number in db.session.scalars(select(Vendor.corporate_number)))
    closed = set(db.session.scalars(select(Contract.id).where(Contract.status.in_((ENDED, DISPOSED)))))
    assert set(db.session.scalars(select(DisposalItem.contract_id))) == closed
    nodes = {node.id: node for node in db.session.scalars(select(Subcontract))}
    for node in nodes.values():
        parent = nodes.get(node.parent_id)
        assert node.level == (parent.level + 1 if parent else 1)
        assert node.path == (parent.path if parent else "/") + f"{node.id}/"
        assert node.contract_id == (parent.contract_id if parent else node.contract_id)
    consented = set(db.session.scalars(select(SubcontractConsent.subcontract_id)))
    assert consented <= set(nodes)


def test_generate_refuses_a_database_with_vendors_unless_forced(app, generated):
    assert generate(app).exit_code != 0
    assert count(Vendor) == VENDORS
    forced = generate(app, "--force")
    assert forced.exit_code == 0, forced.output
    assert count(Vendor) == 2 * VENDORS


def test_generate_is_deterministic_for_a_seed(app, generated):
    first = db.session.execute(select(Vendor.status, Vendor.risk_tier).order_by(Vendor.id)).all()
    audits = count(Audit)
    db.session.remove()
    empty_all_tables()
    assert generate(app).exit_code == 0
    assert db.session.execute(select(Vendor.status, Vendor.risk_tier).order_by(Vendor.id)).all() == first
    assert count(Audit) == audits
