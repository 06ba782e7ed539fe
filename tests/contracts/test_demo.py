"""The demo contracts cover every state, a missing clause, an amendment round, ended contracts."""

from datetime import date

from oversight.contracts.models import STATUS_LABELS, Contract, ContractReview
from oversight.demo.checklists import seed_checklists
from oversight.demo.contracts import seed_contracts
from oversight.demo.users import seed_users
from oversight.demo.vendors import seed_vendors
from oversight.disposals.models import DisposalItem
from oversight.extensions import db
from oversight.status import lights as status_lights


def test_demo_contracts_cover_every_state_and_light(app_ctx):
    today = date(2026, 11, 26)
    users = seed_users()
    seed_checklists()
    vendors = seed_vendors(users, today=today)
    seed_contracts(users, vendors, today=today)
    db.session.commit()
    contracts = db.session.scalars(db.select(Contract)).all()
    assert {contract.status for contract in contracts} == set(STATUS_LABELS)
    assert any(contract.clause_gaps for contract in contracts)
    assert db.session.scalar(db.select(ContractReview).where(ContractReview.kind == "amendment")) is not None
    items = db.session.scalars(db.select(DisposalItem)).all()
    assert {item.state for item in items} == {"open", "certified", "confirmed"}
    assert any(item.is_overdue_on(today) for item in items)
    ids = [vendor.id for vendor in vendors]
    contract_states = {light.state for light in status_lights.duty_lights("contract", ids, today).values()}
    disposal_states = {light.state for light in status_lights.duty_lights("disposal", ids, today).values()}
    assert contract_states == disposal_states == {"green", "amber", "red"}
