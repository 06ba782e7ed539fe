"""The vendor portal: links and sign-in, the staff side, the periodic report end to end, security."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from werkzeug.routing import IntegerConverter

from oversight.activity.models import ActivityLog
from oversight.audits.models import FINDING, PERIODIC_REPORT, Audit
from oversight.core.mynumber import check_digit
from oversight.core.timeutil import utcnow
from oversight.evidence.models import EvidenceFile
from oversight.extensions import db
from oversight.portal import services
from oversight.portal.models import ACCEPTED, RETURNED, SUBMITTED, PortalLink, PortalRequest, PortalSubmission
from oversight.vendors.models import Vendor, VendorContact
from tests.htmlcheck import problems
from tests.portal.helpers import fresh_token, full_answers, link_path, links_in, send_request, vendor_with_contact
from tests.uploads import pdf_bytes

MY_NUMBER = "12345678901" + str(check_digit("12345678901"))
PDF = pdf_bytes("Handling rules")


@pytest.fixture
def vendor_a(app):
    with app.app_context():
        vendor, contact = vendor_with_contact("株式会社A")
        request = send_request(vendor, contact)
        db.session.commit()
        return {"vendor_id": vendor.id, "contact_id": contact.id, "request_id": request.id}


@pytest.fixture
def vendor_b(app):
    with app.app_context():
        vendor, contact = vendor_with_contact("株式会社B", contact_name="佐藤 一郎", email="ichiro@vendor-b.example")
        request = send_request(vendor, contact)
        db.session.commit()
        return {"vendor_id": vendor.id, "contact_id": contact.id, "request_id": request.id}


def _token(app, contact_id: int) -> str:
    from oversight.vendors.models import VendorContact

    with app.app_context():
        token = fresh_token(db.session.get(VendorContact, contact_id))
        db.session.commit()
        return token


def _sign_in_contact(client, app, contact_id: int) -> None:
    response = client.get(f"/portal/link/{_token(app, contact_id)}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/portal/")


def _items(app, request_id: int):
    with app.app_context():
        return services.report_items(db.session.get(PortalRequest, request_id))


# --- links -----------------------------------------------------------------------------------------


def test_staff_request_mails_each_contact_a_link_that_opens_the_portal(client, app, login_as, smtp_server):
    with app.app_context():
        vendor, contact = vendor_with_contact("株式会社A")
        db.session.commit()
        vendor_id, contact_id = vendor.id, contact.id
    login_as("auditor")
    due = (utcnow().date() + timedelta(days=20)).isoformat()
    response = client.post(
        f"/requests/vendor/{vendor_id}/new",
        data={
            "kind": "periodic_report",
            "contact_ids": [str(contact_id)],
            "due_on": due,
            "message": "よろしくお願いします",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    [message] = smtp_server.messages
    assert message["To"].addresses[0].addr_spec == "hanako@vendor-a.example"
    assert "定期報告" in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert "山田 花子" in body and "よろしくお願いします" in body
    [url] = links_in(message)
    client.post("/auth/logout")
    opened = client.get(link_path(url))
    assert opened.status_code == 302
    home = client.get("/portal/")
    assert home.status_code == 200
    page = home.get_data(as_text=True)
    assert "定期報告" in page and 'data-testid="portal-requests"' in page
    assert "/vendors/" not in page  # no staff navigation
    with app.app_context():
        link = db.session.scalar(db.select(PortalLink))
        assert len(link.token_hash) == 64 and link.token_hash != url.rsplit("/", 1)[1]  # only the hash is stored
        assert link.used_at is not None
        assert (link.expires_at - link.created_at) == timedelta(days=14)
        row = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "portal.sign_in"))
        assert row.actor_id is None
        assert row.actor_label == "山田 花子（委託先窓口：株式会社A）"
        assert row.ip_address == "127.0.0.1"


def test_the_request_form_refuses_bad_input_with_messages(client, app, login_as):
    with app.app_context():
        vendor, _contact = vendor_with_contact("株式会社A")
        db.session.commit()
        vendor_id = vendor.id
    login_as("procurement")
    response = client.post(f"/requests/vendor/{vendor_id}/new", data={"kind": "periodic_report", "due_on": "x"})
    assert response.status_code == 400
    assert "is-invalid" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(PortalRequest.id))) == 0


def test_a_used_link_does_not_open_twice(client, app, vendor_a):
    token = _token(app, vendor_a["contact_id"])
    assert client.get(f"/portal/link/{token}").status_code == 302
    client.post("/portal/sign-out")
    again = client.get(f"/portal/link/{token}")
    assert again.status_code == 410
    assert 'data-testid="new-link-form"' in again.get_data(as_text=True)
    assert client.get("/portal/").status_code == 302


def test_an_expired_link_is_refused(client, app, vendor_a):
    token = _token(app, vendor_a["contact_id"])
    with app.app_context():
        link = db.session.scalar(db.select(PortalLink).where(PortalLink.token_hash == services.hash_token(token)))
        link.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = client.get(f"/portal/link/{token}")
    assert response.status_code == 410
    assert 'data-testid="link-problem"' in response.get_data(as_text=True)


def test_an_unknown_link_is_404_with_a_page_offering_a_new_link(client):
    response = client.get("/portal/link/not-a-real-token")
    assert response.status_code == 404
    assert 'data-testid="new-link-form"' in response.get_data(as_text=True)


def test_staff_revoke_a_contacts_links(client, app, vendor_a, login_as):
    token = _token(app, vendor_a["contact_id"])
    login_as("procurement")
    response = client.post(f"/requests/vendor/{vendor_a['vendor_id']}/contacts/{vendor_a['contact_id']}/revoke")
    assert response.status_code == 302
    client.post("/auth/logout")
    assert client.get(f"/portal/link/{token}").status_code == 410
    with app.app_context():
        assert db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "portal.link_revoke")) is not None


def test_opening_a_link_signs_the_staff_user_out(client, app, vendor_a, login_as):
    login_as("auditor")
    assert client.get("/dashboard").status_code == 200
    _sign_in_contact(client, app, vendor_a["contact_id"])
    assert client.get("/dashboard").status_code == 302
    assert client.get("/portal/").status_code == 200


# --- new link: enumeration and rate limit -----------------------------------------------------------


def _page(response) -> str:
    """The page without its CSRF tokens (signed with the time, so they differ from one second to the next)."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))


