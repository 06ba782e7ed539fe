"""Return/deletion pages: the list, the certificate form, the confirmation, per role."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from oversight.auth.roles import ALL_ROLES
from oversight.core.timeutil import local_today
from oversight.disposals import services as disposal_services
from oversight.disposals.models import DisposalItem
from oversight.evidence import services as evidence_services
from oversight.extensions import db
from tests.contracts.helpers import PDF_BYTES, people, signed, user
from tests.uploads import docx_bytes, xlsx_bytes, zip_bomb_docx

CERTIFICATE = {
    "method": "destruction",
    "method_detail": "HDD 物理破壊",
    "certificate_number": "CERT-9",
    "data_items": "年末調整データ",
    "media": "HDD",
    "media_quantity": "2",
    "responsible_person": "山田 部長",
    "operator": "",
    "witness": "当社 総務 鈴木",
    "location": "委託先本社",
    "covers_backups": "y",
    "backup_note": "",
    "irrecoverable": "y",
    "irrecoverable_statement": "復元不可能",
}


@pytest.fixture
def item_id(app):
    with app.app_context():
        procurement, legal, manager = people()
        today = local_today()
        contract = signed(
            procurement, legal, manager, start_on=today - timedelta(days=400), end_on=today - timedelta(days=40)
        )
        disposal_services.close_ended_contracts(today)
        item = disposal_services.items_of_contract(contract)[0]
        db.session.commit()
        return item.id


def _item(app, item_id) -> DisposalItem:
    with app.app_context():
        item = db.session.get(DisposalItem, item_id)
        db.session.expunge(item)
        return item


def _post_certificate(client, app, item_id, **changes):
    data = {
        **CERTIFICATE,
        "completed_on": local_today().isoformat(),
        "version": _item(app, item_id).version,
        "file": (io.BytesIO(PDF_BYTES), "削除証明書.pdf"),
        **changes,
    }
    return client.post(f"/disposals/{item_id}/certificate", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("role", ALL_ROLES)
def test_everyone_reads_the_list_and_the_item(client, login_as, item_id, role):
    login_as(role)
    page = client.get("/disposals/")
    assert page.status_code == 200 and 'data-testid="disposal-row"' in page.get_data(as_text=True)
    assert client.get(f"/disposals/{item_id}").status_code == 200


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_procurement_and_admin_record_certificates(client, login_as, app, item_id, role):
    login_as(role)
    response = _post_certificate(client, app, item_id)
    assert response.status_code == (302 if role in ("procurement", "admin") else 403)


def test_certificate_errors_keep_what_was_typed(client, login_as, app, item_id):
    login_as("procurement")
    response = _post_certificate(client, app, item_id, irrecoverable="", data_items="入力済みの対象データ")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "入力済みの対象データ" in page and "is-invalid" in page
    response = _post_certificate(client, app, item_id, data_items="個人番号 123456789018 を含む")
    assert response.status_code == 400 and 'data-testid="my-number-warning"' in response.get_data(as_text=True)
    future = (local_today() + timedelta(days=2)).isoformat()
    response = _post_certificate(client, app, item_id, completed_on=future)
    assert response.status_code == 400 and "入力済み" not in response.get_data(as_text=True)
    assert _item(app, item_id).recorded_at is None


def test_a_certificate_file_holding_a_my_number_is_not_stored_unconfirmed(client, login_as, app, item_id):
    login_as("procurement")
    certificate = docx_bytes("削除証明書", "対象者 山田太郎 個人番号 1234 5678 9018")
    response = _post_certificate(client, app, item_id, file=(io.BytesIO(certificate), "削除証明書.docx"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'data-testid="my-number-warning"' in page and "個人番号" in page
    with app.app_context():
        assert not evidence_services.files_for("disposal", item_id)
    assert _item(app, item_id).recorded_at is None
    spreadsheet = xlsx_bytes(["氏名", "番号"], ["山田", 123456789018])
    response = _post_certificate(client, app, item_id, file=(io.BytesIO(spreadsheet), "消去対象.xlsx"))
    assert response.status_code == 400 and 'data-testid="my-number-warning"' in response.get_data(as_text=True)
    response = _post_certificate(
        client, app, item_id, file=(io.BytesIO(zip_bomb_docx(inflated_mb=100)), "bomb.docx")
    )
    assert response.status_code == 400 and "展開後の内容が上限を超えています" in response.get_data(as_text=True)
    response = _post_certificate(
        client, app, item_id, file=(io.BytesIO(certificate), "削除証明書.docx"), confirm_not_my_number="y"
    )
    assert response.status_code == 302
    with app.app_context():
        assert [f.original_filename for f in evidence_services.files_for("disposal", item_id)] == ["削除証明書.docx"]
        # No description in the uploader's language ("Certificate"): the page's heading names it (issue #18).
        assert [f.description for f in evidence_services.files_for("disposal", item_id)] == [""]


def test_a_manager_confirms_a_recorded_certificate(client, login_as, app, item_id):
    login_as("procurement")
    assert _post_certificate(client, app, item_id).status_code == 302
    client.post("/auth/logout")
    login_as("viewer")
    assert client.post(f"/disposals/{item_id}/confirm", data={}).status_code == 403
    client.post("/auth/logout")
    login_as("manager")
    page = client.get(f"/disposals/{item_id}").get_data(as_text=True)
    assert "削除証明書.pdf" in page and 'data-testid="confirm-disposal"' in page
    response = client.post(
        f"/disposals/{item_id}/confirm", data={"note": "確認", "version": _item(app, item_id).version}
    )
    assert response.status_code == 302
    item = _item(app, item_id)
    assert item.confirmed_at is not None
    with app.app_context():
        assert db.session.get(DisposalItem, item_id).contract.status == "disposed"


def test_confirming_without_a_certificate_is_refused(client, login_as, app, item_id):
    login_as("manager")
    response = client.post(f"/disposals/{item_id}/confirm", data={"note": "", "version": _item(app, item_id).version})
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["certificate", "confirm", "return"])
def test_garbage_posts_never_500(client, login_as, item_id, path):
    login_as(*ALL_ROLES)
    response = client.post(
        f"/disposals/{item_id}/{path}",
        data={"version": "x", "completed_on": "2026-99-99", "media_quantity": "many", "method": "??"},
    )
    assert response.status_code < 500


def test_list_filters(client, login_as, item_id):
    login_as("viewer")
    for state in ("overdue", "open", "certified", "confirmed", "bogus"):
        assert client.get("/disposals/", query_string={"state": state}).status_code == 200
    page = client.get("/disposals/", query_string={"state": "confirmed"}).get_data(as_text=True)
    assert 'data-testid="disposal-row"' not in page
    page = client.get("/disposals/", query_string={"state": "overdue"}).get_data(as_text=True)
    assert 'data-testid="disposal-row"' in page


def _ended_contracts(app, count: int) -> None:
    with app.app_context():
        procurement, legal, manager = (
            user("procurement", email=f"p{count}@example.org"),
            user("legal", email=f"l{count}@example.org"),
            user("manager", email=f"m{count}@example.org"),
        )
        today = local_today()
        for _ in range(count):
            signed(procurement, legal, manager, start_on=today - timedelta(days=400), end_on=today - timedelta(days=10))
        disposal_services.close_ended_contracts(today)
        db.session.commit()


def test_the_list_runs_a_constant_number_of_queries(client, login_as, app, count_queries):
    login_as("viewer")
    _ended_contracts(app, 2)
    with count_queries() as small:
        assert client.get("/disposals/").status_code == 200
    _ended_contracts(app, 8)
    with count_queries() as large:
        assert client.get("/disposals/").status_code == 200
    assert small.count == large.count


def test_a_manager_returns_a_certificate_and_procurement_records_it_again(client, login_as, app, item_id):
    """差戻し of a deletion certificate: with a reason, logged; procurement sees it and uploads again."""
    from oversight.activity.models import ActivityLog

    login_as("procurement")
    assert _post_certificate(client, app, item_id).status_code == 302
    client.post("/auth/logout")
    login_as("manager")
    assert 'data-testid="return-certificate"' in client.get(f"/disposals/{item_id}").get_data(as_text=True)
    version = _item(app, item_id).version
    response = client.post(f"/disposals/{item_id}/return", data={"note": "", "version": version})
    assert response.status_code == 400 and "is-invalid" in response.get_data(as_text=True)
    response = client.post(
        f"/disposals/{item_id}/return", data={"note": "立会者の署名がありません", "version": version}
    )
    assert response.status_code == 302
    item = _item(app, item_id)
    assert item.recorded_at is None and item.returned_at is not None and item.return_note == "立会者の署名がありません"
    assert item.state == "returned"
    with app.app_context():
        entry = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "disposal.return"))
        assert entry is not None and "立会者の署名がありません" in entry.summary
    page = client.get(f"/disposals/{item_id}").get_data(as_text=True)
    assert 'data-testid="confirm-disposal"' not in page and 'data-testid="return-certificate"' not in page
    client.post("/auth/logout")

    login_as("procurement")
    page = client.get(f"/disposals/{item_id}").get_data(as_text=True)
    assert 'data-testid="certificate-returned"' in page and "立会者の署名がありません" in page
    assert 'data-testid="certificate-form"' in page
    response = _post_certificate(client, app, item_id, file=(io.BytesIO(b""), ""))
    assert response.status_code == 400 and "修正した証明書" in response.get_data(as_text=True)
    assert (
        _post_certificate(client, app, item_id, file=(io.BytesIO(PDF_BYTES), "削除証明書-修正.pdf")).status_code == 302
    )
    item = _item(app, item_id)
    assert item.recorded_at is not None and item.state == "certified"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_managers_return_certificates(client, login_as, app, item_id, role):
    login_as(role)
    response = client.post(
        f"/disposals/{item_id}/return", data={"note": "理由", "version": _item(app, item_id).version}
    )
    # nothing recorded yet: a manager is refused with a message, everyone else with 403
    assert response.status_code == (400 if role == "manager" else 403)


def test_the_manager_who_recorded_the_certificate_cannot_return_it(client, login_as, app, item_id):
    login_as("procurement", "manager")
    assert _post_certificate(client, app, item_id).status_code == 302
    response = client.post(
        f"/disposals/{item_id}/return", data={"note": "理由", "version": _item(app, item_id).version}
    )
    assert response.status_code == 400
    assert _item(app, item_id).recorded_at is not None
