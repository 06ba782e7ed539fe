"""The benchmark's own parts that can be wrong without a timing showing it: form reading, the writes of the
mixed workload against the real forms, percentiles and the Targets verdicts."""

from __future__ import annotations

import argparse
from datetime import date

import pytest
from sqlalchemy import select, text

from bench import measure, report
from bench.client import find_form
from bench.mixed import Outcome, summarise_mixed
from bench.stats import percentile
from oversight.contracts.models import ContractReview
from oversight.demo.generate import BENCH_EMAIL
from oversight.demo.users import DEMO_PASSWORD
from oversight.extensions import db
from oversight.vendors.models import Vendor
from tests.conftest import empty_all_tables

PAGE = """
<form method="post" action="/auth/language"><input name="csrf_token" value="other"></form>
<form method="post" action="/things/7/edit">
  <input type="hidden" name="csrf_token" value="tok&amp;en">
  <input name="name" value="株式会社 A">
  <input type="checkbox" name="flag" value="y" checked>
  <input type="checkbox" name="unset" value="y">
  <input type="radio" name="pick" value="a"><input type="radio" name="pick" value="b" checked>
  <input name="locked" value="x" disabled>
  <select name="tier"><option value="low">Low</option><option value="high" selected>High</option></select>
  <select name="owner"><option value="">-</option><option value="3">Sato</option></select>
  <textarea name="note">\r
line &lt;1&gt;</textarea>
  <input type="file" name="upload">
  <button type="submit" name="action" value="save">Save</button>
</form>
"""


def test_find_form_reads_the_fields_a_browser_sends():
    form = find_form(PAGE.encode(), "/things/7/edit")
    assert form.fields == [
        ("csrf_token", "tok&en"),
        ("name", "株式会社 A"),
        ("flag", "y"),
        ("pick", "b"),
        ("tier", "high"),
        ("owner", ""),
        ("note", "line <1>"),
    ]
    assert form.get("csrf_token") == "tok&en"
    assert "name=%E5%A4%89%E6%9B%B4" in form.body({"name": "変更"})
    assert form.body().endswith("action=save")
    with pytest.raises(LookupError):
        find_form(PAGE.encode(), "/elsewhere")


def test_percentile_is_the_nearest_rank():
    values = [float(value) for value in range(1, 101)]
    assert percentile(values, 0.95) == 95.0
    assert percentile(list(reversed(values)), 0.5) == 50.0
    assert percentile([7.0], 0.95) == 7.0


def test_mixed_summary_counts_every_non_2xx_3xx_answer_and_failed_connection():
    outcome = Outcome()
    for status in (200, 302, 500, 404):
        outcome.add("dashboard", 0.1, status)
    outcome.exceptions.append("ConnectionRefusedError: refused")
    summary = summarise_mixed(outcome, wall=2.0, users=30, think=1.0)
    assert summary["kinds"]["dashboard"]["errors"] == 2
    assert summary["errors"] == 3
    assert summary["rps"] == 2.0