def test_asking_for_a_link_answers_the_same_for_known_and_unknown_addresses(client, app, vendor_a, smtp_server):
    known = client.post("/portal/new-link", data={"email": "hanako@vendor-a.example"})
    unknown = client.post("/portal/new-link", data={"email": "nobody@vendor-a.example"})
    assert known.status_code == unknown.status_code == 200
    assert _page(known) == _page(unknown)
    [message] = smtp_server.messages  # only the known contact got a mail
    [url] = links_in(message)
    assert client.get(link_path(url)).status_code == 302


def test_link_requests_are_limited_per_address(client, app, vendor_a):
    for _ in range(3):
        assert client.post("/portal/new-link", data={"email": "HANAKO@vendor-a.example"}).status_code == 200
    limited = client.post("/portal/new-link", data={"email": "hanako@vendor-a.example"})
    assert limited.status_code == 429
    unknown = [client.post("/portal/new-link", data={"email": "x@unknown.example"}).status_code for _ in range(4)]
    assert unknown == [200, 200, 200, 429]  # the same for an unknown address: no enumeration through the limit


def test_link_requests_are_limited_per_ip(client, app):
    answers = [client.post("/portal/new-link", data={"email": f"p{n}@example.com"}).status_code for n in range(11)]
    assert answers[:10] == [200] * 10 and answers[10] == 429


# --- scope and separation -------------------------------------------------------------------------


def test_a_contact_cannot_reach_another_vendors_request(client, app, vendor_a, vendor_b):
    _sign_in_contact(client, app, vendor_a["contact_id"])
    other = vendor_b["request_id"]
    assert client.get(f"/portal/requests/{vendor_a['request_id']}").status_code == 200
    assert client.get(f"/portal/requests/{other}").status_code == 404
    assert client.post(f"/portal/requests/{other}", data={"action": "save"}).status_code == 404
    upload = {"file": (io.BytesIO(PDF), "a.pdf")}
    assert client.post(f"/portal/requests/{other}/evidence", data=upload).status_code == 404
    assert "株式会社B" not in client.get("/portal/").get_data(as_text=True)


def _url(app, rule) -> str:
    values = {name: 1 if isinstance(conv, IntegerConverter) else "x" for name, conv in rule._converters.items()}
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


PORTAL_OPEN = {"portal.open_link", "portal.new_link"}
STAFF_OPEN = {"static", "bootstrap.static", "favicon", "auth.login", "auth.language", "dashboard.root",
              "dashboard.feed_ics", "api.openapi", "api.docs", "auth.oidc_start", "auth.oidc_callback"}


