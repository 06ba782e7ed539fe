"""Subcontract pages: every route per role, the consent flow through forms, bad input, constant queries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oversight.auth.roles import ALL_ROLES
from oversight.contracts.models import Contract
from oversight.core.timeutil import local_today
from oversight.extensions import db
from oversight.subcontracts import services
from oversight.subcontracts.models import Subcontract, SubcontractConsent
from tests.contracts.helpers import approve_selection
from tests.subcontracts.helpers import NOW, Team
from tests.vendors.factories import create_vendor

REQUESTERS = ("procurement", "admin")


@pytest.fixture
def chain_ids(app):
    """A contract with a consented level-1 node, a level-2 node awaiting legal, a free vendor and its evaluation."""
    with app.app_context():
        team = Team(start_on=local_today() - timedelta(days=30), end_on=local_today() + timedelta(days=300))
        top = team.node()
        team.consented(top, expires_on=local_today() + timedelta(days=200))
        below = team.node(parent=top)
        pending = team.request(below)
        free = create_vendor(name="株式会社未登録再委託")
        db.session.flush()
        evaluation = approve_selection(free)
        db.session.commit()
        return {
            "contract": team.contract.id,
            "contractor": team.contractor.id,
            "top": top.id,
            "below": below.id,
            "pending": pending.id,
            "top_consent": db.session.scalar(
                db.select(SubcontractConsent.id).where(SubcontractConsent.subcontract_id == top.id)
            ),
            "free": free.id,
            "free_evaluation": evaluation.id,
        }


def _version(app, consent_id) -> int:
    with app.app_context():
        return db.session.get(SubcontractConsent, consent_id).version


@pytest.mark.parametrize("role", ALL_ROLES)
def test_everyone_reads_the_pages(client, login_as, chain_ids, role):
    login_as(role)
    for path in (
        "/subcontracts/",
        f"/subcontracts/contracts/{chain_ids['contract']}",
        f"/subcontracts/vendors/{chain_ids['contractor']}",
        f"/subcontracts/{chain_ids['below']}",
        f"/vendors/{chain_ids['contractor']}",
        "/vendors/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
    tree = client.get(f"/subcontracts/contracts/{chain_ids['contract']}").get_data(as_text=True)
    assert tree.count('data-testid="chain-node"') == 2


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_procurement_and_admin_record_and_request(client, login_as, chain_ids, role):
    login_as(role)
    expected = 200 if role in REQUESTERS else 403
    assert client.get(f"/subcontracts/contracts/{chain_ids['contract']}/new").status_code == expected
    assert client.get(f"/subcontracts/{chain_ids['top']}/consents/new").status_code == expected
    response = client.post(
        f"/subcontracts/contracts/{chain_ids['contract']}/new",
        data={
            "parent": str(chain_ids["below"]),
            "vendor": str(chain_ids["free"]),
            "scope_of_work": "封入",
            "data_scope": "氏名",
            "handling_location": "domestic",
            "stage": "planned",
        },
    )
    assert response.status_code == (302 if role in REQUESTERS else 403)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_legal_reviews(client, login_as, app, chain_ids, role):
    login_as(role)
    response = client.post(
        f"/subcontracts/consents/{chain_ids['pending']}/review",
        data={"recommendation": "approve", "note": "", "version": _version(app, chain_ids["pending"])},
    )
    assert response.status_code == (302 if role == "legal" else 403)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_managers_revoke(client, login_as, app, chain_ids, role):
    login_as(role)
    response = client.post(
        f"/subcontracts/consents/{chain_ids['top_consent']}/revoke",
        data={"reason": "監査で重大な指摘", "version": _version(app, chain_ids["top_consent"])},
    )
    assert response.status_code == (302 if role == "manager" else 403)


def test_the_whole_flow_through_the_forms(client, login_as, login, make_user, app, chain_ids):
    procurement = login_as("procurement")
    response = client.post(
        f"/subcontracts/contracts/{chain_ids['contract']}/new",
        data={
            "parent": str(chain_ids["below"]),
            "vendor": str(chain_ids["free"]),
            "scope_of_work": "封入作業",
            "data_scope": "氏名、住所",
            "handling_method": "施錠保管",
            "handling_location": "domestic",
            "stage": "planned",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        node = db.session.scalar(db.select(Subcontract).where(Subcontract.vendor_id == chain_ids["free"]))
        node_id, level = node.id, node.level
    assert level == 3
    detail = client.get(f"/subcontracts/{node_id}").get_data(as_text=True)
    assert 'data-testid="violation"' in detail
    response = client.post(
        f"/subcontracts/{node_id}/consents/new",
        data={
            "scope_of_work": "封入作業",
            "data_scope": "氏名、住所",
            "handling_location": "domestic",
            "evaluation": str(chain_ids["free_evaluation"]),
            "supervision_plan": "月次報告",
            "has_c04": "y",
            "consent_type": "per_event",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        consent_id = db.session.scalar(
            db.select(SubcontractConsent.id).where(SubcontractConsent.subcontract_id == node_id)
        )
        assert procurement.id == db.session.get(SubcontractConsent, consent_id).requested_by_id
    client.post("/auth/logout")
    login_as("legal")
    assert (
        client.post(
            f"/subcontracts/consents/{consent_id}/review",
            data={"recommendation": "approve", "note": "", "version": _version(app, consent_id)},
        ).status_code
        == 302
    )
    client.post("/auth/logout")
    login_as("manager")
    expires = (local_today() + timedelta(days=100)).isoformat()
    assert (
        client.post(
            f"/subcontracts/consents/{consent_id}/decide",
            data={
                "decision": "approve",
                "conditions": "年1回報告",
                "expires_on": expires,
                "version": _version(app, consent_id),
            },
        ).status_code
        == 302
    )
    with app.app_context():
        assert db.session.get(SubcontractConsent, consent_id).status == "approved"
    client.post("/auth/logout")
    login(procurement)
    assert (
        client.post(
            f"/subcontracts/consents/{consent_id}/notified",
            data={"notified_on": local_today().isoformat(), "note": "書面", "version": _version(app, consent_id)},
        ).status_code
        == 302
    )


def test_failed_request_keeps_what_was_typed(client, login_as, chain_ids):
    login_as("procurement")
    response = client.post(
        f"/subcontracts/{chain_ids['top']}/consents/new",
        data={
            "scope_of_work": "入力した業務内容",
            "data_scope": "入力したデータ",
            "handling_location": "domestic",
            "supervision_plan": "入力した監督計画",
            "consent_type": "advance",
            "advance_identified": "y",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "入力した業務内容" in html and "入力した監督計画" in html
    assert "事前許諾にはこの条件が必要です" in html


def test_failed_decision_keeps_the_input(client, login_as, app, chain_ids):
    with app.app_context():
        consent = db.session.get(SubcontractConsent, chain_ids["pending"])
        team = Team.of(db.session.get(Contract, chain_ids["contract"]))
        services.review(consent, recommendation="approve", note="", actor=team.legal, now=NOW)
        db.session.commit()
    login_as("manager")
    response = client.post(
        f"/subcontracts/consents/{chain_ids['pending']}/decide",
        data={
            "decision": "approve",
            "conditions": "残したい条件",
            "expires_on": "",
            "version": _version(app, chain_ids["pending"]),
        },
    )
    assert response.status_code == 400 and "残したい条件" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "decision, field, message",
    [
        ({"decision": "refuse", "reason": "  "}, "reason", "不許諾の理由を入力してください。"),
        ({"decision": "approve", "expires_on": ""}, "expires_on", "許諾の有効期限を入力してください（YYYY-MM-DD）。"),
        ({"decision": "approve", "expires_on": "2020-01-01"}, "expires_on", "今日より後の有効期限を入力してください。"),
    ],
)
def test_a_decision_shows_what_is_missing_next_to_its_field(client, login_as, app, chain_ids, decision, field, message):
    with app.app_context():
        consent = db.session.get(SubcontractConsent, chain_ids["pending"])
        team = Team.of(db.session.get(Contract, chain_ids["contract"]))
        services.review(consent, recommendation="approve", note="", actor=team.legal, now=NOW)
        db.session.commit()
    login_as("manager")
    response = client.post(
        f"/subcontracts/consents/{chain_ids['pending']}/decide",
        data={**decision, "version": _version(app, chain_ids["pending"])},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    after = page.split(f'id="decision-{field}-error"', 1)
    assert len(after) == 2 and message in after[1].split("</div></div>", 1)[0]
    with app.app_context():
        assert db.session.get(SubcontractConsent, chain_ids["pending"]).status == "reviewed"


@pytest.mark.parametrize(
    "path, data",
    [
        ("/subcontracts/contracts/{contract}/new", {"parent": "999999", "vendor": "abc"}),
        (
            "/subcontracts/contracts/{contract}/new",
            {"vendor": "{contractor}", "scope_of_work": "x", "data_scope": "y", "handling_location": "domestic"},
        ),
        (
            "/subcontracts/contracts/{contract}/new",
            {"vendor": "{free}", "scope_of_work": "x", "data_scope": "y", "handling_location": "abroad"},
        ),
        ("/subcontracts/{top}/consents/new", {"evaluation": "x", "consent_type": "nonsense"}),
        (
            "/subcontracts/{below}/consents/new",
            {
                "scope_of_work": "x",
                "data_scope": "y",
                "handling_location": "domestic",
                "supervision_plan": "z",
                "consent_type": "per_event",
            },
        ),
        ("/subcontracts/consents/{pending}/review", {"recommendation": "maybe", "version": "x"}),
        (
            "/subcontracts/consents/{pending}/decide",
            {"decision": "approve", "expires_on": "2026-99-99", "version": "1"},
        ),
        ("/subcontracts/consents/{top_consent}/revoke", {"reason": "", "version": "1"}),
        ("/subcontracts/consents/{top_consent}/notified", {"notified_on": "tomorrow", "version": "1"}),
        ("/subcontracts/consents/{pending}/evaluation", {}),
    ],
)
def test_bad_input_never_gives_a_500(client, login_as, chain_ids, path, data):
    login_as(*ALL_ROLES)
    values = {key: str(value) for key, value in chain_ids.items()}
    url = path.format(**values)
    response = client.post(url, data={key: value.format(**values) for key, value in data.items()})
    assert response.status_code in (302, 400, 409), (url, response.status_code)


def test_stale_version_is_refused(client, login_as, chain_ids):
    login_as("manager")
    response = client.post(
        f"/subcontracts/consents/{chain_ids['top_consent']}/revoke", data={"reason": "理由", "version": "0"}
    )
    assert response.status_code == 409


def test_missing_objects_are_404(client, login_as):
    login_as(*ALL_ROLES)
    for path in (
        "/subcontracts/999",
        "/subcontracts/contracts/999",
        "/subcontracts/vendors/999",
        "/subcontracts/999/consents/new",
        "/subcontracts/contracts/999/new",
    ):
        assert client.get(path).status_code == 404, path


def _grow(app, contract_id, count):
    """Add ``count`` consented nodes in a deep chain below the contract's level-2 node."""
    with app.app_context():
        team = Team.of(db.session.get(Contract, contract_id))
        parent = db.session.scalar(
            db.select(Subcontract).where(Subcontract.contract_id == contract_id, Subcontract.level == 2)
        )
        for _ in range(count):
            parent = team.node(parent=parent)
            team.consented(parent)
        db.session.commit()


