"""Every role on every API operation gets what docs/permissions.md says for the page it mirrors: the
same table the pages are tested against (tests/web/test_permissions.py), read the same way. The decisions
with a separation-of-duty rule refuse through the API exactly whom their predicate refuses. An operation is
refused, whoever calls it, exactly when the page step it mirrors (in its row of the table) asks for a new
second-factor code (``step_up_required``): a token is no second factor."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import url_for
from markupsafe import escape

from oversight.activity.models import ActivityLog
from oversight.api.access import page_steps
from oversight.audits import permissions as audit_permissions
from oversight.audits.models import Audit
from oversight.auth import services as auth_services
from oversight.auth.models import User, UserRole
from oversight.auth.roles import ALL_ROLES
from oversight.contracts import permissions as contract_permissions
from oversight.contracts import review as review_rules
from oversight.contracts.models import Contract
from oversight.core.timeutil import utcnow
from oversight.disposals import permissions as disposal_permissions
from oversight.disposals.models import DisposalItem
from oversight.evaluations import permissions as evaluation_permissions
from oversight.evaluations.models import Evaluation
from oversight.extensions import db
from oversight.subcontracts import permissions as subcontract_permissions
from oversight.subcontracts.models import SubcontractConsent
from oversight.web.second_factor import asks_for_step_up
from tests.conftest import TEST_PASSWORD, UserInfo
from tests.web.test_permissions import ACTION_OF, APP

API_ENDPOINTS = sorted(endpoint for endpoint in ACTION_OF if endpoint.startswith("api."))


class Caller:
    """Requests as one token holder. The records they are about are the fixtures named, made only when a
    request asks for them (``caller.a_vendor``); a change first reads the record's ETag for If-Match."""

    def __init__(self, client, headers: dict[str, str], user_id: int, request) -> None:
        self.client, self.headers, self.me, self._request = client, headers, user_id, request
        self.if_match = True  # False: a change is sent without If-Match
        self.read_etag: tuple[str, str] | None = None  # the last change's record: (its path, the ETag read)

    def __getattr__(self, fixture: str):
        return self._request.getfixturevalue(fixture)

    def get(self, path: str):
        return self.client.get(path, headers=self.headers)

    def post(self, path: str, body: dict):
        return self.client.post(path, headers=self.headers, json=body)

    def change(self, method: str, path: str, body: dict | None = None, *, read: str | None = None):
        """``method`` on ``path`` with the ETag read from ``read`` (default: ``path``)."""
        etag = self.get(read or path).headers["ETag"]
        self.read_etag = (read or path, etag)
        headers = {**self.headers, "If-Match": etag} if self.if_match else self.headers
        return self.client.open(path, method=method, headers=headers, json=body)


CONTRACT = {
    "number": "API-001", "title": "給与計算業務委託契約", "scope": "給与計算", "data_scope": "従業員の個人番号",
    "start_on": "2026-04-01", "end_on": "2027-03-31",
}
CONSENT_REQUEST = {
    "scope_of_work": "給与明細の印刷・封入", "data_scope": "従業員の氏名、住所",
    "supervision_plan": "委託先が四半期ごとに実地確認し、報告書を提出する", "has_c04": True, "has_c14": True,
    "has_c16": True,
}
FINDING = {"severity": "minor", "description": "入退室記録に漏れがある", "requested_action": "記録様式を改める",
           "requested_on": "2026-11-26", "due_on": "2026-12-26"}

