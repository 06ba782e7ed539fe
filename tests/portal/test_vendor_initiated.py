"""What a vendor starts itself in the portal: a request for consent to a new subcontractor, and notice of an
incident (issue #19, item 6)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest

from oversight.activity.models import ActivityLog
from oversight.auth.models import User
from oversight.core.mynumber import check_digit
from oversight.core.timeutil import app_timezone, to_local, utcnow
from oversight.evidence.models import EvidenceFile
from oversight.extensions import db
from oversight.incidents import clocks, status
from oversight.incidents.models import Incident
from oversight.portal import services, vendor_initiated
from oversight.status.waiting import waiting_items
from oversight.subcontracts import services as subcontract_services
from oversight.subcontracts.models import REQUESTED, REVIEWED, Subcontract, SubcontractConsent
from oversight.vendors.corporate_number import with_check_digit
from oversight.vendors.models import CANDIDATE, Vendor, VendorContact
from tests.contracts.helpers import signed
from tests.portal.helpers import fresh_token
from tests.subcontracts.helpers import Team
from tests.uploads import pdf_bytes
from tests.vendors.factories import create_vendor
from tests.web.test_csrf import csrf_app  # noqa: F401 (the fixture: the same database, CSRF protection on)

MY_NUMBER = "12345678901" + str(check_digit("12345678901"))
SUBCONTRACTOR_NUMBER = with_check_digit("400000000017")


@pytest.fixture
def vendor_a(app):
    """A contractor with a signed contract in force, one contact, and the principal's people."""
    with app.app_context():
        team = Team()
        team.contractor.manager_id = team.manager.id
        contact = VendorContact(vendor=team.contractor, name="山田 花子", email="hanako@vendor-a.example")
        db.session.add(contact)
        db.session.commit()
        return {
            "vendor_id": team.contractor.id,
            "contract_id": team.contract.id,
            "contact_id": contact.id,
            "legal_id": team.legal.id,
            "manager_id": team.manager.id,
        }


@pytest.fixture
def vendor_b(app, vendor_a):
    """A second contractor with its own contract (the people of ``vendor_a`` are reused)."""
    with app.app_context():
        procurement, legal, manager = (
            db.session.scalar(db.select(User).where(User.email == f"{role}@example.com"))
            for role in ("procurement", "legal", "manager")
        )
        vendor = create_vendor(name="株式会社B")
        contract = signed(procurement, legal, manager, vendor=vendor)
        contact = VendorContact(vendor=vendor, name="佐藤 一郎", email="ichiro@vendor-b.example")
        db.session.add(contact)
        db.session.commit()
        return {"vendor_id": vendor.id, "contract_id": contract.id, "contact_id": contact.id}


def _actor(contact_id: int):
    contact = db.session.get(VendorContact, contact_id)
    return services.actor_for(contact, contact.vendor)


def _sign_in(client, app, contact_id: int) -> None:
    with app.app_context():
        token = fresh_token(db.session.get(VendorContact, contact_id))
        db.session.commit()
    assert client.get(f"/portal/link/{token}").status_code == 302


def consent_form(contract_id: int, **overrides) -> dict:
    data = {
        "placement": f"c{contract_id}",
        "name": "株式会社さくら印刷",
        "corporate_number": SUBCONTRACTOR_NUMBER,
        "scope_of_work": "給与明細の印刷・封入",
        "data_scope": "従業員の氏名、住所、給与額",
        "handling_location": "domestic",
        "handling_country": "",
        "safety_measures": "Pマーク取得、入退室管理、専用端末で印刷",
    }
    data.update(overrides)
    return data