def test_a_portal_session_reaches_no_staff_route(client, app, vendor_a):
    _sign_in_contact(client, app, vendor_a["contact_id"])
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("portal.") or rule.endpoint in STAFF_OPEN:
            continue
        url = _url(app, rule)
        if rule.endpoint.startswith("api."):  # the API takes tokens only: no cookie reaches it
            method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
            response = client.open(url, method=method)
            assert response.status_code == 401, f"{rule.endpoint}: {response.status_code}"
            checked += 1
            continue
        response = client.get(url) if "GET" in rule.methods else client.post(url, data={})
        assert response.status_code in (302, 403), f"{rule.endpoint}: {response.status_code}"
        if response.status_code == 302:
            assert "/auth/login" in response.headers["Location"], rule.endpoint
        checked += 1
    assert checked > 100
    assert client.get("/portal/").status_code == 200  # still signed in to the portal


def test_a_staff_session_reaches_no_portal_page(client, app, vendor_a, login_as):
    login_as("admin", "auditor", "procurement", "manager")
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("portal.") or rule.endpoint in PORTAL_OPEN:
            continue
        url = _url(app, rule)
        response = client.get(url) if "GET" in rule.methods else client.post(url, data={})
        assert response.status_code == 403, f"{rule.endpoint}: {response.status_code}"
        checked += 1
    assert checked >= 4
    real = client.get(f"/portal/requests/{vendor_a['request_id']}")
    assert real.status_code == 403


# --- the periodic report ----------------------------------------------------------------------------


def test_periodic_report_draft_submit_return_resubmit_accept(client, app, vendor_a, make_user, login):  # noqa: PLR0915
    request_id = vendor_a["request_id"]
    items = _items(app, request_id)
    assert len(items) >= 20  # every item of the audit checklist
    _sign_in_contact(client, app, vendor_a["contact_id"])
    page = client.get(f"/portal/requests/{request_id}").get_data(as_text=True)
    assert items[0].code in page and "適合" in page

    draft = {"version": "1", "action": "save", "incidents": "なし", **full_answers(items[:3])}
    assert client.post(f"/portal/requests/{request_id}", data=draft).status_code == 302
    with app.app_context():
        request = db.session.get(PortalRequest, request_id)
        assert request.status == "in_progress" and request.draft["items"][items[0].code]["answer"] == "conforming"
        version = request.version

    incomplete = {**draft, "version": str(version), "action": "submit"}
    refused = client.post(f"/portal/requests/{request_id}", data=incomplete)
    assert refused.status_code == 400
    assert "Answer every item" in refused.get_data(as_text=True) or "すべての項目" in refused.get_data(as_text=True)

    upload = {"file": (io.BytesIO(PDF), "report.pdf"), "description": "規程"}
    assert client.post(f"/portal/requests/{request_id}/evidence", data=upload).status_code == 302

    complete = {"version": str(version), "action": "submit", "incidents": "なし", **full_answers(items)}
    assert client.post(f"/portal/requests/{request_id}", data=complete).status_code == 302
    with app.app_context():
        request = db.session.get(PortalRequest, request_id)
        assert request.status == SUBMITTED
        [first] = request.submissions
        assert first.number == 1 and first.evidence_ids and first.answers["incidents"] == "なし"
        version = request.version
    # A submitted report cannot be changed any more.
    client.post(f"/portal/requests/{request_id}", data={**complete, "version": str(version)})
    with app.app_context():
        assert len(db.session.get(PortalRequest, request_id).submissions) == 1

    # The auditor returns one item with a comment.
    client.post("/portal/sign-out")
    auditor = make_user("auditor")
    login(auditor)
    code = items[1].code
    key = "".join(ch if ch.isalnum() else "_" for ch in code)
    returned = client.post(
        f"/requests/{request_id}/review",
        data={"version": str(version), "action": "return", f"review_{key}": "規程名を記載してください"},
    )
    assert returned.status_code == 302
    with app.app_context():
        assert db.session.get(PortalRequest, request_id).status == RETURNED
    client.post("/auth/logout")

    _sign_in_contact(client, app, vendor_a["contact_id"])
    page = client.get(f"/portal/requests/{request_id}").get_data(as_text=True)
    assert "規程名を記載してください" in page and f'data-testid="review-comment-{code}"' in page
    with app.app_context():
        version = db.session.get(PortalRequest, request_id).version
    fixed = {**complete, "version": str(version), f"comment_{key}": "個人情報取扱規程 第5条"}
    fixed[f"answer_{key}"] = "partial"
    assert client.post(f"/portal/requests/{request_id}", data=fixed).status_code == 302
    client.post("/portal/sign-out")

    login(auditor)
    with app.app_context():
        request = db.session.get(PortalRequest, request_id)
        assert [s.number for s in request.submissions] == [1, 2]
        assert request.submissions[0].answers["items"][code]["comment"] != "個人情報取扱規程 第5条"  # kept as sent
        version = request.version
    staff_page = client.get(f"/requests/{request_id}").get_data(as_text=True)
    assert "個人情報取扱規程 第5条" in staff_page
    assert f'data-testid="asked-{code}"' in staff_page and "規程名を記載してください" in staff_page
    accepted = client.post(f"/requests/{request_id}/review", data={"version": str(version), "action": "accept"})
    assert accepted.status_code == 302
    with app.app_context():
        request = db.session.get(PortalRequest, request_id)
        assert request.status == ACCEPTED
        audit = db.session.get(Audit, request.audit_id)
        assert audit.kind == PERIODIC_REPORT and audit.status == "in_progress"
        results = {row.item.code: row for row in audit.results}
        assert all(row.result for row in results.values())
        assert results[code].result == FINDING and results[code].note == "個人情報取扱規程 第5条"
        assert db.session.scalar(db.select(db.func.count(PortalSubmission.id))) == 2
        labels = set(db.session.scalars(db.select(ActivityLog.actor_label).where(ActivityLog.action.like("portal.%"))))
        assert "山田 花子（委託先窓口：株式会社A）" in labels


