"""Dashboard queries: what each role has waiting, what is late or falling due, and the coverage figures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from icalendar import Calendar

from oversight.activity.models import ActivityLog
from oversight.audits import pages as audit_pages
from oversight.audits.findings import record_plan
from oversight.audits.models import Finding
from oversight.contracts import pages as contract_pages
from oversight.contracts import services as contract_services
from oversight.dashboard import due, feed, services, snapshots, worklist
from oversight.dashboard.coverage import coverage
from oversight.dashboard.models import CoverageSnapshot
from oversight.disposals import services as disposal_services
from oversight.extensions import db
from oversight.status import register
from tests.audits.helpers import submitted as submitted_audit
from tests.contracts.helpers import drafted, judge_all, pdf
from tests.contracts.helpers import submitted as submitted_contract
from tests.dashboard.helpers import NOW, TODAY, World, build_world
from tests.evaluations.helpers import submitted as submitted_evaluation
from tests.subcontracts.helpers import Team
from tests.vendors.factories import create_vendor


@pytest.fixture
def world(app_ctx):
    return World()


def _kinds(items):
    return [item.kind for item in items]


def test_legal_sees_clause_reviews_and_consent_reviews(app_ctx):
    team = Team()
    contract = submitted_contract(team.procurement)
    team.request(team.node())
    db.session.flush()
    work = worklist.my_work(team.legal, TODAY)
    assert _kinds(work).count("clause_review") == 1 and "consent_review" in _kinds(work)
    assert f"/contracts/{contract.id}" in [item.url_path for item in work]
    assert worklist.my_work(team.procurement, TODAY) == [] or "clause_review" not in _kinds(
        worklist.my_work(team.procurement, TODAY)
    )


def test_manager_sees_approvals_but_not_their_own_submissions(world):
    evaluation = submitted_evaluation(world.manager2)
    audit = submitted_audit(create_vendor(), world.auditor)
    item = world.overdue_disposal(certified=True)
    contract = submitted_contract(world.procurement)
    judge_all(contract, world.legal)
    from oversight.contracts import review as review_rules

    review_rules.clear_round(contract, review_rules.latest_round(contract), comment="", actor=world.legal, now=NOW)
    db.session.flush()
    kinds = _kinds(worklist.my_work(world.manager, TODAY))
    assert {"evaluation_approval", "audit_signoff", "deletion_confirmation", "contract_approval"} <= set(kinds)
    urls = [work.url_path for work in worklist.my_work(world.manager, TODAY)]
    assert f"/evaluations/{evaluation.id}" in urls and f"/audits/{audit.id}" in urls and f"/disposals/{item.id}" in urls
    assert "evaluation_approval" not in _kinds(worklist.my_work(world.manager2, TODAY)), "own submission"
    assert worklist.my_work(world.legal, TODAY) == []


def test_a_manager_is_not_asked_to_approve_what_they_took_part_in(world):
    """The work list asks each decision's permission predicate (docs/permissions.md)."""
    from oversight.contracts import review as review_rules
    from tests.audits.helpers import user as make_user

    drafting_manager = make_user("procurement", "manager", email="drafting-manager@example.com")
    contract = submitted_contract(drafting_manager)
    review_rules.clear_round(contract, judge_all(contract, world.legal), comment="", actor=world.legal, now=NOW)
    auditing_manager = make_user("auditor", "manager", email="auditing-manager@example.com")
    audit = submitted_audit(create_vendor(), world.auditor, auditor_ids=[world.auditor.id, auditing_manager.id])
    db.session.flush()

    assert "contract_approval" not in _kinds(worklist.my_work(drafting_manager, TODAY)), "drafted it"
    assert f"/audits/{audit.id}" not in [item.url_path for item in worklist.my_work(auditing_manager, TODAY)]
    urls = [item.url_path for item in worklist.my_work(world.manager, TODAY)]
    assert f"/contracts/{contract.id}" in urls and f"/audits/{audit.id}" in urls