def notice_form(**overrides) -> dict:
    data = {
        "title": "給与明細の誤送付",
        "kind": "leak",
        "description": "封入機の設定誤りで、他人の明細を同封した。",
        "knew_at": (to_local(utcnow()) - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "people": "12",
        "data_items": "氏名、住所、給与額",
        "contract": "",
    }
    data.update(overrides)
    return data


# --- consent to a new subcontractor -----------------------------------------------------------------


def test_a_consent_request_enters_the_consent_workflow_as_procurements_would(app, vendor_a, smtp_server):
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.7"}):
        actor = _actor(vendor_a["contact_id"])
        values = consent_form(vendor_a["contract_id"])
        consent = vendor_initiated.request_consent(actor, values, now=utcnow())
        db.session.commit()
        node = db.session.get(Subcontract, consent.subcontract_id)
        subcontractor = db.session.get(Vendor, node.vendor_id)
        assert (subcontractor.name, subcontractor.corporate_number, subcontractor.status) == (
            "株式会社さくら印刷", SUBCONTRACTOR_NUMBER, CANDIDATE
        )
        assert (node.contract_id, node.level, node.parent_vendor_id, node.is_entrusted) == (
            vendor_a["contract_id"], 1, vendor_a["vendor_id"], False
        )
        assert consent.status == REQUESTED and consent.requested_by_id is None
        assert consent.requested_by_contact_id == vendor_a["contact_id"]
        contractor = db.session.get(Vendor, vendor_a["vendor_id"])
        assert consent.requested_by_label == f"山田 花子（委託先窓口：{contractor.name}）"
        assert consent.safety_measures.startswith("Pマーク") and consent.scope_of_work == "給与明細の印刷・封入"
        rows = db.session.scalars(db.select(ActivityLog).where(ActivityLog.actor_label == consent.requested_by_label))
        rows = [row for row in rows if row.action != "portal.sign_in"]
        assert sorted(row.action for row in rows) == [
            "portal.consent_request", "subcontract.record", "subcontract.request", "vendor.create"
        ]
        assert {(row.actor_id, row.actor_label, row.ip_address) for row in rows} == {
            (None, consent.requested_by_label, "203.0.113.7")
        }
        # The workflow goes on as for procurement's request: legal reviews it.
        legal = db.session.get(User, vendor_a["legal_id"])
        subcontract_services.review(consent, recommendation="approve", note="", actor=legal, now=utcnow())
        assert consent.status == REVIEWED
    # Legal and the managers are told at once, in their language, with the link to the node.
    addresses = sorted(message["To"].addresses[0].addr_spec for message in smtp_server.messages)
    assert addresses == ["legal@example.com", "manager2@example.com", "manager@example.com"]
    body = smtp_server.messages[0].get_body(("plain",)).get_content()
    assert "株式会社さくら印刷" in body and f"/subcontracts/{node.id}" in body and "Pマーク取得" in body


def test_an_existing_register_entry_is_reused_by_its_corporate_number(app, vendor_a):
    with app.test_request_context():
        known = create_vendor(name="さくら印刷（登録済み）", corporate_number=SUBCONTRACTOR_NUMBER)
        consent = vendor_initiated.request_consent(
            _actor(vendor_a["contact_id"]), consent_form(vendor_a["contract_id"]), now=utcnow()
        )
        assert db.session.get(Subcontract, consent.subcontract_id).vendor_id == known.id
        # Asking again while the first request waits is refused by the subcontract rules.
        with pytest.raises(services.PortalRuleError):
            vendor_initiated.request_consent(
                _actor(vendor_a["contact_id"]), consent_form(vendor_a["contract_id"]), now=utcnow()
            )


def test_the_consent_form_through_the_portal(client, app, vendor_a, smtp_server, login_as):
    _sign_in(client, app, vendor_a["contact_id"])
    page = client.get("/portal/subcontractors/new")
    assert page.status_code == 200 and 'data-testid="consent-request-form"' in page.get_data(as_text=True)
    upload = (io.BytesIO(pdf_bytes("Safety measures")), "measures.pdf")
    response = client.post(
        "/portal/subcontractors/new", data={**consent_form(vendor_a["contract_id"]), "evidence": upload}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/portal/")
    home = client.get("/portal/").get_data(as_text=True)
    assert "株式会社さくら印刷" in home and "法務審査待ち" in home
    with app.app_context():
        consent = db.session.scalar(db.select(SubcontractConsent))
        [file] = db.session.scalars(db.select(EvidenceFile).where(EvidenceFile.owner_type != "contract")).all()
        assert (file.owner_type, file.owner_id, file.original_filename) == (
            "subcontract_consent", consent.id, "measures.pdf"
        )
        node_id = consent.subcontract_id
    # Staff see it where they decide consents, marked as the vendor's own request.
    client.post("/portal/sign-out")
    login_as("legal")
    detail = client.get(f"/subcontracts/{node_id}").get_data(as_text=True)
    assert 'data-testid="consent-from-portal"' in detail and "measures.pdf" in detail
    queue = client.get("/subcontracts/?section=awaiting_legal").get_data(as_text=True)
    assert "株式会社さくら印刷" in queue and 'data-testid="consent-from-portal"' in queue
    assert "Pマーク取得" in detail
    with app.app_context():
        legal = db.session.get(User, vendor_a["legal_id"])
        [item] = [item for item in waiting_items(db.session) if item.object_type == "subcontract_consent"]
        assert item.may_act(legal) and "委託先ポータル" in item.title


def test_the_consent_form_keeps_the_input_and_says_what_is_wrong(client, app, vendor_a):
    _sign_in(client, app, vendor_a["contact_id"])
    wrong = SUBCONTRACTOR_NUMBER[:-1] + str((int(SUBCONTRACTOR_NUMBER[-1]) + 1) % 10)
    data = consent_form(vendor_a["contract_id"], corporate_number=wrong, handling_location="abroad", safety_measures="")
    response = client.post("/portal/subcontractors/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "チェックデジット" in html  # the check digit, next to the field
    assert 'id="consentrequest-corporate_number-error"' in html or "corporate_number-error" in html
    assert "株式会社さくら印刷" in html and "給与明細の印刷・封入" in html  # what was typed is still there
    assert "国名" in html or "country" in html.lower()  # abroad without a country
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Subcontract.id))) == 0