def test_only_auditors_review(client, app, vendor_a, login_as):
    login_as("procurement")
    assert client.post(f"/requests/{vendor_a['request_id']}/review", data={"action": "accept"}).status_code == 403


def test_the_my_number_guard_covers_the_report_and_the_upload(client, app, vendor_a):
    request_id = vendor_a["request_id"]
    items = _items(app, request_id)
    _sign_in_contact(client, app, vendor_a["contact_id"])
    data = {"version": "1", "action": "save", "incidents": f"従業員 {MY_NUMBER} の件", **full_answers(items[:1])}
    response = client.post(f"/portal/requests/{request_id}", data=data)
    assert response.status_code == 400
    assert 'data-testid="my-number-warning"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(PortalRequest, request_id).draft is None
    upload = {"file": (io.BytesIO(f"番号 {MY_NUMBER}".encode()), "list.txt")}
    refused = client.post(f"/portal/requests/{request_id}/evidence", data=upload)
    assert refused.status_code == 400
    exe = {"file": (io.BytesIO(b"MZ\x90\x00binary"), "tool.pdf")}
    assert client.post(f"/portal/requests/{request_id}/evidence", data=exe).status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(EvidenceFile.id))) == 0


def test_the_vendor_page_links_to_its_requests_tab(client, app, vendor_a, login_as):
    login_as("viewer")
    page = client.get(f"/vendors/{vendor_a['vendor_id']}").get_data(as_text=True)
    assert 'data-testid="portal-requests-section"' in page and 'data-testid="new-request"' not in page
    tab = client.get(f"/requests/vendor/{vendor_a['vendor_id']}").get_data(as_text=True)
    assert "定期報告" in tab and "送付済" in tab and 'data-testid="new-request"' not in tab


def test_the_requests_tab_runs_a_constant_number_of_queries(client, app, vendor_a, login_as, count_queries):
    login_as("auditor")
    url = f"/requests/vendor/{vendor_a['vendor_id']}"
    with count_queries() as few:
        assert client.get(url).status_code == 200
    with app.app_context():
        vendor = db.session.get(Vendor, vendor_a["vendor_id"])
        contact = db.session.scalar(db.select(VendorContact).where(VendorContact.vendor_id == vendor.id))
        for _ in range(5):
            send_request(vendor, contact)
        db.session.commit()
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert few.count == many.count <= 12


def test_a_staff_sign_in_ends_the_portal_session(client, app, vendor_a, make_user, login):
    _sign_in_contact(client, app, vendor_a["contact_id"])
    login(make_user("auditor"))
    assert client.get("/portal/").status_code == 403
    client.post("/auth/logout")
    assert client.get("/portal/").status_code == 302  # the portal session did not survive the staff sign-in