def test_work_is_listed_oldest_first(world):
    first = submitted_evaluation(world.procurement)
    second = submitted_evaluation(world.procurement)
    first.submitted_at, second.submitted_at = NOW - timedelta(days=9), NOW - timedelta(days=1)
    db.session.flush()
    work = worklist.my_work(world.manager, TODAY)
    assert [item.url_path for item in work][:2] == [f"/evaluations/{first.id}", f"/evaluations/{second.id}"]
    assert work[0].days_waiting(TODAY) == 9


def test_auditor_sees_audits_due_and_findings_to_verify(world):
    vendor, _contract = world.active_vendor()
    never_audited = create_vendor()
    never_audited.status = "active"
    finding_row = db.session.scalars(db.select(Finding).where(Finding.vendor_id == vendor.id)).one()
    record_plan(finding_row, plan_text="再教育を実施", received_on=TODAY, actor=world.auditor)
    db.session.flush()
    work = worklist.my_work(world.auditor, TODAY)
    assert f"/audits/new?vendor_id={never_audited.id}" in [item.url_path for item in work]
    assert f"/audits/findings/{finding_row.id}" in [item.url_path for item in work]
    assert "audit_due" not in _kinds(worklist.my_work(world.manager, TODAY))


def test_procurement_sees_drafts_and_returned_items(world):
    draft = drafted(actor=world.procurement)
    db.session.flush()
    work = worklist.my_work(world.procurement, TODAY)
    assert ("contract_draft", f"/contracts/{draft.id}") in [(item.kind, item.url_path) for item in work]


def test_procurement_is_asked_to_record_the_signature_of_an_approved_contract(world):
    """Issue #18, item 6: an approved, unsigned contract was on nobody's list."""
    from tests.contracts.helpers import approve_selection, cleared

    contract = cleared(world.procurement, world.legal)
    approve_selection(contract.vendor)
    contract_services.approve_contract(contract, actor=world.manager, note="", today=TODAY, now=NOW)
    db.session.flush()
    work = [(item.kind, item.url_path) for item in worklist.my_work(world.procurement, TODAY)]
    assert ("contract_to_sign", f"/contracts/{contract.id}") in work
    contract_services.mark_signed(contract, pdf(), signed_on=TODAY, kind="signed", actor=world.procurement)
    db.session.flush()
    assert "contract_to_sign" not in _kinds(worklist.my_work(world.procurement, TODAY))


def test_a_round_cleared_before_the_contract_went_back_to_legal_waits_for_nobody(world):
    """Issue #18, item 6: a manager was asked to approve a contract back in legal review."""
    from oversight.contracts import review as review_rules

    contract = submitted_contract(world.procurement)
    review_rules.clear_round(contract, judge_all(contract, world.legal), comment="", actor=world.legal, now=NOW)
    contract_services.return_by_manager(contract, actor=world.manager, note="期間を見直してください")
    contract_services.submit_for_review(contract, note="修正済み", actor=world.procurement, now=NOW)
    db.session.flush()
    manager_work = [(item.kind, item.url_path) for item in worklist.my_work(world.manager, TODAY)]
    assert ("contract_approval", f"/contracts/{contract.id}") not in manager_work
    assert [row[0].id for row in contract_services.awaiting_manager()] == []
    legal_work = [(item.kind, item.url_path) for item in worklist.my_work(world.legal, TODAY)]
    assert legal_work.count(("clause_review", f"/contracts/{contract.id}")) == 1


def test_an_ended_vendor_leaves_the_audit_schedule_even_with_an_open_trigger(world):
    """Issue #18, item 6: an ended (終了) vendor stayed on the audit schedule and the auditor's list."""
    from oversight.audits import services as audit_services

    vendor = create_vendor()
    vendor.status = "active"
    db.session.flush()
    audit_services.trigger_extra_audit(vendor, "incident", "漏えいの疑い", actor=world.auditor, today=TODAY)
    db.session.flush()
    assert f"/audits/new?vendor_id={vendor.id}" in [item.url_path for item in worklist.my_work(world.auditor, TODAY)]
    vendor.status = "ended"
    db.session.flush()
    assert f"/audits/new?vendor_id={vendor.id}" not in [
        item.url_path for item in worklist.my_work(world.auditor, TODAY)
    ]
    schedule = db.session.execute(audit_pages.schedule_query(TODAY)).all()
    assert vendor.id not in [row.id for row in schedule]