@pytest.mark.parametrize(
    "page",
    [
        "contract",
        "vendor",
        "index",
        "index_search",
        "index_awaiting_legal",
        "start",
        "detail",
        "vendor_list",
        "vendor_detail",
    ],
)
def test_pages_run_a_constant_number_of_queries(client, login_as, app, chain_ids, count_queries, page):
    login_as("procurement", email="procurement-reader@example.com")
    path = {
        "contract": f"/subcontracts/contracts/{chain_ids['contract']}",
        "vendor": f"/subcontracts/vendors/{chain_ids['contractor']}",
        "index": "/subcontracts/",
        "index_search": "/subcontracts/?q=%E6%A0%AA%E5%BC%8F&scope=open",
        "index_awaiting_legal": "/subcontracts/?section=awaiting_legal",
        "start": "/subcontracts/new",
        "detail": f"/subcontracts/{chain_ids['below']}",
        "vendor_list": "/vendors/",
        "vendor_detail": f"/vendors/{chain_ids['contractor']}",
    }[page]
    _grow(app, chain_ids["contract"], 1)
    with count_queries() as small:
        assert client.get(path).status_code == 200
    _grow(app, chain_ids["contract"], 6)
    with count_queries() as large:
        assert client.get(path).status_code == 200
    assert small.count == large.count, path