def test_an_idle_portal_session_ends(client, app, vendor_a):
    _sign_in_contact(client, app, vendor_a["contact_id"])
    with client.session_transaction() as session:
        session["portal"] = {**session["portal"], "last_seen": utcnow().timestamp() - 24 * 3600}
    response = client.get("/portal/")
    assert response.status_code == 302 and "/portal/new-link" in response.headers["Location"]


def test_portal_and_request_pages_hold_together(client, app, vendor_a, make_user, login):
    """The structural HTML checks (tests/htmlcheck.py) on the portal's pages and the staff request pages."""
    request_id = vendor_a["request_id"]
    items = _items(app, request_id)
    pages = {}
    pages["link problem"] = client.get("/portal/link/unknown")
    pages["new link"] = client.get("/portal/new-link")
    pages["new link sent"] = client.post("/portal/new-link", data={"email": "x@example.com"})
    _sign_in_contact(client, app, vendor_a["contact_id"])
    pages["home"] = client.get("/portal/")
    pages["report"] = client.get(f"/portal/requests/{request_id}")
    pages["report refused"] = client.post(f"/portal/requests/{request_id}", data={"version": "1", "action": "submit"})
    client.post(f"/portal/requests/{request_id}", data={"version": "1", "action": "submit", **full_answers(items)})
    pages["report submitted"] = client.get(f"/portal/requests/{request_id}")
    client.post("/portal/sign-out")
    login(make_user("auditor"))
    pages["staff detail"] = client.get(f"/requests/{request_id}")
    pages["staff review refused"] = client.post(f"/requests/{request_id}/review", data={"version": "0"})
    found = {}
    for name, response in pages.items():
        assert response.status_code < 500, name
        if broken := problems(response.get_data(as_text=True)):
            found[name] = broken
    assert found == {}


def test_a_refused_mail_keeps_the_request_unsent_and_says_why(client, app, login_as, smtp_server):
    with app.app_context():
        vendor, contact = vendor_with_contact("株式会社A")
        db.session.commit()
        vendor_id, contact_id = vendor.id, contact.id
    smtp_server.handler.refused.add("hanako@vendor-a.example")
    login_as("auditor")
    due = (utcnow().date() + timedelta(days=20)).isoformat()
    response = client.post(
        f"/requests/vendor/{vendor_id}/new",
        data={"kind": "periodic_report", "contact_ids": [str(contact_id)], "due_on": due},
    )
    assert response.status_code == 400
    assert "hanako@vendor-a.example" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(PortalRequest.id))) == 0
    client.post("/auth/logout")
    with app.app_context():
        services.create_request(
            db.session.get(Vendor, vendor_id), kind="periodic_report", contact_ids=[contact_id],
            due_on=utcnow().date() + timedelta(days=20), message="", actor=None, now=utcnow(), notify=False,
        )
        db.session.commit()
    client.get("/portal/new-link")  # shows the sign-out message, which the next pages no longer carry
    known = client.post("/portal/new-link", data={"email": "hanako@vendor-a.example"})
    unknown = client.post("/portal/new-link", data={"email": "nobody@vendor-a.example"})
    assert known.status_code == unknown.status_code == 200  # a failed mail is not shown to the visitor
    assert _page(known) == _page(unknown)


def test_a_submitted_report_waits_in_the_auditors_work_list(client, app, vendor_a, make_user, login):
    """The review inbox: a submission waits on the dashboard's work list of auditors (who review it), not of
    other roles, and leaves it once returned or accepted."""
    request_id = vendor_a["request_id"]
    items = _items(app, request_id)
    _sign_in_contact(client, app, vendor_a["contact_id"])
    data = {"version": "1", "action": "submit", "incidents": "なし", **full_answers(items)}
    assert client.post(f"/portal/requests/{request_id}", data=data).status_code == 302
    client.post("/portal/sign-out")
    login(make_user("procurement"))
    assert f"/requests/{request_id}" not in client.get("/dashboard/work").get_data(as_text=True)
    client.post("/auth/logout")
    login(make_user("auditor"))
    work = client.get("/dashboard/work").get_data(as_text=True)
    assert f'href="/requests/{request_id}"' in work and "委託先の提出物の確認" in work and "定期報告" in work
    with app.app_context():
        request = db.session.get(PortalRequest, request_id)
        request.status = ACCEPTED
        db.session.commit()
    assert f"/requests/{request_id}" not in client.get("/dashboard/work").get_data(as_text=True)