def test_the_my_number_guard_covers_every_consent_field_and_the_file(client, app, vendor_a):
    _sign_in(client, app, vendor_a["contact_id"])
    for field in ("name", "scope_of_work", "data_scope", "safety_measures", "handling_country"):
        data = consent_form(vendor_a["contract_id"], **{field: f"担当 {MY_NUMBER}"}, handling_location="abroad")
        if field != "handling_country":
            data["handling_country"] = "ベトナム"
        response = client.post("/portal/subcontractors/new", data=data)
        assert response.status_code == 400, field
        assert 'data-testid="my-number-warning"' in response.get_data(as_text=True), field
    upload = (io.BytesIO(f"番号 {MY_NUMBER}".encode()), "list.txt")
    data = {**consent_form(vendor_a["contract_id"]), "evidence": upload}
    response = client.post("/portal/subcontractors/new", data=data)
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(SubcontractConsent.id))) == 0
        assert not db.session.scalars(db.select(EvidenceFile).where(EvidenceFile.owner_type != "contract")).all()


def test_a_contact_of_vendor_a_cannot_ask_for_vendor_b(client, app, vendor_a, vendor_b):
    _sign_in(client, app, vendor_a["contact_id"])
    response = client.post("/portal/subcontractors/new", data=consent_form(vendor_b["contract_id"]))
    assert response.status_code == 400
    notice = client.post("/portal/incidents/new", data=notice_form(contract=str(vendor_b["contract_id"])))
    assert notice.status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Subcontract.id))) == 0
        assert db.session.scalar(db.select(db.func.count(Incident.id))) == 0
        # The service refuses it too, whatever the form offered.
        with pytest.raises(services.PortalRuleError):
            vendor_initiated.request_consent(
                _actor(vendor_a["contact_id"]), consent_form(vendor_b["contract_id"]), now=utcnow()
            )
    # B's contact does not see A's requests.
    client.post("/portal/incidents/new", data=notice_form())
    client.post("/portal/sign-out")
    _sign_in(client, app, vendor_b["contact_id"])
    assert "給与明細の誤送付" not in client.get("/portal/").get_data(as_text=True)


def test_a_subcontractor_asks_for_the_next_level_below_its_own_node(app, vendor_a):
    with app.test_request_context():
        contract_id = vendor_a["contract_id"]
        actor = _actor(vendor_a["contact_id"])
        first = vendor_initiated.request_consent(actor, consent_form(contract_id), now=utcnow())
        node = db.session.get(Subcontract, first.subcontract_id)
        contact = VendorContact(vendor_id=node.vendor_id, name="鈴木 次郎", email="jiro@sakura.example")
        db.session.add(contact)
        db.session.flush()
        actor = _actor(contact.id)
        [placement] = vendor_initiated.placements(node.vendor_id)
        assert placement.node.id == node.id and "としての" not in placement.label
        create_vendor(name="株式会社つばき", corporate_number=with_check_digit("500000000019"))
        second = vendor_initiated.request_consent(
            actor,
            consent_form(contract_id, placement=placement.key, corporate_number=with_check_digit("500000000019")),
            now=utcnow(),
        )
        child = db.session.get(Subcontract, second.subcontract_id)
        assert (child.level, child.parent_id, child.parent_vendor_id) == (2, node.id, node.vendor_id)


# --- notice of an incident --------------------------------------------------------------------------


