"""Administrators manage the unit tree and the roles people hold in each unit."""

from __future__ import annotations

import re

from oversight.activity.models import ActivityLog
from oversight.auth.models import UserRole
from oversight.extensions import db
from oversight.units.models import BusinessUnit


def _unit(app, code: str) -> BusinessUnit | None:
    with app.app_context():
        unit = db.session.scalar(db.select(BusinessUnit).where(BusinessUnit.code == code))
        if unit is not None:
            db.session.expunge(unit)
        return unit


def test_create_a_unit_below_another_and_give_a_role_in_it(app, client, login_as, make_user):
    login_as("admin")
    member = make_user("viewer", name="部員")
    response = client.post("/admin/units", data={"code": "hr", "name": "人事部", "kind": "company", "parent_id": ""})
    assert response.status_code == 302
    hr = _unit(app, "hr")
    response = client.post("/admin/units", data={"code": "hr-pay", "name": "給与課", "kind": "department",
                                                 "parent_id": str(hr.id)})
    assert response.status_code == 302
    page = client.get("/admin/units").get_data(as_text=True)
    assert "人事部" in page and "給与課" in page and "unit-depth-1" in page

    response = client.post(f"/admin/units/{hr.id}/members", data={"user_id": str(member.id), "role": "manager"})
    assert response.status_code == 302
    with app.app_context():
        links = db.session.scalars(db.select(UserRole).where(UserRole.user_id == member.id)).all()
        assert sorted((link.role, link.unit_id) for link in links) == [("manager", hr.id), ("viewer", None)]
        link_id = next(link.id for link in links if link.unit_id == hr.id)
        assert db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "unit.member_add")) is not None
    assert "部員" in client.get(f"/admin/units/{hr.id}").get_data(as_text=True)

    response = client.post(f"/admin/units/{hr.id}/members/{link_id}/remove")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(UserRole, link_id) is None


def test_invalid_input_is_refused_next_to_the_field_in_japanese(app, client, login_as, make_user):
    login_as("admin")
    response = client.post("/admin/units", data={"code": "人事 部", "name": "", "kind": "company", "parent_id": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "半角英小文字・数字・ハイフン・アンダースコアで入力してください。" in page
    client.post("/admin/units", data={"code": "hr", "name": "人事部", "kind": "company", "parent_id": ""})
    again = client.post("/admin/units", data={"code": "hr", "name": "別", "kind": "company", "parent_id": ""})
    assert again.status_code == 400
    assert "このコードは別の部門で使われています。" in again.get_data(as_text=True)
    hr = _unit(app, "hr")
    member = make_user("viewer")
    refused = client.post(f"/admin/units/{hr.id}/members", data={"user_id": str(member.id), "role": "admin"})
    assert refused.status_code == 400
    assert 'aria-invalid="true"' in refused.get_data(as_text=True)


def test_a_unit_cannot_move_below_its_own_sub_unit(app, client, login_as):
    login_as("admin")
    client.post("/admin/units", data={"code": "a", "name": "A", "kind": "company", "parent_id": ""})
    a = _unit(app, "a")
    client.post("/admin/units", data={"code": "a-1", "name": "A1", "kind": "department", "parent_id": str(a.id)})
    child = _unit(app, "a-1")
    client.post("/admin/units", data={"code": "a-1-x", "name": "A1x", "kind": "department",
                                      "parent_id": str(child.id)})
    grandchild = _unit(app, "a-1-x")
    client.post("/admin/units", data={"code": "b", "name": "B", "kind": "company", "parent_id": ""})
    other = _unit(app, "b")
    # The edit form offers neither the unit itself nor any unit below it as its parent.
    form = client.get(f"/admin/units/{a.id}").get_data(as_text=True)
    offered = set(re.findall(r'<option[^>]*value="(\d+)"', form.split('name="parent_id"', 1)[1].split("</select>")[0]))
    assert offered == {str(other.id)}
    child_form = client.get(f"/admin/units/{child.id}").get_data(as_text=True)
    assert f'value="{a.id}"' in child_form.split('name="parent_id"', 1)[1].split("</select>")[0]
    response = client.post(f"/admin/units/{a.id}", data={"code": "a", "name": "A", "kind": "company",
                                                         "parent_id": str(child.id), "version": str(a.version)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "その部門自身やその配下の部門の下に置くことはできません" in page
    assert 'aria-invalid="true"' in page  # next to the field
    assert _unit(app, "a").parent_id is None
    response = client.post(f"/admin/units/{a.id}", data={"code": "a", "name": "A", "kind": "company",
                                                         "parent_id": str(grandchild.id), "version": str(a.version)})
    assert "その部門自身やその配下の部門の下に置くことはできません" in response.get_data(as_text=True)
    assert _unit(app, "a").parent_id is None