# One well-formed request per operation: an allowed role gets a success, not merely no 403.
OPERATIONS: dict[str, Callable[[Caller], object]] = {
    "api.vendors": lambda c: c.get("/api/v1/vendors"),
    "api.vendor": lambda c: c.get(f"/api/v1/vendors/{c.a_vendor}"),
    "api.create_vendor": lambda c: c.post("/api/v1/vendors", {"name": "株式会社権限確認"}),
    "api.update_vendor": lambda c: c.change("PATCH", f"/api/v1/vendors/{c.a_vendor}", {"risk_tier": "low"}),
    "api.vendor_contact": lambda c: c.get(f"/api/v1/vendors/{c.a_vendor}/contacts/{c.a_contact['contact']}"),
    "api.create_vendor_contact": lambda c: c.post(f"/api/v1/vendors/{c.a_vendor}/contacts", {"name": "総務 次郎"}),
    "api.update_vendor_contact": lambda c: c.change(
        "PATCH", f"/api/v1/vendors/{c.a_vendor}/contacts/{c.a_contact['contact']}", {"phone": "03-1234-5678"}),
    "api.delete_vendor_contact": lambda c: c.change(
        "DELETE", f"/api/v1/vendors/{c.a_vendor}/contacts/{c.a_contact['contact']}"),
    "api.vendor_certification": lambda c: c.get(
        f"/api/v1/vendors/{c.a_vendor}/certifications/{c.a_contact['certification']}"),
    "api.create_vendor_certification": lambda c: c.post(
        f"/api/v1/vendors/{c.a_vendor}/certifications", {"kind": "isms", "number": "IS 123456"}),
    "api.update_vendor_certification": lambda c: c.change(
        "PATCH", f"/api/v1/vendors/{c.a_vendor}/certifications/{c.a_contact['certification']}",
        {"expires_on": "2028-03-31"}),
    "api.delete_vendor_certification": lambda c: c.change(
        "DELETE", f"/api/v1/vendors/{c.a_vendor}/certifications/{c.a_contact['certification']}"),
    "api.contracts": lambda c: c.get("/api/v1/contracts"),
    "api.contract": lambda c: c.get(f"/api/v1/contracts/{c.a_contract}"),
    "api.create_contract": lambda c: c.post("/api/v1/contracts", {"vendor_id": c.a_vendor, **CONTRACT}),
    "api.decide_contract": lambda c: c.change(
        "POST", f"/api/v1/contracts/{c.a_cleared_contract['contract']}/decision",
        {"decision": "return", "note": "第5条を修正"}, read=f"/api/v1/contracts/{c.a_cleared_contract['contract']}"),
    "api.incidents": lambda c: c.get("/api/v1/incidents"),
    "api.incident": lambda c: c.get(f"/api/v1/incidents/{c.an_incident}"),
    "api.create_incident": lambda c: c.post(
        "/api/v1/incidents", {"vendor_id": c.a_vendor, "title": "委託先PCの紛失", "kind": "loss"}),
    "api.disposals": lambda c: c.get("/api/v1/disposals"),
    "api.disposal": lambda c: c.get(f"/api/v1/disposals/{c.a_disposal}"),
    "api.confirm_disposal": lambda c: c.change(
        "POST", f"/api/v1/disposals/{c.a_certified_disposal}/confirmation", {"note": "証明書を確認した"},
        read=f"/api/v1/disposals/{c.a_certified_disposal}"),
    "api.audits": lambda c: c.get("/api/v1/audits"),
    "api.audit": lambda c: c.get(f"/api/v1/audits/{c.an_audit['audit']}"),
    "api.create_audit": lambda c: c.post(
        "/api/v1/audits", {"vendor_id": c.a_vendor, "planned_on": "2027-01-15", "auditor_ids": [c.me]}),
    "api.findings": lambda c: c.get("/api/v1/findings"),
    "api.finding": lambda c: c.get(f"/api/v1/findings/{c.an_audit['finding']}"),
    "api.create_finding": lambda c: c.post(
        f"/api/v1/audits/{c.an_audit['audit']}/findings", {**FINDING, "item_code": "A01"}),
    "api.record_finding_response": lambda c: c.change(
        "PUT", f"/api/v1/findings/{c.an_audit['finding']}/response",
        {"plan_text": "入退室記録の様式を改め、全員に再教育する", "received_on": "2026-11-20"},
        read=f"/api/v1/findings/{c.an_audit['finding']}"),
    "api.sign_off_audit": lambda c: c.change(
        "POST", f"/api/v1/audits/{c.a_submitted_audit['audit']}/sign-off", {"decision": "sign_off"},
        read=f"/api/v1/audits/{c.a_submitted_audit['audit']}"),
    "api.subcontracts": lambda c: c.get("/api/v1/subcontracts"),
    "api.subcontract": lambda c: c.get(f"/api/v1/subcontracts/{c.a_subcontract['first']}"),
    "api.consent": lambda c: c.get(f"/api/v1/consents/{c.a_subcontract['consent']}"),
    "api.request_consent": lambda c: c.post(
        f"/api/v1/subcontracts/{c.a_consent['node']}/consents",
        {**CONSENT_REQUEST, "evaluation_id": c.a_consent["evaluation"]}),
    "api.review_consent": lambda c: c.change(
        "POST", f"/api/v1/consents/{c.a_consent['requested']}/review", {"recommendation": "approve"},
        read=f"/api/v1/consents/{c.a_consent['requested']}"),
    "api.decide_consent": lambda c: c.change(
        "POST", f"/api/v1/consents/{c.a_consent['reviewed']}/decision",
        {"decision": "approve", "expires_on": "2027-09-30", "conditions": "年1回の報告"},
        read=f"/api/v1/consents/{c.a_consent['reviewed']}"),
    "api.evaluations": lambda c: c.get("/api/v1/evaluations"),
    "api.evaluation": lambda c: c.get(f"/api/v1/evaluations/{c.an_evaluation}"),
    "api.decide_evaluation": lambda c: c.change(
        "POST", f"/api/v1/evaluations/{c.an_evaluation}/decision", {"decision": "return", "note": "証跡が不足"},
        read=f"/api/v1/evaluations/{c.an_evaluation}"),
    "api.reminders": lambda c: c.get("/api/v1/reminders"),
}