def test_an_incident_notice_opens_an_incident_whose_clocks_start_from_the_facts(app, vendor_a, smtp_server):
    now = datetime(2026, 12, 4, 1, 30, tzinfo=app_timezone()).astimezone(utcnow().tzinfo)  # Fri 10:30 JST
    knew_at = datetime(2026, 12, 3, 18, 0, tzinfo=app_timezone())
    with app.test_request_context(environ_base={"REMOTE_ADDR": "198.51.100.4"}):
        actor = _actor(vendor_a["contact_id"])
        values = {
            "title": "給与明細の誤送付", "kind": "leak", "is_suspected": False, "description": "封入誤り",
            "knew_at": knew_at, "people": 150, "data_items": "氏名、給与額", "contract_id": vendor_a["contract_id"],
        }
        incident = vendor_initiated.report_incident(actor, values, now=now)
        db.session.commit()
        assert (incident.vendor_id, incident.vendor_knew_on, incident.vendor_notified_on) == (
            vendor_a["vendor_id"], knew_at.date(), to_local(now).date()
        )
        assert incident.vendor_knew_at == knew_at and incident.vendor_notified_at == now
        assert incident.reported_by_contact_id == vendor_a["contact_id"] and incident.is_from_portal
        assert incident.owner_id == vendor_a["manager_id"] and incident.created_by_id is None
        assert incident.people_max == 150 and incident.contract_id == vendor_a["contract_id"]
        # The incidents feature's own rules: we knew when the notice arrived; R4 (over 100 people) → reportable.
        today = to_local(now).date()
        assert status.principal_knew_on(incident) == today
        assert status.reportability(incident).is_reportable
        final = status.deadline(incident, "final", today)
        assert final.due_on == clocks.final_report_due_on(today)
        assert status.deadline(incident, "preliminary", today).due_on == clocks.preliminary_report_guide(today).last_on
        assert status.deadline(incident, "vendor_notice", today).done_on == today
        log = db.session.scalars(db.select(ActivityLog).where(ActivityLog.object_type == "incident")).all()
        assert {row.action for row in log} == {"incident.create", "portal.incident_notice"}
        assert {(row.actor_id, row.actor_label, row.ip_address) for row in log} == {
            (None, incident.reported_by_label, "198.51.100.4")
        }
    addresses = sorted(message["To"].addresses[0].addr_spec for message in smtp_server.messages)
    assert addresses == ["manager2@example.com", "manager@example.com"]
    message = smtp_server.messages[0]
    assert "給与明細の誤送付" in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert "2026-12-03 18:00" in body and f"/incidents/{incident.id}" in body


def test_a_notice_cannot_say_the_vendor_knew_in_the_future(app, vendor_a):
    with app.test_request_context():
        values = {"title": "x", "kind": "leak", "description": "x", "data_items": "x",
                  "knew_at": utcnow() + timedelta(hours=2), "people": None, "contract_id": None}
        with pytest.raises(services.PortalRuleError):
            vendor_initiated.report_incident(_actor(vendor_a["contact_id"]), values, now=utcnow())


def test_the_incident_form_through_the_portal_and_where_staff_see_it(client, app, vendor_a, smtp_server, login_as):
    _sign_in(client, app, vendor_a["contact_id"])
    assert client.get("/portal/incidents/new").status_code == 200
    upload = (io.BytesIO(pdf_bytes("First report")), "first-report.pdf")
    # More than 100 people: reportable (R4), so its report clocks run and reach the dashboard's due list.
    response = client.post("/portal/incidents/new", data={**notice_form(people="150"), "evidence": upload})
    assert response.status_code == 302
    home = client.get("/portal/").get_data(as_text=True)
    assert "給与明細の誤送付" in home and 'data-testid="portal-incidents"' in home
    assert "封入機の設定誤り" not in home  # the contact sees the status only
    [alert] = smtp_server.messages[:1]
    assert "給与明細の誤送付" in alert["Subject"]
    client.post("/portal/sign-out")
    login_as("manager")
    listing = client.get("/incidents/").get_data(as_text=True)
    assert 'data-testid="incident-from-portal"' in listing
    with app.app_context():
        incident_id = db.session.scalar(db.select(Incident.id))
    detail = client.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert 'data-testid="incident-from-portal"' in detail and "first-report.pdf" in detail
    dashboard = client.get("/dashboard/due?bucket=upcoming").get_data(as_text=True)
    assert "給与明細の誤送付" in dashboard and "委託先ポータル経由" in dashboard


