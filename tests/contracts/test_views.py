"""Contract pages: who may do what, the workflow through the forms, bad input, exports, query counts."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from oversight.auth.roles import ALL_ROLES
from oversight.contracts import review as review_rules
from oversight.contracts import services as contract_services
from oversight.contracts.models import Contract
from oversight.core.timeutil import local_today
from oversight.extensions import db
from tests.contracts.helpers import (
    NOW,
    PDF_BYTES,
    approve_selection,
    cleared,
    drafted,
    judge_all,
    people,
    signed,
    submitted,
    user,
)
from tests.uploads import pdf_bytes
from tests.vendors.factories import create_vendor

FORM = {
    "number": "CT-VIEW-1",
    "title": "年末調整業務委託",
    "contract_type": "individual",
    "scope": "年末調整",
    "data_scope": "従業員の氏名、扶養親族",
    "start_on": "2026-04-01",
    "end_on": "2027-03-31",
    "incident_notice_hours": "24",
    "end_handling": "delete",
    "disposal_days": "30",
}


@pytest.fixture
def vendor_id(app):
    with app.app_context():
        vendor = create_vendor()
        db.session.commit()
        return vendor.id


@pytest.fixture
def contract_in(app):
    """``contract_in(state)``: a contract id in draft / in_review / cleared / signed, made by other people."""

    def make(state: str) -> int:
        with app.app_context():
            procurement = user("procurement", email=f"p-{state}@example.org")
            legal = user("legal", email=f"l-{state}@example.org")
            manager = user("manager", email=f"m-{state}@example.org")
            if state == "draft":
                contract = drafted(actor=procurement)
            elif state == "in_review":
                contract = submitted(procurement)
            elif state == "cleared":
                contract = cleared(procurement, legal)
                approve_selection(contract.vendor, valid_until=local_today() + timedelta(days=200))
            else:
                contract = signed(procurement, legal, manager, end_on=local_today() + timedelta(days=400))
            db.session.commit()
            return contract.id

    return make


def relogin(client, login_as, *roles):
    """Sign out, then in as a new user with ``roles``."""
    client.post("/auth/logout")
    return login_as(*roles)


def _contract(app, contract_id) -> Contract:
    with app.app_context():
        contract = db.session.get(Contract, contract_id)
        db.session.expunge(contract)
        return contract


@pytest.mark.parametrize("role", ALL_ROLES)
def test_everyone_reads_the_list_and_the_detail(client, login_as, contract_in, role):
    contract_id = contract_in("signed")
    login_as(role)
    assert client.get("/contracts/").status_code == 200
    page = client.get(f"/contracts/{contract_id}")
    assert page.status_code == 200
    assert 'data-testid="clause-table"' in page.get_data(as_text=True)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_procurement_and_admin_draft(client, login_as, vendor_id, role):
    login_as(role)
    response = client.get(f"/contracts/new/{vendor_id}")
    assert response.status_code == (200 if role in ("procurement", "admin") else 403)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_legal_and_managers_see_the_worklist(client, login_as, role):
    login_as(role)
    assert client.get("/contracts/worklist").status_code == (200 if role in ("legal", "manager") else 403)


def test_procurement_drafts_and_submits(client, login_as, app, vendor_id):
    login_as("procurement")
    response = client.post(f"/contracts/new/{vendor_id}", data=FORM)
    assert response.status_code == 302
    with app.app_context():
        contract = db.session.scalar(db.select(Contract).where(Contract.number == "CT-VIEW-1"))
        contract_id, version = contract.id, contract.version
        assert contract.contract_type == "individual" and contract.status == "draft"
    response = client.post(f"/contracts/{contract_id}/edit", data={**FORM, "title": "変更後", "version": version})
    assert response.status_code == 302
    response = client.post(
        f"/contracts/{contract_id}/submit", data={"note": "確認お願いします", "version": version + 1}
    )
    assert response.status_code == 302
    assert _contract(app, contract_id).status == "in_review"
    page = client.get(f"/contracts/{contract_id}").get_data(as_text=True)
    assert "確認お願いします" in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end_on": "2026-03-01"}, "end_on"),
        ({"start_on": "2026-02-30"}, "start_on"),
        ({"disposal_days": "-1"}, "disposal_days"),
        ({"title": ""}, "title"),
        ({"auto_renewal": "y", "notice_days": ""}, "notice_days"),
    ],
    ids=["end before start", "impossible date", "negative days", "no title", "renewal without notice"],
)
def test_bad_input_keeps_what_was_typed(client, login_as, vendor_id, changes, field):
    login_as("procurement")
    response = client.post(f"/contracts/new/{vendor_id}", data={**FORM, **changes, "scope": "入力した範囲の説明"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "is-invalid" in page and "入力した範囲の説明" in page


def test_a_duplicate_number_is_an_error_on_the_field(client, login_as, app, vendor_id):
    login_as("procurement")
    assert client.post(f"/contracts/new/{vendor_id}", data=FORM).status_code == 302
    response = client.post(f"/contracts/new/{vendor_id}", data=FORM)
    assert response.status_code == 200
    assert "is-invalid" in response.get_data(as_text=True)


def test_my_number_in_free_text_is_caught(client, login_as, vendor_id):
    login_as("procurement")
    response = client.post(f"/contracts/new/{vendor_id}", data={**FORM, "data_scope": "例 1234 5678 9018"})
    assert response.status_code == 200
    assert 'data-testid="my-number-warning"' in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_legal_reviews(client, login_as, contract_in, role):
    contract_id = contract_in("in_review")
    login_as(role)
    assert client.get(f"/contracts/{contract_id}/review").status_code == (200 if role == "legal" else 403)


def test_legal_returns_then_clears_a_resubmitted_contract(client, login_as, app, contract_in):
    contract_id = contract_in("in_review")
    login_as("legal")
    with app.app_context():
        contract = db.session.get(Contract, contract_id)
        review = review_rules.latest_round(contract)
        data = {"version": review.version}
        for clause in review.results:
            data[f"result_{clause.item_id}"] = "missing" if clause.item.code == "C05" else "present"
            data[f"clause_number_{clause.item_id}"] = f"第{clause.item.position}条"
    response = client.post(f"/contracts/{contract_id}/review", data=data)
    assert response.status_code == 302
    page = client.get(f"/contracts/{contract_id}").get_data(as_text=True)
    assert "C05" in page and 'data-testid="blocking"' in page
    with app.app_context():
        version = review_rules.latest_round(db.session.get(Contract, contract_id)).version
    refused = client.post(f"/contracts/{contract_id}/review/clear", data={"comment": "", "version": version})
    assert refused.status_code == 400
    no_comment = client.post(f"/contracts/{contract_id}/review/return", data={"comment": "", "version": version})
    assert no_comment.status_code == 400
    response = client.post(
        f"/contracts/{contract_id}/review/return", data={"comment": "C05 を追加してください", "version": version}
    )
    assert response.status_code == 302
    assert _contract(app, contract_id).status == "returned"


def test_stale_review_form_is_refused_and_keeps_input(client, login_as, app, contract_in):
    contract_id = contract_in("in_review")
    login_as("legal")
    with app.app_context():
        review = review_rules.latest_round(db.session.get(Contract, contract_id))
        first = review.results[0]
        data = {"version": review.version - 1, f"quote_{first.item_id}": "古い版の引用"}
    response = client.post(f"/contracts/{contract_id}/review", data=data)
    assert response.status_code == 400
    assert "古い版の引用" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_managers_approve(client, login_as, app, contract_in, role):
    contract_id = contract_in("cleared")
    login_as(role)
    version = _contract(app, contract_id).version
    response = client.post(f"/contracts/{contract_id}/approve", data={"note": "", "version": version})
    if role == "manager":
        assert response.status_code == 302
        assert _contract(app, contract_id).status == "approved"
    else:
        assert response.status_code == 403


def test_the_legal_reviewer_cannot_approve_through_the_page(client, login, make_user, app):
    both = make_user("legal", "manager")
    with app.app_context():
        from oversight.auth.models import User

        procurement = user("procurement", email="p@example.org")
        contract = cleared(procurement, db.session.get(User, both.id))
        approve_selection(contract.vendor, valid_until=local_today() + timedelta(days=100))
        db.session.commit()
        contract_id, version = contract.id, contract.version
    login(both)
    page = client.get(f"/contracts/{contract_id}").get_data(as_text=True)
    assert 'data-testid="own-review"' in page and 'data-testid="approve-contract"' not in page
    response = client.post(f"/contracts/{contract_id}/approve", data={"note": "", "version": version})
    assert response.status_code == 400
    assert _contract(app, contract_id).status == "in_review"


def test_approval_without_a_valid_selection_is_refused_with_a_message(client, login_as, app):
    with app.app_context():
        procurement, legal, _manager = people()
        contract = cleared(procurement, legal)
        db.session.commit()
        contract_id, version = contract.id, contract.version
    login_as("manager")
    page = client.get(f"/contracts/{contract_id}").get_data(as_text=True)
    assert 'data-testid="no-selection"' in page
    response = client.post(f"/contracts/{contract_id}/approve", data={"note": "", "version": version})
    assert response.status_code == 400
    assert _contract(app, contract_id).status == "in_review"


def test_signing_uploads_the_document(client, login_as, app, contract_in):
    contract_id = contract_in("cleared")
    login_as("manager")
    client.post(f"/contracts/{contract_id}/approve", data={"note": "", "version": _contract(app, contract_id).version})
    relogin(client, login_as, "procurement")
    version = _contract(app, contract_id).version
    missing_file = client.post(
        f"/contracts/{contract_id}/sign", data={"signed_on": "2026-03-25", "kind": "signed", "version": version}
    )
    assert missing_file.status_code == 400
    bad_file = client.post(
        f"/contracts/{contract_id}/sign",
        data={
            "signed_on": "2026-03-25",
            "kind": "signed",
            "version": version,
            "file": (io.BytesIO(b"MZ\x90\x00"), "contract.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert bad_file.status_code == 400
    with_my_number = client.post(
        f"/contracts/{contract_id}/sign",
        data={
            "signed_on": "2026-03-25",
            "kind": "signed",
            "version": version,
            "file": (io.BytesIO(pdf_bytes("Signatory My Number 1234-5678-9018")), "署名済契約書.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert with_my_number.status_code == 400
    assert 'data-testid="my-number-warning"' in with_my_number.get_data(as_text=True)
    response = client.post(
        f"/contracts/{contract_id}/sign",
        data={
            "signed_on": "2026-03-25",
            "kind": "signed",
            "version": version,
            "file": (io.BytesIO(PDF_BYTES), "署名済契約書.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    contract = _contract(app, contract_id)
    assert contract.status == "signed" and contract.signed_on == date(2026, 3, 25)
    page = client.get(f"/contracts/{contract_id}").get_data(as_text=True)
    assert "署名済契約書.pdf" in page
    relogin(client, login_as, "viewer")
    page = client.get(f"/contracts/{contract_id}").get_data(as_text=True)
    assert "/evidence/" in page
    file_id = int(page.split("/evidence/")[1].split("/")[0])
    assert client.get(f"/evidence/{file_id}/download").status_code == 200


def test_amend_and_terminate_from_the_page(client, login_as, app, contract_in):
    contract_id = contract_in("signed")
    login_as("viewer")
    assert client.post(f"/contracts/{contract_id}/terminate", data={}).status_code == 403
    relogin(client, login_as, "procurement")
    version = _contract(app, contract_id).version
    assert (
        client.post(
            f"/contracts/{contract_id}/change", data={"kind": "amendment", "note": "", "version": version}
        ).status_code
        == 400
    )
    response = client.post(
        f"/contracts/{contract_id}/change", data={"kind": "renewal", "note": "1年延長", "version": version}
    )
    assert response.status_code == 302
    assert _contract(app, contract_id).status == "draft"
    relogin(client, login_as, "manager")
    version = _contract(app, contract_id).version
    future = (local_today() + timedelta(days=3)).isoformat()
    refused = client.post(
        f"/contracts/{contract_id}/terminate", data={"ended_on": future, "reason": "委託先の廃業", "version": version}
    )
    assert refused.status_code == 400 and "委託先の廃業" in refused.get_data(as_text=True)
    response = client.post(
        f"/contracts/{contract_id}/terminate",
        data={"ended_on": local_today().isoformat(), "reason": "委託先の廃業", "version": version},
    )
    assert response.status_code == 302
    contract = _contract(app, contract_id)
    assert contract.status == "ended" and contract.ended_on == local_today()
    assert "contract-disposals" in client.get(f"/contracts/{contract_id}").get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "submit",
        "review",
        "review/return",
        "review/clear",
        "approve",
        "return",
        "sign",
        "change",
        "terminate",
        "documents",
        "edit",
        "waivers/999/approve",
    ],
)
def test_garbage_posts_never_500(client, login_as, contract_in, path):
    contract_id = contract_in("in_review")
    from oversight.auth.roles import ALL_ROLES as roles

    login_as(*roles)
    response = client.post(
        f"/contracts/{contract_id}/{path}",
        data={"version": "abc", "ended_on": "x", "signed_on": "2026-13-01", "kind": "??"},
    )
    assert response.status_code < 500


def test_unknown_contract_is_404(client, login_as):
    login_as("admin")
    assert client.get("/contracts/999999").status_code == 404
    assert client.get("/contracts/new/999999").status_code == 404


def test_list_filters_sort_and_export(client, login_as, app):
    with app.app_context():
        procurement, legal, manager = people()
        soon = signed(procurement, legal, manager, end_on=local_today() + timedelta(days=20), title="まもなく終了")
        drafted(title="=HYPERLINK(1)")
        db.session.commit()
        soon_number = soon.number
    login_as("viewer")
    page = client.get("/contracts/", query_string={"ending_within": "30"}).get_data(as_text=True)
    assert soon_number in page and "HYPERLINK" not in page
    page = client.get("/contracts/", query_string={"status": "draft", "sort": "title"}).get_data(as_text=True)
    assert "HYPERLINK" in page and soon_number not in page
    csv = client.get("/contracts/export")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    text = csv.get_data().decode("utf-8-sig")
    assert soon_number in text and "'=HYPERLINK(1)" in text
    xlsx = client.get("/contracts/export", query_string={"format": "xlsx", "ending_within": "30"})
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [soon_number]


def _many(app, count: int) -> None:
    with app.app_context():
        procurement = user("procurement", email=f"many{count}@example.org")
        for _ in range(count):
            drafted(actor=procurement)
        db.session.commit()


def test_the_list_runs_a_constant_number_of_queries(client, login_as, app, count_queries):
    login_as("viewer")
    _many(app, 2)
    with count_queries() as small:
        assert client.get("/contracts/").status_code == 200
    _many(app, 15)
    with count_queries() as large:
        assert client.get("/contracts/").status_code == 200
    assert small.count == large.count


def test_a_stale_edit_is_refused_and_keeps_the_input(client, login_as, app, contract_in):
    contract_id = contract_in("draft")
    login_as("procurement")
    version = _contract(app, contract_id).version
    response = client.post(
        f"/contracts/{contract_id}/edit",
        data={**FORM, "number": "CT-STALE", "title": "古い画面からの変更", "version": version - 1},
    )
    assert response.status_code == 200
    assert "古い画面からの変更" in response.get_data(as_text=True)
    assert _contract(app, contract_id).title != "古い画面からの変更"


def test_a_contract_with_legal_cannot_be_edited(client, login_as, contract_in):
    contract_id = contract_in("in_review")
    login_as("procurement")
    response = client.get(f"/contracts/{contract_id}/edit")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/contracts/{contract_id}")


def test_a_manager_approves_a_waiver_from_the_page(client, login_as, app):
    with app.app_context():
        procurement, legal, _manager = people()
        contract = submitted(procurement)
        review = judge_all(contract, legal, C05="missing")
        clause = next(r for r in review.results if r.item.code == "C05")
        review_rules.save_results(
            contract,
            review,
            {clause.item_id: {"result": "missing", "waiver_reason": "保証書で担保"}},
            actor=legal,
            now=NOW,
        )
        db.session.commit()
        contract_id, result_id, version = contract.id, clause.id, review.version
    login_as("manager")
    page = client.get(f"/contracts/{contract_id}").get_data(as_text=True)
    assert 'data-testid="approve-waiver-C05"' in page
    response = client.post(f"/contracts/{contract_id}/waivers/{result_id}/approve", data={"version": version})
    assert response.status_code == 302
    with app.app_context():
        review = review_rules.latest_round(db.session.get(Contract, contract_id))
        assert next(r for r in review.results if r.id == result_id).is_waived
    assert (
        client.post(f"/contracts/{contract_id}/waivers/{result_id}/approve", data={"version": version + 1}).status_code
        == 400
    )


@pytest.mark.parametrize("decision", ["review/return", "review/clear"])
def test_a_review_decision_sent_twice_says_it_is_already_decided(client, login_as, app, contract_in, decision):
    contract_id = contract_in("in_review")
    login_as("legal")
    with app.app_context():
        contract = db.session.get(Contract, contract_id)
        review = review_rules.latest_round(contract)
        data = {"version": review.version}
        for clause in review.results:
            data[f"result_{clause.item_id}"] = "present"
            data[f"clause_number_{clause.item_id}"] = f"第{clause.item.position}条"
    assert client.post(f"/contracts/{contract_id}/review", data=data).status_code == 302
    with app.app_context():
        version = review_rules.latest_round(db.session.get(Contract, contract_id)).version
    form = {"comment": "C05 を確認してください", "version": version}
    assert client.post(f"/contracts/{contract_id}/{decision}", data=form).status_code == 302
    again = client.post(f"/contracts/{contract_id}/{decision}", data=form, follow_redirects=True)
    assert again.status_code == 200
    assert "この契約は法務審査待ちではありません。" in again.get_data(as_text=True)


def test_unjudged_clauses_set_to_present_keeps_what_legal_judged(client, login_as, app, contract_in):
    from oversight.activity.models import ActivityLog

    contract_id = contract_in("in_review")
    login_as("legal")
    page = client.get(f"/contracts/{contract_id}/review").get_data(as_text=True)
    assert 'data-testid="fill-conforming"' in page
    with app.app_context():
        review = review_rules.latest_round(db.session.get(Contract, contract_id))
        data = {"version": review.version, "then": "fill"}
        for clause in review.results:
            data[f"result_{clause.item_id}"] = "missing" if clause.item.code == "C05" else ""
            data[f"clause_number_{clause.item_id}"] = ""
        total = len(review.results)
    response = client.post(f"/contracts/{contract_id}/review", data=data)
    assert response.status_code == 302 and response.location.endswith(f"/contracts/{contract_id}/review")
    with app.app_context():
        contract = db.session.get(Contract, contract_id)
        review = review_rules.latest_round(contract)
        results = {clause.item.code: clause.result for clause in review.results}
        assert results["C05"] == "missing"
        assert all(result == "present" for code, result in results.items() if code != "C05")
        assert review.outcome is None and contract.status == "in_review"  # neither cleared nor returned
        assert contract.clause_gaps == 1
        entries = db.session.scalars(db.select(ActivityLog).where(ActivityLog.action == "contract.clauses_fill")).all()
        assert len(entries) == 1 and f"{total - 1}" in entries[0].summary
    page = client.get(f"/contracts/{contract_id}/review").get_data(as_text=True)
    assert 'data-testid="fill-conforming"' not in page and 'data-testid="save-clauses"' in page


def test_the_worklist_shows_a_page_of_each_list_with_its_own_page_number(client, login_as, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    with app.app_context():
        procurement, _legal, _manager = people()
        contracts = [drafted() for _ in range(3)]
        for hours, contract in enumerate(contracts):
            contract_services.submit_for_review(contract, note="", actor=procurement, now=NOW + timedelta(hours=hours))
        numbers = [contract.number for contract in contracts]
        db.session.commit()
    login_as("legal")
    first = client.get("/contracts/worklist").get_data(as_text=True)
    legal = first.split('data-testid="awaiting-legal"')[1].split("</section>")[0]
    assert numbers[0] in legal and numbers[1] in legal and numbers[2] not in legal  # oldest first, 2 a page
    assert "legal_page=2" in legal and "manager_page" not in legal
    second = client.get("/contracts/worklist?legal_page=2").get_data(as_text=True)
    legal = second.split('data-testid="awaiting-legal"')[1].split("</section>")[0]
    assert numbers[2] in legal and numbers[0] not in legal