# The other requests of an operation whose field's values mirror different page steps (``access.mirrors``):
# one per value.
VARIANTS: dict[str, dict[str, Callable[[Caller], object]]] = {
    "api.decide_contract": {
        "approve": lambda c: c.change(
            "POST", f"/api/v1/contracts/{c.a_cleared_contract['contract']}/decision", {"decision": "approve"},
            read=f"/api/v1/contracts/{c.a_cleared_contract['contract']}"),
        "return": OPERATIONS["api.decide_contract"],
    },
    "api.decide_evaluation": {
        "confirm": lambda c: c.change(
            "POST", f"/api/v1/evaluations/{c.an_evaluation}/decision", {"decision": "confirm", "note": "問題なし"},
            read=f"/api/v1/evaluations/{c.an_evaluation}"),
        "return": OPERATIONS["api.decide_evaluation"],
    },
}
STEP_UP_DETAIL = (  # in Japanese, the API's default language
    "この判断には認証アプリの新しいコードが必要ですが、APIトークンではコードを確認できません。"
    "画面で判断してください。"
)


def _page_steps_in_row(endpoint: str) -> set[str]:
    """The page endpoints of the matrix row an API operation sits in."""
    return {name for name in ACTION_OF[endpoint].endpoints if not name.startswith("api.")}


def _asks_for_step_up(page_endpoint: str) -> bool:
    return asks_for_step_up(APP.view_functions[page_endpoint])


def _always_refused(endpoint: str) -> bool:
    """Every page step the operation mirrors asks for a new code."""
    declared = page_steps(APP.view_functions[endpoint])
    return bool(declared) and all(_asks_for_step_up(page) for page in declared.values())


def test_every_api_operation_is_in_the_matrix_and_has_a_request():
    operations = {endpoint for endpoint in APP.view_functions if endpoint.startswith("api.")}
    assert operations - {"api.openapi", "api.docs"} == set(API_ENDPOINTS)
    assert set(OPERATIONS) == set(API_ENDPOINTS)


@pytest.fixture
def caller(client, request, make_token) -> Callable[..., Caller]:
    """``caller(*roles)``: a user holding ``roles`` with a read-write token, ready to call the API."""

    def make(*roles: str) -> Caller:
        holder = make_token(*roles, scope="write")
        return Caller(client, holder.headers, holder.user.id, request)

    return make


