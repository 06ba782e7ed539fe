import io

import pytest

from oversight.evaluations import services as evaluation_services
from oversight.evaluations.models import APPROVED, SUBMITTED, Evaluation
from oversight.extensions import db
from oversight.vendors.models import Vendor
from tests.evaluations.helpers import NOW, answer_all
from tests.vendors.factories import create_vendor

ALL_ROLES = ("admin", "procurement", "legal", "auditor", "manager", "viewer")


@pytest.fixture
def vendor_id(app):
    with app.app_context():
        vendor = create_vendor(name="株式会社さくら給与計算センター")
        db.session.commit()
        return vendor.id


def _start(app, vendor_id, submitter_id=None, *, submit=False, **overrides):
    with app.app_context():
        vendor = db.session.get(Vendor, vendor_id)
        evaluation = evaluation_services.start_evaluation(vendor, actor=None, now=NOW)
        answer_all(evaluation, **overrides)
        if submit:
            from oversight.auth.models import User

            submitter = db.session.get(User, submitter_id)
            evaluation_services.submit(evaluation, decision="approve", conditions="", note="", actor=submitter, now=NOW)
        db.session.commit()
        return evaluation.id


def _answer_form(app, evaluation_id, **changes):
    with app.app_context():
        evaluation = evaluation_services.load_evaluation(evaluation_id)
        data = {"version": str(evaluation.version)}
        for answer in evaluation.answers:
            data[f"answer_{answer.item_id}"] = changes.get(answer.item.code, answer.answer or "")
            data[f"comment_{answer.item_id}"] = answer.comment
            data[f"exception_{answer.item_id}"] = answer.exception_reason
        return data, {answer.item.code: answer.item_id for answer in evaluation.answers}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_everyone_reads_evaluations(client, login_as, app, vendor_id, role):
    evaluation_id = _start(app, vendor_id)
    login_as(role)
    assert client.get("/evaluations/").status_code == 200
    response = client.get(f"/evaluations/{evaluation_id}")
    assert response.status_code == 200
    assert "S30" in response.get_data(as_text=True)
    assert client.get(f"/vendors/{vendor_id}").status_code == 200


@pytest.mark.parametrize("role", ["legal", "auditor", "manager", "viewer"])
def test_only_procurement_and_admin_edit(client, login_as, app, vendor_id, role):
    evaluation_id = _start(app, vendor_id)
    login_as(role)
    assert client.post(f"/evaluations/start/{vendor_id}").status_code == 403
    assert client.get(f"/evaluations/{evaluation_id}/edit").status_code == 403
    assert client.post(f"/evaluations/{evaluation_id}/edit", data={}).status_code == 403
    assert client.get(f"/evaluations/{evaluation_id}/submit").status_code == 403
    assert client.post(f"/evaluations/{evaluation_id}/evidence", data={}).status_code == 403


@pytest.mark.parametrize("role", ["admin", "procurement", "legal", "auditor", "viewer"])
def test_only_managers_decide(client, login_as, make_user, app, vendor_id, role):
    submitter = make_user("procurement")
    evaluation_id = _start(app, vendor_id, submitter.id, submit=True)
    login_as(role)
    assert client.post(f"/evaluations/{evaluation_id}/approve", data={"version": "3"}).status_code == 403
    assert client.post(f"/evaluations/{evaluation_id}/return", data={"note": "x"}).status_code == 403


@pytest.mark.parametrize("role", ["procurement", "admin"])
def test_start_fill_and_submit(client, login_as, app, vendor_id, role):
    login_as(role)
    response = client.post(f"/evaluations/start/{vendor_id}")
    assert response.status_code == 302
    with app.app_context():
        evaluation_id = db.session.scalar(db.select(Evaluation.id))
        assert db.session.get(Vendor, vendor_id).status == "evaluating"
    assert client.get(f"/evaluations/{evaluation_id}/edit").status_code == 200
    data, _ = _answer_form(app, evaluation_id)
    for key in list(data):
        if key.startswith("answer_"):
            data[key] = "conforming"
    assert client.post(f"/evaluations/{evaluation_id}/edit", data=data).status_code == 302
    submit = client.post(f"/evaluations/{evaluation_id}/submit", data={"decision": "approve", "version": "2"})
    assert submit.status_code == 302, submit.get_data(as_text=True)[:2000]
    with app.app_context():
        assert db.session.get(Evaluation, evaluation_id).status == SUBMITTED