def test_the_incident_form_keeps_the_input_and_says_what_is_wrong(client, app, vendor_a):
    _sign_in(client, app, vendor_a["contact_id"])
    response = client.post("/portal/incidents/new", data=notice_form(knew_at="昨日", people="-3", data_items=""))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="incident-notice-knew_at-error"' in html and 'id="incident-notice-people-error"' in html
    assert 'id="incident-notice-data_items-error"' in html
    assert "給与明細の誤送付" in html and "封入機の設定誤り" in html
    assert html.count("invalid-feedback") >= 3
    future = (to_local(utcnow()) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post("/portal/incidents/new", data=notice_form(knew_at=future))
    assert refused.status_code == 400 and "給与明細の誤送付" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Incident.id))) == 0


def test_the_my_number_guard_covers_every_notice_field_and_the_file(client, app, vendor_a):
    _sign_in(client, app, vendor_a["contact_id"])
    for field in ("title", "description", "data_items"):
        response = client.post("/portal/incidents/new", data=notice_form(**{field: f"本人 {MY_NUMBER}"}))
        assert response.status_code == 400, field
        assert 'data-testid="my-number-warning"' in response.get_data(as_text=True), field
    upload = (io.BytesIO(f"番号 {MY_NUMBER}".encode()), "list.txt")
    assert client.post("/portal/incidents/new", data={**notice_form(), "evidence": upload}).status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Incident.id))) == 0


def test_notices_are_limited_per_contact_and_hour(client, app, vendor_a, monkeypatch):
    monkeypatch.setattr(vendor_initiated, "PER_CONTACT_PER_HOUR", 2)
    _sign_in(client, app, vendor_a["contact_id"])
    for number in range(2):
        assert client.post("/portal/incidents/new", data=notice_form(title=f"事案 {number}")).status_code == 302
    limited = client.post("/portal/incidents/new", data=notice_form(title="三件目"))
    assert limited.status_code == 429 and "三件目" in limited.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Incident.id))) == 2


def test_the_vendor_initiated_pages_need_a_portal_session(client, app, vendor_a, login_as):
    assert client.get("/portal/incidents/new").status_code == 302
    assert client.post("/portal/subcontractors/new", data={}).status_code == 302
    login_as("manager")
    assert client.get("/portal/incidents/new").status_code == 403


def test_a_contact_of_a_vendor_under_contract_can_ask_for_a_link_without_a_request(client, app, vendor_a, smtp_server):
    # No request was ever sent to this contact: its vendor's contract in force lets it in to tell us something.
    response = client.post("/portal/new-link", data={"email": "hanako@vendor-a.example"})
    assert response.status_code == 200
    [message] = smtp_server.messages
    assert message["To"].addresses[0].addr_spec == "hanako@vendor-a.example"
    with app.app_context():
        stranger = create_vendor(name="取引のない株式会社")
        db.session.add(VendorContact(vendor=stranger, name="田中", email="tanaka@stranger.example"))
        db.session.commit()
    client.post("/portal/new-link", data={"email": "tanaka@stranger.example"})
    assert len(smtp_server.messages) == 1  # a vendor with no contract in force and no request: no link


def test_a_refused_alert_leaves_the_notice_recorded(client, app, vendor_a, smtp_server, caplog):
    smtp_server.handler.refused.add("manager@example.com")
    _sign_in(client, app, vendor_a["contact_id"])
    response = client.post("/portal/incidents/new", data=notice_form())
    assert response.status_code == 302
    assert [message["To"].addresses[0].addr_spec for message in smtp_server.messages] == ["manager2@example.com"]
    assert "portal notice to user" in caplog.text  # the operator sees the refused alert in the server log
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Incident.id))) == 1


def test_both_forms_refuse_a_post_without_a_csrf_token(csrf_app, vendor_a):  # noqa: F811
    client = csrf_app.test_client()
    with csrf_app.app_context():
        token = fresh_token(db.session.get(VendorContact, vendor_a["contact_id"]))
        db.session.commit()
    assert client.get(f"/portal/link/{token}").status_code == 302
    page = client.get("/portal/incidents/new").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    assert client.post("/portal/incidents/new", data=notice_form()).status_code == 400
    assert client.post("/portal/subcontractors/new", data=consent_form(vendor_a["contract_id"])).status_code == 400
    with csrf_app.app_context():
        assert db.session.scalar(db.select(db.func.count(Incident.id))) == 0
        assert db.session.scalar(db.select(db.func.count(SubcontractConsent.id))) == 0
