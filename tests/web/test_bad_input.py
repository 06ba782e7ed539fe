"""A bad request never produces a 500: every list page with nonsense parameters still answers."""

import re
from datetime import date

import pytest

from oversight import PROJECT_ROOT
from oversight.auth.roles import ALL_ROLES
from oversight.core.timeutil import utcnow
from oversight.extensions import db
from oversight.reminders.models import FAILED, ReminderLog
from tests.contracts.helpers import submitted, user
from tests.web.test_access import ROUTES

LIST_ROUTES = [route for route in ROUTES if route.method == "GET" and not route.values]
BAD_QUERIES = {
    "page=abc": {"page": "abc"},
    "page=-5": {"page": "-5"},
    "page=huge": {"page": "99999999999999999999"},
    "unknown sort": {"sort": "no_such_column", "order": "sideways"},
    "bad dates": {"date_from": "notadate", "date_to": "2026-02-30"},
    "bad numbers": {"actor": "abc", "object_id": "1e9999", "vendor_id": "-1", "status": "bogus"},
    "quotes": {"q": "'; DROP TABLE users; --%_\\"},
    # Names of url_for's own arguments: the page's links used to pass the query to url_for as keywords.
    "url_for argument names": {"endpoint": "x", "values": "x", "_method": "x", "format": "x"},
    "download format twice": {"format": "xlsx", "page": "2"},
    "huge numbers": {"vendor_id": "99999999999999999999", "round": "99999999999", "object_id": "99999999999"},
}


@pytest.mark.parametrize("query", BAD_QUERIES.values(), ids=BAD_QUERIES.keys())
@pytest.mark.parametrize("route", LIST_ROUTES, ids=str)
def test_list_pages_survive_bad_parameters(client, app, login_as, route, query):
    login_as(*ALL_ROLES)
    with app.test_request_context():
        url = route.url()
    response = client.get(url, query_string=query)
    assert response.status_code < 500, f"{url} {query}: {response.status_code}"


def test_nul_characters_are_refused_not_stored(client, login_as):
    login_as("admin")
    assert client.get("/admin/users", query_string={"q": "a\x00b"}).status_code == 400
    assert client.post("/auth/login", data={"email": "a\x00@example.com", "password": "x"}).status_code == 400


def test_outbox_rows_keep_a_query_naming_the_resend_route_argument(client, app, login_as):
    admin = login_as("admin")
    with app.app_context():
        db.session.add(
            ReminderLog(
                rule="tests.rule", kind="general", object_type="user", object_id=1, due_on=date(2026, 12, 1),
                stage="due", recipient_id=admin.id, title="契約終了の確認", url_path="/dashboard", status=FAILED,
                attempts=1, created_at=utcnow(), next_attempt_at=utcnow(),
            )
        )
        db.session.commit()
    response = client.get("/reminders/outbox", query_string={"reminder_id": "1", "status": "failed"})
    assert response.status_code == 200
    assert "/resend?reminder_id=1&amp;status=failed" in response.get_data(as_text=True)


@pytest.mark.parametrize("round_number", ["99999999999", "99999999999999999999", "-1"])
def test_checklist_pdf_of_a_round_no_column_holds_is_the_latest_round(client, app, login_as, round_number):
    with app.app_context():
        contract = submitted(user("procurement", email="p@example.org"))
        db.session.commit()
        contract_id = contract.id
    login_as("legal")
    response = client.get(f"/reports/contracts/{contract_id}/checklist.pdf", query_string={"round": round_number})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    response.close()
    assert client.get(f"/contracts/{contract_id}", query_string={"round": round_number}).status_code == 200


@pytest.mark.parametrize("path", ["/incidents/", "/incidents/export", "/incidents/new"])
def test_incidents_of_a_vendor_id_no_column_holds(client, login_as, path):
    login_as(*ALL_ROLES)
    response = client.get(path, query_string={"vendor_id": "99999999999999999999"})
    response.get_data()  # the export is streamed: its rows are read only now
    assert response.status_code == 200


def test_huge_record_id_is_not_found(client, login_as):
    login_as("admin")
    assert client.get("/admin/users/99999999999999999999/edit").status_code == 404


def test_no_template_hands_the_query_string_to_url_for():
    # A visitor's key named like one of url_for's arguments (endpoint, values, _method…) or like a
    # keyword the template also passes (format, reminder_id) was a TypeError: use current_query().
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in (PROJECT_ROOT / "templates").rglob("*.html")
        if "**request.args" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_no_view_reads_an_unbounded_number_from_the_query_string():
    # request.args.get(name, type=int) takes 99999999999999999999, which no column holds: use query_int().
    pattern = re.compile(r"request\.args\.get\([^)]*type=int")
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in (PROJECT_ROOT / "oversight").rglob("*.py")
        if path.name != "pagination.py" and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