def test_second_start_is_refused_with_a_message(client, login_as, app, vendor_id):
    _start(app, vendor_id)
    login_as("procurement")
    response = client.post(f"/evaluations/start/{vendor_id}", follow_redirects=True)
    assert response.status_code == 200
    assert "alert-danger" in response.get_data(as_text=True)


def test_bad_answers_do_not_500_and_keep_input(client, login_as, app, vendor_id):
    evaluation_id = _start(app, vendor_id)
    login_as("procurement")
    data, ids = _answer_form(app, evaluation_id)
    data[f"answer_{ids['S01']}"] = "maybe"
    data[f"comment_{ids['S02']}"] = "入力した所見"
    response = client.post(f"/evaluations/{evaluation_id}/edit", data=data)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "入力した所見" in body and "is-invalid" in body


def test_stale_answer_form_is_refused(client, login_as, app, vendor_id):
    evaluation_id = _start(app, vendor_id)
    login_as("procurement")
    data, ids = _answer_form(app, evaluation_id)
    data["version"] = "1"
    data[f"comment_{ids['S03']}"] = "古いフォーム"
    response = client.post(f"/evaluations/{evaluation_id}/edit", data=data)
    assert response.status_code == 200
    assert "古いフォーム" in response.get_data(as_text=True)


def test_my_number_in_a_comment_is_caught(client, login_as, app, vendor_id):
    evaluation_id = _start(app, vendor_id)
    login_as("procurement")
    data, ids = _answer_form(app, evaluation_id)
    data[f"comment_{ids['S05']}"] = "担当者 1234 5678 9018"
    response = client.post(f"/evaluations/{evaluation_id}/edit", data=data)
    assert response.status_code == 200
    assert 'data-testid="my-number-warning"' in response.get_data(as_text=True)