def test_procurement_is_asked_to_end_a_vendor_whose_data_came_back(world):
    """Issue #18, item 6: after the return/deletion was confirmed the vendor stayed 取引中 unnoticed."""
    item = world.overdue_disposal(certified=True)
    vendor = item.vendor
    vendor.status = "active"
    db.session.flush()
    assert f"/vendors/{vendor.id}" not in [work.url_path for work in worklist.my_work(world.procurement, TODAY)]
    disposal_services.confirm(item, note="", actor=world.manager, now=NOW)
    db.session.flush()
    work = [(entry.kind, entry.url_path) for entry in worklist.my_work(world.procurement, TODAY)]
    assert ("vendor_to_close", f"/vendors/{vendor.id}") in work
    vendor.status = "ended"
    db.session.flush()
    assert "vendor_to_close" not in _kinds(worklist.my_work(world.procurement, TODAY))


def test_attention_lists_overdue_first_with_days_late_then_the_next_30_days(world):
    world.active_vendor()  # its finding falls due in 20 days
    item = world.overdue_disposal()
    far = create_vendor()
    db.session.flush()
    result = services.attention_summary(TODAY, 0)
    overdue = [entry for entry in result.overdue.items if entry.kind == "disposal"]
    assert [entry.object_id for entry in overdue] == [item.id]
    assert overdue[0].days_left(TODAY) == -10
    assert any(entry.kind == "finding" and entry.days_left(TODAY) == 20 for entry in result.upcoming.items)
    assert all(entry.due_on <= TODAY + timedelta(days=30) for entry in result.upcoming.items)
    assert far.name not in [entry.vendor_name for entry in result.overdue.items + result.upcoming.items]


def test_unconsented_subcontractors_need_attention(app_ctx):
    team = Team()
    node = team.node()
    db.session.flush()
    assert [entry.object_id for entry in services.attention_summary(TODAY, 1).unconsented.items] == [node.id]
    assert coverage(TODAY).counts[0].value == 1


def test_coverage_matches_the_list_pages(world, monkeypatch):
    world.active_vendor()
    _vendor, gaps = world.active_vendor(end_on=TODAY + timedelta(days=30))
    gaps.clause_gaps = 1  # an amendment's review found a required clause missing
    _vendor, unreviewed = world.active_vendor(end_on=TODAY + timedelta(days=60))
    unreviewed.clause_gaps = None  # signed without a clause review (the 契約 light's amber): not complete
    unevaluated = create_vendor()
    unevaluated.status = "active"
    world.overdue_disposal()
    db.session.commit()
    figures = coverage(TODAY)

    def listed(**filters):
        query = register.list_query(filters, sort="name", today=TODAY)
        return len(db.session.scalars(query).unique().all())

    evaluation, contracts, audit = figures.ratios
    signed_query = contract_services.contract_query(status="signed", today=TODAY)
    missing_query = contract_pages.list_query({"status": "signed", "clauses": "incomplete"}, sort="end", today=TODAY)
    assert contracts.total == len(db.session.scalars(signed_query).unique().all()) == 3
    assert contracts.covered == 1
    assert {contract.id for contract in db.session.scalars(missing_query).unique()} == {gaps.id, unreviewed.id}
    assert contracts.missing == 2
    assert contracts.missing_url == "/contracts/?status=signed&clauses=incomplete"
    for state, expected in (("missing", {gaps.id}), ("unreviewed", {unreviewed.id})):
        query = contract_pages.list_query({"status": "signed", "clauses": state}, sort="end", today=TODAY)
        assert {contract.id for contract in db.session.scalars(query).unique()} == expected, state
    assert evaluation.total == listed(status="active") == 4
    assert evaluation.missing == listed(status="active", selection="red") == 1
    assert audit.missing == listed(status="active", grasp="red")
    for row in figures.lights:
        for state, count in row.counts.items():
            assert count == listed(status="active", **{row.key: state}), (row.key, state)
    overdue = db.session.scalars(disposal_services.list_query(state="overdue", today=TODAY)).unique().all()
    assert figures.counts[1].value == len(overdue) == 1
    for count in figures.findings:
        severity = count.url.rsplit("=", 1)[1]
        found = db.session.scalars(
            audit_pages.finding_list_query({"status": "unresolved", "severity": severity}, TODAY)
        )
        assert count.value == len(found.unique().all())


