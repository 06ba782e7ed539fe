import pytest

from oversight.extensions import db
from oversight.vendors.models import Vendor, VendorCertification, VendorContact
from tests.markup import PAYLOAD, injected
from tests.vendors.factories import create_vendor

EDIT_ROLES = ("procurement", "admin")
READ_ONLY_ROLES = ("viewer", "manager", "legal", "auditor")


@pytest.fixture
def vendor_ids(app):
    with app.app_context():
        vendor = create_vendor(name="株式会社さくら給与計算センター", corporate_number="7123456789012")
        db.session.flush()
        contact = VendorContact(vendor_id=vendor.id, name="窓口 一郎")
        certification = VendorCertification(vendor_id=vendor.id, kind="pmark", number="10820001")
        db.session.add_all([contact, certification])
        db.session.commit()
        return {"vendor": vendor.id, "contact": contact.id, "certification": certification.id}


def _edit_pages(ids):
    v, c, k = ids["vendor"], ids["contact"], ids["certification"]
    return [
        "/vendors/new",
        f"/vendors/{v}/edit",
        f"/vendors/{v}/status",
        f"/vendors/{v}/contacts/new",
        f"/vendors/{v}/contacts/{c}/edit",
        f"/vendors/{v}/certifications/new",
        f"/vendors/{v}/certifications/{k}/edit",
    ]


def _form(**overrides):
    data = {
        "name": "株式会社ひまわり社労士事務所",
        "name_kana": "ヒマワリシャロウシジムショ",
        "corporate_number": "４０１１００１０９８９９３",
        "address": "大阪府大阪市北区1-2-3",
        "representative": "日向 葵",
        "entrusted_work": "社会保険手続",
        "data_scope": "個人番号、氏名",
        "data_subject_count": "300",
        "handling_location": "domestic",
        "handling_country": "",
        "handling_site": "own_site",
        "risk_tier": "medium",
        "is_entrustment": "yes",
        "entrustment_reason": "社労士が個人番号を扱う",
        "owner_id": "",
        "manager_id": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ["admin", "procurement", "legal", "auditor", "manager", "viewer"])
def test_everyone_reads_list_and_detail(client, login_as, vendor_ids, role):
    login_as(role)
    listing = client.get("/vendors/")
    assert listing.status_code == 200
    assert "株式会社さくら給与計算センター" in listing.get_data(as_text=True)
    detail = client.get(f"/vendors/{vendor_ids['vendor']}")
    assert detail.status_code == 200
    assert "窓口 一郎" in detail.get_data(as_text=True)


@pytest.mark.parametrize("role", EDIT_ROLES)
def test_editors_open_every_edit_page(client, login_as, vendor_ids, role):
    login_as(role)
    for path in _edit_pages(vendor_ids):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
def test_others_cannot_edit(client, login_as, vendor_ids, role):
    login_as(role)
    for path in _edit_pages(vendor_ids):
        assert client.get(path).status_code == 403, path
        assert client.post(path, data={}).status_code == 403, path
    v, c, k = vendor_ids["vendor"], vendor_ids["contact"], vendor_ids["certification"]
    assert client.post(f"/vendors/{v}/contacts/{c}/delete").status_code == 403
    assert client.post(f"/vendors/{v}/certifications/{k}/delete").status_code == 403
    assert "編集" not in client.get(f"/vendors/{v}").get_data(as_text=True)


def test_anonymous_is_sent_to_sign_in(client, vendor_ids):
    response = client.get("/vendors/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_procurement_registers_a_vendor(client, login_as, app):
    login_as("procurement")
    response = client.post("/vendors/new", data=_form())
    assert response.status_code == 302
    with app.app_context():
        vendor = db.session.scalar(db.select(Vendor))
        assert vendor.corporate_number == "4011001098993"
        assert vendor.is_entrustment is True


def test_invalid_number_keeps_what_was_typed(client, login_as):
    login_as("procurement")
    response = client.post("/vendors/new", data=_form(corporate_number="4011001098994", data_subject_count="多数"))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "4011001098994" in body
    assert "株式会社ひまわり社労士事務所" in body
    assert "社労士が個人番号を扱う" in body
    assert "is-invalid" in body


def test_duplicate_number_links_to_existing_vendor(client, login_as, vendor_ids):
    login_as("procurement")
    response = client.post("/vendors/new", data=_form(corporate_number="7123-4567-89012"))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert f'href="/vendors/{vendor_ids["vendor"]}"' in body
    assert "株式会社さくら給与計算センター" in body


def test_a_name_holding_markup_is_text_in_the_duplicate_number_message(app, client, login_as, vendor_ids):
    with app.app_context():
        db.session.get(Vendor, vendor_ids["vendor"]).name = PAYLOAD
        db.session.commit()
    login_as("procurement")
    body = client.post("/vendors/new", data=_form(corporate_number="7123-4567-89012")).get_data(as_text=True)
    assert f'href="/vendors/{vendor_ids["vendor"]}"' in body and "e.vil" in body
    assert injected(body) == []


def test_abroad_needs_a_country_and_bad_choices_do_not_500(client, login_as):
    login_as("admin")
    response = client.post("/vendors/new", data=_form(handling_location="abroad", risk_tier="extreme", owner_id="x"))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.count("invalid-feedback") == 3


def test_scoping_answer_needs_a_reason(client, login_as):
    login_as("procurement")
    response = client.post("/vendors/new", data=_form(is_entrustment="no", entrustment_reason=""))
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("invalid-feedback") == 1


def test_stale_edit_is_refused_and_input_kept(client, login_as, vendor_ids, app):
    login_as("procurement")
    path = f"/vendors/{vendor_ids['vendor']}/edit"
    response = client.post(path, data=_form(name="新しい名前", corporate_number="7123456789012", version="0"))
    assert response.status_code == 200
    assert "新しい名前" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Vendor, vendor_ids["vendor"]).name == "株式会社さくら給与計算センター"
    ok = client.post(path, data=_form(name="新しい名前", corporate_number="7123456789012", version="1"))
    assert ok.status_code == 302