def test_vendor_list_filters_by_the_subcontract_light(client, login_as, chain_ids):
    login_as("viewer")
    link = f'/vendors/{chain_ids["contractor"]}"'
    pages = {
        state: client.get(f"/vendors/?subcontract={state}").get_data(as_text=True)
        for state in ("green", "amber", "red", "grey")
    }
    assert [state for state, html in pages.items() if link in html] == ["amber"]
    assert f'/vendors/{chain_ids["free"]}"' in pages["grey"]
    assert client.get("/vendors/?subcontract=bogus").status_code == 200


def _reviewed(app, chain_ids) -> None:
    with app.app_context():
        team = Team.of(db.session.get(Contract, chain_ids["contract"]))
        consent = db.session.get(SubcontractConsent, chain_ids["pending"])
        services.review(consent, recommendation="approve", note="", actor=team.legal, now=NOW)
        db.session.commit()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_managers_decide(client, login_as, app, chain_ids, role):
    _reviewed(app, chain_ids)
    login_as(role)
    response = client.post(
        f"/subcontracts/consents/{chain_ids['pending']}/decide",
        data={"decision": "refuse", "reason": "評価不足", "version": _version(app, chain_ids["pending"])},
    )
    assert response.status_code == (302 if role == "manager" else 403)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_procurement_and_admin_record_the_notice_and_start_evaluations(client, login_as, app, chain_ids, role):
    login_as(role)
    notice = client.post(
        f"/subcontracts/consents/{chain_ids['top_consent']}/notified",
        data={"notified_on": local_today().isoformat(), "version": _version(app, chain_ids["top_consent"])},
    )
    evaluation = client.post(f"/subcontracts/consents/{chain_ids['pending']}/evaluation")
    assert notice.status_code == (302 if role in REQUESTERS else 403)
    assert evaluation.status_code == (302 if role in REQUESTERS else 403)