def test_the_monthly_snapshot_is_taken_once_per_month(world):
    world.active_vendor()
    db.session.flush()
    first = snapshots.take_snapshot(TODAY)
    again = snapshots.take_snapshot(TODAY + timedelta(days=3))
    assert again.id == first.id and first.taken_on == TODAY
    snapshots.take_snapshot(date(2026, 12, 1))
    assert db.session.scalar(db.select(db.func.count(CoverageSnapshot.id))) == 2
    assert [row.month for row in snapshots.recent(date(2026, 12, 5))] == [date(2026, 11, 1), date(2026, 12, 1)]


@pytest.mark.parametrize(
    ("value", "expected", "is_valid"),
    [
        ("2026-12", date(2026, 12, 1), True),
        (None, date(2026, 11, 1), True),
        ("2026-13", date(2026, 11, 1), False),
        ("12-2026", date(2026, 11, 1), False),
        ("2026-1", date(2026, 11, 1), False),
        ("0000-01", date(2026, 11, 1), False),
    ],
)
def test_month_parameter(value, expected, is_valid):
    assert services.parse_month(value, TODAY) == (expected, is_valid)


def test_month_calendar_has_whole_weeks_and_the_due_dates(world):
    item = world.overdue_disposal()
    context = services.month_calendar(date(2026, 11, 1), TODAY, ["disposal"])
    assert all(len(week) == 7 for week in context["weeks"])
    days = {day.day: day for week in context["weeks"] for day in week}
    assert [entry.object_id for entry in days[item.due_on].entries] == [item.id]
    assert context["previous_month"] == date(2026, 10, 1) and context["next_month"] == date(2026, 12, 1)
    assert services.month_calendar(date(2026, 11, 1), TODAY, ["audit"])["entries"] == [] or all(
        entry.kind == "audit" for entry in services.month_calendar(date(2026, 11, 1), TODAY, ["audit"])["entries"]
    )


def test_the_feed_token_is_stored_hashed_and_revoked_tokens_stop_working(world):
    token = feed.create_token(world.manager, actor=world.manager, now=NOW)
    stored = feed.active_token(world.manager)
    assert stored.token_hash != token and len(token) >= 40
    assert feed.user_for_token(token) == world.manager
    new_token = feed.create_token(world.manager, actor=world.manager, now=NOW)
    assert feed.user_for_token(token) is None and feed.user_for_token(new_token) == world.manager
    assert feed.revoke_token(world.manager, actor=world.manager, now=NOW)
    assert feed.user_for_token(new_token) is None
    actions = db.session.scalars(db.select(ActivityLog.action).order_by(ActivityLog.id)).all()
    assert [a for a in actions if a.startswith("calendar_feed")] == [
        "calendar_feed.create",
        "calendar_feed.regenerate",
        "calendar_feed.revoke",
    ]