def test_submit_with_blocking_item_keeps_input(client, login_as, app, vendor_id):
    evaluation_id = _start(app, vendor_id, S02="nonconforming")
    login_as("procurement")
    with app.app_context():
        version = db.session.get(Evaluation, evaluation_id).version
    response = client.post(
        f"/evaluations/{evaluation_id}/submit",
        data={"decision": "approve", "note": "承認をお願いします", "version": version},
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "S02" in body and "承認をお願いします" in body
    missing_conditions = client.post(
        f"/evaluations/{evaluation_id}/submit", data={"decision": "conditional", "conditions": "", "version": version}
    )
    assert missing_conditions.status_code == 200 and "is-invalid" in missing_conditions.get_data(as_text=True)


def test_evidence_upload_and_download(client, login_as, app, vendor_id):
    evaluation_id = _start(app, vendor_id)
    login_as("procurement")
    _, ids = _answer_form(app, evaluation_id)
    response = client.post(
        f"/evaluations/{evaluation_id}/evidence",
        data={"item_id": str(ids["S26"]), "file": (io.BytesIO(b"Pmark certificate 2026\n"), "pmark.txt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get(f"/evaluations/{evaluation_id}").get_data(as_text=True)
    assert "pmark.txt" in page
    rejected = client.post(
        f"/evaluations/{evaluation_id}/evidence",
        data={"item_id": str(ids["S26"]), "file": (io.BytesIO(b"MZ\x90\x00binary"), "tool.exe")},
        content_type="multipart/form-data",
    )
    assert rejected.status_code == 400
    assert client.post(f"/evaluations/{evaluation_id}/evidence", data={"item_id": "999999"}).status_code == 400


def test_manager_approves_and_vendor_turns_green(client, login_as, make_user, app, vendor_id):
    submitter = make_user("procurement")
    evaluation_id = _start(app, vendor_id, submitter.id, submit=True)
    login_as("manager")
    with app.app_context():
        version = db.session.get(Evaluation, evaluation_id).version
    response = client.post(f"/evaluations/{evaluation_id}/approve", data={"note": "問題なし", "version": version})
    assert response.status_code == 302
    with app.app_context():
        evaluation = db.session.get(Evaluation, evaluation_id)
        assert evaluation.status == APPROVED and evaluation.valid_until is not None
        assert db.session.get(Vendor, vendor_id).status == "selected"
    listing = client.get("/vendors/?selection=green").get_data(as_text=True)
    assert "株式会社さくら給与計算センター" in listing and 'data-state="green"' in listing
    assert "株式会社さくら給与計算センター" not in client.get("/vendors/?selection=red").get_data(as_text=True)


def test_submitting_manager_is_refused(client, make_user, login, app, vendor_id):
    both = make_user("manager", "procurement")
    evaluation_id = _start(app, vendor_id, both.id, submit=True)
    login(both)
    page = client.get(f"/evaluations/{evaluation_id}").get_data(as_text=True)
    assert 'data-testid="own-submission"' in page
    with app.app_context():
        version = db.session.get(Evaluation, evaluation_id).version
    response = client.post(f"/evaluations/{evaluation_id}/approve", data={"note": "自分で承認", "version": version})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Evaluation, evaluation_id).status == SUBMITTED


def test_return_needs_a_reason(client, login_as, make_user, app, vendor_id):
    submitter = make_user("procurement")
    evaluation_id = _start(app, vendor_id, submitter.id, submit=True)
    login_as("manager")
    with app.app_context():
        version = db.session.get(Evaluation, evaluation_id).version
    assert client.post(f"/evaluations/{evaluation_id}/return", data={"note": "", "version": version}).status_code == 400
    assert (
        client.post(f"/evaluations/{evaluation_id}/return", data={"note": "証跡不足", "version": version}).status_code
        == 302
    )


def test_unknown_evaluation_is_404(client, login_as):
    login_as("viewer")
    assert client.get("/evaluations/424242").status_code == 404


def test_vendor_list_and_detail_query_counts_are_constant(client, login_as, make_user, app, count_queries):
    submitter = make_user("procurement")
    login_as("viewer")

    def add_vendors(n):
        ids = []
        with app.app_context():
            for _ in range(n):
                vendor = create_vendor()
                db.session.commit()
                ids.append(vendor.id)
        for vendor_id in ids:
            _start(app, vendor_id, submitter.id, submit=True)
        return ids

    first = add_vendors(2)
    with count_queries() as few:
        client.get("/vendors/")
    with count_queries() as detail_few:
        client.get(f"/vendors/{first[0]}")
    add_vendors(6)
    with count_queries() as many:
        client.get("/vendors/")
    assert many.count == few.count
    with count_queries() as detail_many:
        client.get(f"/vendors/{first[0]}")
    assert detail_many.count == detail_few.count


def test_submitted_evaluation_is_read_only(client, login_as, make_user, app, vendor_id):
    submitter = make_user("procurement")
    evaluation_id = _start(app, vendor_id, submitter.id, submit=True)
    login_as("procurement")
    response = client.get(f"/evaluations/{evaluation_id}/edit")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/evaluations/{evaluation_id}")
    assert client.post(f"/evaluations/{evaluation_id}/evidence", data={}).status_code == 409
    assert (
        client.post(f"/evaluations/{evaluation_id}/submit", data={"decision": "approve", "version": "9"}).status_code
        == 200
    )


def test_stale_approval_is_refused_and_comment_kept(client, login_as, make_user, app, vendor_id):
    submitter = make_user("procurement")
    evaluation_id = _start(app, vendor_id, submitter.id, submit=True)
    login_as("manager")
    response = client.post(f"/evaluations/{evaluation_id}/approve", data={"note": "古い画面からの承認", "version": "1"})
    assert response.status_code == 409
    assert "古い画面からの承認" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Evaluation, evaluation_id).status == SUBMITTED


def test_bad_list_parameters_and_unknown_vendor(client, login_as, app, vendor_id):
    _start(app, vendor_id)
    login_as("procurement")
    for query in ["?status=bogus", "?page=abc", "?page=-1&status=draft", "?page=99999999999999999999"]:
        assert client.get("/evaluations/" + query).status_code == 200, query
    assert client.post("/evaluations/start/999999").status_code == 404


def _fresh(app, vendor_id):
    """A started evaluation with no answer yet."""
    with app.app_context():
        evaluation = evaluation_services.start_evaluation(db.session.get(Vendor, vendor_id), actor=None, now=NOW)
        db.session.commit()
        return evaluation.id


def test_rest_conforming_saves_typed_answers_and_fills_only_the_rest(client, login_as, app, vendor_id):
    from oversight.activity.models import ActivityLog

    evaluation_id = _fresh(app, vendor_id)
    login_as("procurement")
    page = client.get(f"/evaluations/{evaluation_id}/edit").get_data(as_text=True)
    assert 'data-testid="fill-conforming"' in page and "未回答をすべて適合にする" in page
    data, ids = _answer_form(app, evaluation_id, S01="nonconforming", S02="na")
    data[f"comment_{ids['S03']}"] = "入力中の所見"
    data["then"] = "fill"
    response = client.post(f"/evaluations/{evaluation_id}/edit", data=data)
    assert response.status_code == 302 and response.location.endswith(f"/evaluations/{evaluation_id}/edit")
    with app.app_context():
        evaluation = evaluation_services.load_evaluation(evaluation_id)
        answers = {answer.item.code: answer for answer in evaluation.answers}
        assert answers["S01"].answer == "nonconforming" and answers["S02"].answer == "na"
        assert answers["S03"].answer == "conforming" and answers["S03"].comment == "入力中の所見"
        assert all(answer.answer for answer in evaluation.answers)
        assert evaluation.status == "draft" and evaluation.submitted_at is None  # nothing submitted
        entries = db.session.scalars(
            db.select(ActivityLog).where(ActivityLog.action == "evaluation.answers_fill")
        ).all()
        assert len(entries) == 1 and "28" in entries[0].summary and len(entries[0].changes) == 28
    page = client.get(f"/evaluations/{evaluation_id}/edit").get_data(as_text=True)
    assert 'data-testid="fill-conforming"' not in page  # nothing left to fill
    data, ids = _answer_form(app, evaluation_id, S05="partial")  # still changeable afterwards
    assert client.post(f"/evaluations/{evaluation_id}/edit", data=data).status_code == 302
    with app.app_context():
        evaluation = evaluation_services.load_evaluation(evaluation_id)
        assert {a.item.code: a.answer for a in evaluation.answers}["S05"] == "partial"


def test_rest_conforming_label_and_stale_form(client, login_as, app, vendor_id):
    evaluation_id = _fresh(app, vendor_id)
    login_as("procurement")
    data, _ = _answer_form(app, evaluation_id, S01="conforming")
    assert client.post(f"/evaluations/{evaluation_id}/edit", data=data).status_code == 302
    page = client.get(f"/evaluations/{evaluation_id}/edit").get_data(as_text=True)
    assert "未回答をすべて適合にする" in page
    data["version"] = "1"  # opened before the save above
    data["then"] = "fill"
    response = client.post(f"/evaluations/{evaluation_id}/edit", data=data)
    assert response.status_code == 200
    with app.app_context():
        evaluation = evaluation_services.load_evaluation(evaluation_id)
        assert sum(1 for answer in evaluation.answers if answer.answer) == 1