def test_status_change_and_refusal(client, login_as, vendor_ids, app):
    login_as("procurement")
    path = f"/vendors/{vendor_ids['vendor']}/status"
    refused = client.post(path, data={"status": "ended", "reason": "x"})
    assert refused.status_code == 200
    assert client.post(path, data={"status": "evaluating", "reason": ""}).status_code == 200
    moved = client.post(path, data={"status": "evaluating", "reason": "評価開始"})
    assert moved.status_code == 302
    with app.app_context():
        assert db.session.get(Vendor, vendor_ids["vendor"]).status == "evaluating"


def test_contacts_and_certifications_round_trip(client, login_as, vendor_ids, app):
    login_as("procurement")
    v, c, k = vendor_ids["vendor"], vendor_ids["contact"], vendor_ids["certification"]
    assert client.post(f"/vendors/{v}/contacts/new", data={"name": "", "email": "not-an-email"}).status_code == 200
    assert (
        client.post(f"/vendors/{v}/contacts/new", data={"name": "二人目", "email": "b@example.jp"}).status_code == 302
    )
    assert client.post(f"/vendors/{v}/contacts/{c}/edit", data={"name": "改名", "version": "1"}).status_code == 302
    assert (
        client.post(f"/vendors/{v}/certifications/new", data={"kind": "isms", "expires_on": "2027-13-40"}).status_code
        == 200
    )
    assert (
        client.post(
            f"/vendors/{v}/certifications/new", data={"kind": "isms", "number": "IS 123", "expires_on": "2027-03-31"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/vendors/{v}/certifications/{k}/edit", data={"kind": "pmark", "number": "1", "version": "1"}
        ).status_code
        == 302
    )
    assert client.post(f"/vendors/{v}/certifications/{k}/delete").status_code == 302
    assert client.post(f"/vendors/{v}/contacts/{c}/delete").status_code == 302
    with app.app_context():
        assert [x.name for x in db.session.scalars(db.select(VendorContact))] == ["二人目"]
        assert [x.number for x in db.session.scalars(db.select(VendorCertification))] == ["IS 123"]


def test_child_of_another_vendor_is_404(client, login_as, vendor_ids, app):
    with app.app_context():
        other = create_vendor()
        db.session.commit()
        other_id = other.id
    login_as("procurement")
    assert client.get(f"/vendors/{other_id}/contacts/{vendor_ids['contact']}/edit").status_code == 404
    assert client.get("/vendors/999999").status_code == 404


def test_list_filters_sorts_and_survives_bad_input(client, login_as, vendor_ids):
    login_as("viewer")
    for query in [
        "?q=さくら",
        "?status=candidate&risk_tier=high",
        "?sort=risk",
        "?sort=nonsense&page=-3",
        "?status=bogus&owner=abc&selection=purple",
        "?q=7123-4567",
    ]:
        response = client.get("/vendors/" + query)
        assert response.status_code == 200, query
    assert "株式会社さくら給与計算センター" not in client.get("/vendors/?status=ended").get_data(as_text=True)


def test_list_query_count_is_constant(client, login_as, app, count_queries):
    login_as("viewer")
    with app.app_context():
        for _ in range(3):
            create_vendor()
        db.session.commit()
    with count_queries() as few:
        client.get("/vendors/")
    with app.app_context():
        for _ in range(12):
            create_vendor()
        db.session.commit()
    with count_queries() as many:
        client.get("/vendors/")
    assert many.count == few.count


def test_my_number_in_free_text_needs_confirmation(client, login_as, app):
    login_as("procurement")
    response = client.post("/vendors/new", data=_form(entrusted_work="従業員 123456789018 の給与計算"))
    assert response.status_code == 200
    assert 'data-testid="my-number-warning"' in response.get_data(as_text=True)
    confirmed = client.post(
        "/vendors/new", data=_form(entrusted_work="注文番号 123456789018 の給与計算", confirm_not_my_number="y")
    )
    assert confirmed.status_code == 302