def _last_refusal(app):
    with app.app_context():
        return db.session.scalar(
            db.select(ActivityLog).where(ActivityLog.action == "auth.forbidden").order_by(ActivityLog.id.desc())
        )


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("endpoint", API_ENDPOINTS)
def test_each_role_gets_what_the_matrix_says(app, caller, endpoint, role):
    as_role = caller(role)
    action = ACTION_OF[endpoint]
    response = OPERATIONS[endpoint](as_role)
    what = f"{role} {endpoint} ({action.id}): {response.status_code} {response.get_data(as_text=True)[:200]}"
    if role in action.roles and _always_refused(endpoint):
        assert response.status_code == 403 and response.get_json()["detail"] == STEP_UP_DETAIL, what
        return
    if role in action.roles:
        assert response.status_code in (200, 201, 204), what
        return
    assert response.status_code == 403, what
    assert response.mimetype == "application/problem+json"
    refusal = _last_refusal(app)
    assert refusal is not None and refusal.actor_id == as_role.me, "a refusal is written to the activity log"


# --- step-up: a page step that asks for a new second-factor code is refused through the API -------------

def test_the_step_up_mark_is_found_on_the_page_views():
    """The mark ``step_up_required`` leaves survives the decorators above it, and only its views carry it."""
    marked = {endpoint for endpoint in APP.view_functions if _asks_for_step_up(endpoint)}
    assert {"contracts.approve", "disposals.confirm", "evaluations.approve", "subcontracts.decide",
            "subcontracts.revoke", "admin.settings", "auth.tokens"} <= marked
    assert not marked & {"contracts.return_to_procurement", "evaluations.return_to_procurement",
                         "subcontracts.review", "audits.sign_off", "disposals.detail"}


@pytest.mark.parametrize("endpoint", API_ENDPOINTS)
def test_an_operation_is_refused_exactly_when_its_page_step_asks_for_a_new_code(app, caller, endpoint):
    """The page steps of the operation's row in docs/permissions.md that ask for a new code are each mirrored
    by a declared request of the operation (``access.mirrors``); a request mirroring one is refused (403, the
    step-up detail, logged) before ``If-Match`` is looked at, and changes nothing; every other request is
    carried out."""
    row, declared = _page_steps_in_row(endpoint), page_steps(APP.view_functions[endpoint])
    stepped = {page for page in row if _asks_for_step_up(page)}
    assert set(declared.values()) <= row, f"{endpoint} mirrors page steps of its own row: {declared}"
    assert stepped <= set(declared.values()), (
        f"{endpoint}: {sorted(stepped)} in its row ask for a new code; declare with access.mirrors which page "
        "step each of its requests mirrors")
    if not declared:
        return  # nothing in its row asks for a new code; the matrix test sees it carried out
    requests = VARIANTS.get(endpoint, {"": OPERATIONS[endpoint]})
    assert set(requests) == set(declared), f"one request per declared value: {sorted(declared)}"
    as_allowed = caller(*ACTION_OF[endpoint].roles)
    # the refused requests first: they must leave the record as the next request finds it
    for value in sorted(requests, key=lambda value: declared[value] not in stepped):
        what = f"{endpoint} {value!r} ({declared[value]})"
        if declared[value] not in stepped:
            response = requests[value](as_allowed)
            assert response.status_code in (200, 201, 204), f"{what}: {response.get_data(as_text=True)[:300]}"
            continue
        as_allowed.if_match = False
        unmatched = requests[value](as_allowed)
        as_allowed.if_match = True
        assert unmatched.status_code == 403, f"{what}: refused before If-Match is looked at (not 428)"
        response = requests[value](as_allowed)
        assert response.status_code == 403 and response.mimetype == "application/problem+json", what
        assert response.get_json()["detail"] == STEP_UP_DETAIL, what
        refusal = _last_refusal(app)
        assert refusal is not None and refusal.actor_id == as_allowed.me, "the refusal is in the activity log"
        assert refusal.summary.startswith("POST /api/v1/")
        read, etag = as_allowed.read_etag
        assert as_allowed.get(read).headers["ETag"] == etag, f"{what}: nothing changed"


# --- decisions: the API refuses whom the page's predicate refuses, with the predicate's reason ----------

def _consent_refusal(user: User, record_id: int):
    return subcontract_permissions.decide_refusal(user, db.session.get(SubcontractConsent, record_id))


def _disposal_refusal(user: User, record_id: int):
    return disposal_permissions.confirm_refusal(user, db.session.get(DisposalItem, record_id))