@pytest.fixture
def generated(app, client, monkeypatch):
    monkeypatch.setattr("oversight.core.timeutil.local_today", lambda: date(2026, 11, 26))
    result = app.test_cli_runner().invoke(
        args=["demo", "generate", "--vendors", "8", "--seed", "3", "--today", "2026-11-26"]
    )
    assert result.exit_code == 0, result.output
    response = client.post("/auth/login", data={"email": BENCH_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    yield client
    with app.app_context():
        empty_all_tables()
        db.session.remove()


def _post_back(client, path: str, changes: dict[str, str]):
    page = client.get(path)
    assert page.status_code == 200
    form = find_form(page.get_data(), path)
    assert form.get("version") is not None
    return client.post(form.action or path, data=form.body(changes), content_type="application/x-www-form-urlencoded")


def test_the_mixed_workloads_writes_go_through_the_real_forms(app, generated):
    client = generated
    with app.app_context():
        vendor_id = db.session.scalar(select(Vendor.id).where(Vendor.status == "active").order_by(Vendor.id))
        review_contract = db.session.execute(
            text("SELECT contract_id FROM contract_reviews WHERE outcome IS NULL ORDER BY id LIMIT 1")
        ).scalar()
        assert review_contract is not None
        review_version = db.session.scalar(
            select(ContractReview.version)
            .where(ContractReview.contract_id == review_contract)
            .where(ContractReview.outcome.is_(None))
        )
    changes = {"representative": "代表者 1-1", "entrustment_reason": "委託のため"}
    response = _post_back(client, f"/vendors/{vendor_id}/edit", changes)
    assert response.status_code == 302
    response = _post_back(client, f"/contracts/{review_contract}/review", {})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Vendor, vendor_id).representative == "代表者 1-1"
        saved = db.session.scalar(
            select(ContractReview.version)
            .where(ContractReview.contract_id == review_contract)
            .where(ContractReview.outcome.is_(None))
        )
        assert saved is not None and saved >= review_version


def test_the_timed_jobs_read_the_data_as_production_runs_them(app, generated, smtp_server):
    """The in-process jobs read the whole group, as the scheduler does: without a scope a production app
    reads nothing, and the bench timed a sweep that found no reminder and a PDF of no vendor."""
    sweep = measure.run(app, "sweep")
    assert sweep["first"]["new_rows"] > 0
    assert sweep["first"]["reminders"] > 0
    assert sweep["first"]["failed_digests"] == 0
    assert len(smtp_server.messages) == sweep["first"]["digests"] + sweep["next_day"]["digests"] > 0
    pdf = measure.run(app, "vendor_pdf")
    assert pdf["bytes"] > 1000
    if measure.peak_rss_since_reset_mb() is not None:  # Linux: the PDFs' own peak, without the sign-in
        # VmHWM and ru_maxrss are counted apart by the kernel and may differ by a page or so.
        assert 0 < pdf["document_peak_rss_mb"] <= measure.rss_mb() + 2
        assert pdf["signed_in_rss_mb"] > 0  # kept for peak_rss_mb: the reset restarts ru_maxrss as well


def _run(engine: str, vendors: int, p95: float, queries: int) -> dict:
    page = {"p95_ms": p95, "queries": queries, "floor_ratio": 0.5}
    pages = {"floor": {**page, "floor_ratio": 1.0}, "dashboard": page, "vendor list": page}
    sweep = {"available": True, "next_day": {"seconds": 1.0, "reminders": 5, "digests": 2, "failed_digests": 0}}
    pdf = {"available": True, "seconds": 0.3, "peak_rss_mb": 150.0}
    return {
        "engine": engine,
        "vendors": vendors,
        "pages": pages,
        "gc": {"1": {"full_collections": 1, "longest_ms": 3.0, "longest_cpu_ms": 2.0, "total_ms": 3.0}},
        "jobs": {"sweep": sweep, "vendor_pdf": pdf, "register_pdf": pdf},
    }


def test_targets_say_met_missed_or_not_measured():
    args = argparse.Namespace(vendors=100)
    runs = [_run("sqlite", 100, 90.0, 12), _run("sqlite", 10, 50.0, 12), _run("postgresql", 100, 120.0, 13)]
    rows = report.targets(runs, [], report.compare_queries(runs), args)
    verdicts = {(row["target"].split(":")[0], row["engine"]): row["verdict"] for row in rows}
    assert verdicts[("every page rendered afresh", "sqlite")] == report.MET
    assert verdicts[("every page rendered afresh", "postgresql")] == report.MISSED
    assert verdicts[("queries per page <= 12, equal at N and N/10", "postgresql")] == report.MISSED
    assert verdicts[("mixed workload", "sqlite")] == report.NOT_MEASURED
    assert verdicts[("register PDF peak RSS <= 200 MB at 20,000 vendors", "-")] == report.NOT_MEASURED
    assert all(row["verdict"] in (report.MET, report.MISSED, report.NOT_MEASURED) for row in rows)