def test_the_feed_parses_and_has_stable_uids_and_links(world):
    item = world.overdue_disposal()
    body = feed.feed_ics(world.manager, TODAY, base_url="https://oversight.example/", now=NOW)
    events = [component for component in Calendar.from_ical(body).walk("VEVENT")]
    disposal = [event for event in events if str(event["uid"]).startswith("disposal-")]
    assert str(disposal[0]["uid"]) == f"disposal-{item.id}-{item.due_on.isoformat()}@oversight"
    assert str(disposal[0]["url"]) == f"https://oversight.example/disposals/{item.id}"
    assert disposal[0].decoded("dtstart") == item.due_on
    again = feed.feed_ics(world.manager, TODAY, base_url="https://oversight.example/", now=NOW)
    assert [str(e["uid"]) for e in Calendar.from_ical(again).walk("VEVENT")] == [str(e["uid"]) for e in events]


def test_the_dashboard_of_an_empty_database(app_ctx):
    world = World()
    context = services.dashboard(world.manager, TODAY)
    assert context["my_work"].total == 0 and context["attention"].overdue.total == 0
    assert all(ratio.percent is None for ratio in context["coverage"].ratios)
    assert context["chart"].is_empty


def test_build_world_is_consistent(app_ctx):
    world = build_world(2)
    assert len(world.vendors) == 2


def test_the_snapshot_runs_with_the_daily_jobs(app):
    from oversight.core import registry

    assert snapshots.monthly_snapshot_job in registry.of(app).daily_jobs()


def test_the_trend_chart_places_each_month_and_skips_missing_figures():
    from oversight.dashboard.chart import trend_chart

    rows = [
        CoverageSnapshot(month=date(2026, month, 1), evaluation_pct=pct, contract_pct=None, audit_pct=100)
        for month, pct in ((9, 0), (10, 50), (11, 100))
    ]
    chart = trend_chart(rows)
    evaluation, contract, audit = chart.series
    heights = [dot[1] for dot in evaluation.dots]
    assert heights[0] > heights[2], "0% is drawn lower (SVG y grows downwards)"
    assert contract.dots == [] and len(audit.dots) == 3
    assert [label for _x, label in chart.x_labels] == ["09", "10", "11"] and chart.period == "2026-09 – 2026-11"


def test_the_counted_and_cut_lists_agree_with_the_whole_lists(app_ctx, monkeypatch):
    """What SQL ranks, counts and cuts (the dashboard's short lists, the list pages) is the whole list's part."""
    world = build_world(6)
    for _ in range(3):
        world.overdue_disposal()
    submitted_evaluation(world.procurement)
    db.session.flush()
    end = TODAY + timedelta(days=services.ATTENTION_DAYS)
    whole = due.due_entries(TODAY, end=end)
    overdue = [entry for entry in whole if entry.is_overdue(TODAY)]
    upcoming = [entry for entry in whole if not entry.is_overdue(TODAY)]
    assert overdue and upcoming
    summary = due.due_summary(TODAY, end=end, limit=2)
    assert (summary.overdue, summary.upcoming) == (overdue[:2], upcoming[:2])
    for entries, counts in ((overdue, summary.overdue_counts), (upcoming, summary.upcoming_counts)):
        assert counts == {kind: sum(1 for entry in entries if entry.kind == kind) for kind in {e.kind for e in entries}}
    for is_overdue, entries in ((True, overdue), (False, upcoming)):
        pages = [
            due.due_page(TODAY, end=end, overdue=is_overdue, kinds=due.CALENDAR_KINDS, offset=offset, limit=2)
            for offset in range(0, len(entries) + 2, 2)
        ]
        assert [entry for page, _total in pages for entry in page] == entries
        assert {total for _page, total in pages} == {len(entries)}
    lengths = []
    for user in (world.manager, world.procurement, world.auditor, world.legal):
        work = worklist.my_work(user, TODAY)
        lengths.append(len(work))
        pages = [worklist.first_work(user, TODAY, 2, offset=offset) for offset in range(0, len(work) + 2, 2)]
        assert [item for page, _total in pages for item in page] == work
        assert {total for _page, total in pages} == {len(work)}
    assert max(lengths) > 2  # several pages for one of them at least
