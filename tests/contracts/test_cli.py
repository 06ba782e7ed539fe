"""``flask contracts close-ended`` and the daily job that calls the same service."""

from __future__ import annotations

from datetime import date

from oversight.contracts.models import Contract
from oversight.core import registry
from oversight.disposals import services as disposal_services
from oversight.disposals.models import DisposalItem
from oversight.extensions import db
from tests.contracts.helpers import people, signed


def _signed_contract(app, end_on: date) -> int:
    with app.app_context():
        procurement, legal, manager = people()
        contract = signed(procurement, legal, manager, start_on=date(2025, 4, 1), end_on=end_on)
        db.session.commit()
        return contract.id


def test_close_ended_with_a_fixed_today_is_idempotent(app):
    contract_id = _signed_contract(app, date(2027, 3, 31))
    runner = app.test_cli_runner()
    early = runner.invoke(args=["contracts", "close-ended", "--today", "2027-03-31"])
    assert early.exit_code == 0 and "0 contract(s) ended." in early.output
    result = runner.invoke(args=["contracts", "close-ended", "--today", "2027-04-01"])
    assert result.exit_code == 0, result.output
    assert "1 contract(s) ended." in result.output
    again = runner.invoke(args=["contracts", "close-ended", "--today", "2027-04-05"])
    assert "0 contract(s) ended." in again.output
    with app.app_context():
        assert db.session.get(Contract, contract_id).status == "ended"
        items = db.session.scalars(db.select(DisposalItem)).all()
        assert [item.due_on for item in items] == [date(2027, 4, 30)]


def test_a_bad_date_is_a_clear_error(app):
    result = app.test_cli_runner().invoke(args=["contracts", "close-ended", "--today", "2027-02-30"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


def test_the_daily_job_is_registered_and_closes_ended_contracts(app):
    assert disposal_services.daily_close in registry.of(app).daily_jobs()
    contract_id = _signed_contract(app, date(2026, 1, 31))
    with app.app_context():
        closed = disposal_services.daily_close(today=date(2026, 2, 1), now=None)
        db.session.commit()
        assert [contract.id for contract in closed] == [contract_id]