def _evaluation_refusal(user: User, record_id: int):
    return evaluation_permissions.decide_refusal(user, db.session.get(Evaluation, record_id))


def _person_who_took_part(value, record_id: int, part: str) -> int:
    if part == "recorder":
        return db.session.get(DisposalItem, record_id).recorded_by_id
    if part == "submitter":
        return db.session.get(Evaluation, record_id).submitted_by_id
    return value[part]


def _audit_refusal(user: User, record_id: int):
    return audit_permissions.signoff_refusal(user, db.session.get(Audit, record_id))


def _contract_refusal(user: User, record_id: int):
    contract = db.session.get(Contract, record_id)
    return contract_permissions.approve_refusal(user, contract, review_rules.latest_round(contract))


DECISIONS = {
    # endpoint: (the fixture of the record and its key, the predicate's refusal, the person who took part);
    # the operations the API refuses to everyone (step-up) are tried on their page instead
    "api.decide_consent": (("a_consent", "reviewed"), _consent_refusal, "requester"),
    "api.decide_consent/reviewer": (("a_consent", "reviewed"), _consent_refusal, "reviewer"),
    "api.confirm_disposal": (("a_certified_disposal", None), _disposal_refusal, "recorder"),
    "api.decide_evaluation": (("an_evaluation", None), _evaluation_refusal, "submitter"),
    "api.sign_off_audit": (("a_submitted_audit", "audit"), _audit_refusal, "auditor"),
    "api.decide_contract": (("a_cleared_contract", "contract"), _contract_refusal, "drafter"),
    "api.decide_contract/reviewer": (("a_cleared_contract", "contract"), _contract_refusal, "reviewer"),
}


@pytest.mark.parametrize("case", sorted(DECISIONS))
def test_who_took_part_is_refused_as_the_predicate_refuses(app, client, request, make_token, login, case):
    """A manager who also requested or reviewed the consent (or recorded the certificate, or submitted the
    evaluation it returns, or recorded the audit, or drafted or reviewed the contract it returns) holds the
    role the matrix allows, yet the separation-of-duty predicate refuses them: so does the API, with its
    words; or, where the API refuses everyone (the page asks for a new code), so does the page."""
    (fixture, key), refusal_of, part = DECISIONS[case]
    value = request.getfixturevalue(fixture)
    record_id = value[key] if key else value
    with app.app_context():
        person_id = _person_who_took_part(value, record_id, part)
        person = db.session.get(User, person_id)
        if not person.has_role("manager"):
            person.role_links.append(UserRole(role="manager"))  # now also a manager, as the matrix allows
        db.session.commit()
        expected = refusal_of(db.session.get(User, person_id), record_id)
        assert expected is not None, "the predicate refuses the person who took part"
        expected = str(expected)  # in Japanese, the API's default language as the pages'
    endpoint = case.split("/")[0]
    if _always_refused(endpoint):
        _refused_on_the_page(app, client, login, endpoint, person_id, record_id, expected)
        return
    holder = make_token(user=UserInfo(person_id, "", "", ("manager",)))
    response = OPERATIONS[endpoint](Caller(client, holder.headers, person_id, request))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["detail"] == expected


# The page step and its form, for the operations the API refuses to everyone.
PAGE_FORMS = {
    "api.decide_consent": ("subcontracts.decide", "consent_id", SubcontractConsent,
                           {"decision": "approve", "expires_on": "2027-09-30", "conditions": "年1回の報告"}),
    "api.confirm_disposal": ("disposals.confirm", "item_id", DisposalItem, {"note": "証明書を確認した"}),
}


def _refused_on_the_page(app, client, login, endpoint, person_id, record_id, expected):
    page, key, model, data = PAGE_FORMS[endpoint]
    with app.app_context():
        person = db.session.get(User, person_id)
        auth_services.set_password(person, TEST_PASSWORD, actor=person, now=utcnow())
        db.session.commit()
        login(UserInfo(person_id, person.email, TEST_PASSWORD, ("manager",)))
        version = db.session.get(model, record_id).version
        with app.test_request_context():
            path = url_for(page, **{key: record_id})
    response = client.post(path, data={**data, "version": version})
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert str(escape(expected)) in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(model, record_id).version == version, "nothing changed"
