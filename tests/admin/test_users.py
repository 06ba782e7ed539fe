"""User administration: list, create, edit (with stale-edit protection) and bad input."""

import re

import pytest

from oversight.auth import services
from oversight.auth.models import User
from oversight.extensions import db

GOOD_PASSWORD = "plum-lantern-harbour-91"


def _user(app, user_id) -> dict:
    with app.app_context():
        user = db.session.get(User, user_id)
        return {"email": user.email, "name": user.name, "language": user.language, "roles": user.roles,
                "is_enabled": user.is_enabled, "version": user.version}


def _edit_data(**values) -> dict:
    data = {"email": "target@example.com", "name": "対象", "language": "ja", "roles": ["viewer"], "is_enabled": "y",
            "version": "1"}
    data.update(values)
    return data


def _table(client, **params) -> str:
    html = client.get("/admin/users", query_string=params).get_data(as_text=True)
    return html[html.index("<tbody>") : html.index("</tbody>")]


def test_list_search_filter_and_sort(client, login_as, make_user):
    login_as("admin", email="zz-admin@example.com", name="Zed")
    make_user("legal", email="legal.one@example.com", name="Aoki")
    make_user("viewer", email="viewer.two@example.com", name="Baba")
    html = _table(client)
    assert html.index("Aoki") < html.index("Baba") < html.index("Zed")
    html = _table(client, q="LEGAL")
    assert "Aoki" in html and "Baba" not in html
    html = _table(client, role="viewer")
    assert "Baba" in html and "Aoki" not in html
    html = _table(client, status="disabled")
    assert "Aoki" not in html
    html = _table(client, sort="email")
    assert html.index("legal.one@") < html.index("viewer.two@") < html.index("zz-admin@")
    html = _table(client, sort="email", dir="desc")  # the shared list sorting: both directions
    assert html.index("zz-admin@") < html.index("viewer.two@") < html.index("legal.one@")
    page = client.get("/admin/users", query_string={"sort": "email"}).get_data(as_text=True)
    assert 'aria-sort="ascending" data-sort-key="email"' in page and "sort=email&amp;dir=desc" in page


@pytest.mark.parametrize(
    "params",
    [{"page": "abc"}, {"page": "-5"}, {"page": "0"}, {"page": "99999999999999999999"}, {"sort": "nonsense"},
     {"sort": "password_hash"}, {"role": "superuser"}, {"status": "maybe"}, {"q": "%_'\"<script>"}, {"q": "x" * 500}],
)
def test_list_survives_bad_parameters(client, login_as, params):
    login_as("admin")
    assert client.get("/admin/users", query_string=params).status_code == 200


def test_create_user(client, login_as, app):
    login_as("admin")
    response = client.post(
        "/admin/users/new",
        data={"email": " Sato.Ken@Example.com ", "name": "佐藤 健", "language": "en", "roles": ["legal", "manager"],
              "password": GOOD_PASSWORD, "confirm_password": GOOD_PASSWORD},
    )
    assert response.status_code == 302
    with app.app_context():
        user = services.find_by_email("sato.ken@example.com")
        assert user.roles == ["legal", "manager"]
        assert user.language == "en"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"email": "not-an-email"}, "メールアドレス"),
        ({"email": "a@b@c"}, "メールアドレス"),
        ({"email": ""}, ""),
        ({"roles": []}, "役割を1つ以上"),
        ({"roles": ["superuser"]}, ""),
        ({"language": "fr"}, ""),
        ({"password": "short", "confirm_password": "short"}, "12"),
        ({"confirm_password": "something-else-entirely"}, ""),
        ({"name": "x" * 101}, ""),
        ({"name": "田中\r\nBcc: attacker@example.com"}, "改行"),  # #17 item 4: every digest to them failed
        ({"name": "田中\t太郎"}, "改行"),
    ],
)
def test_create_user_refuses_bad_input_and_keeps_what_was_typed(client, login_as, app, changes, message):
    login_as("admin")
    data = {"email": "typed@example.com", "name": "入力した名前", "language": "ja", "roles": ["viewer"],
            "password": GOOD_PASSWORD, "confirm_password": GOOD_PASSWORD}
    data.update(changes)
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert "is-invalid" in html
    if "name" not in changes:
        assert "入力した名前" in html
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_create_user_refuses_a_duplicate_email(client, login_as, make_user):
    login_as("admin")
    existing = make_user("viewer")
    response = client.post(
        "/admin/users/new",
        data={"email": existing.email.upper(), "name": "Dup", "language": "ja", "roles": ["viewer"],
              "password": GOOD_PASSWORD, "confirm_password": GOOD_PASSWORD},
    )
    assert response.status_code == 200
    assert "別のユーザーが使用しています" in response.get_data(as_text=True)


def test_edit_user(client, login_as, make_user, app):
    login_as("admin")
    target = make_user("viewer", email="target@example.com", name="対象")
    assert client.get(f"/admin/users/{target.id}/edit").status_code == 200
    response = client.post(f"/admin/users/{target.id}/edit", data=_edit_data(name="新しい名前", roles=["auditor"]))
    assert response.status_code == 302
    saved = _user(app, target.id)
    assert saved["name"] == "新しい名前"
    assert saved["roles"] == ["auditor"]
    assert saved["version"] == 2


def test_edit_user_refuses_invalid_email(client, login_as, make_user, app):
    login_as("admin")
    target = make_user("viewer", email="target@example.com", name="対象")
    response = client.post(f"/admin/users/{target.id}/edit", data=_edit_data(email="not an email"))
    assert response.status_code == 200
    assert "not an email" in response.get_data(as_text=True)
    assert _user(app, target.id)["email"] == "target@example.com"


@pytest.mark.parametrize("version", ["", "abc", "-1", "99999999999999999999"])
def test_edit_user_with_a_broken_version_is_not_saved(client, login_as, make_user, app, version):
    login_as("admin")
    target = make_user("viewer", email="target@example.com", name="対象")
    response = client.post(f"/admin/users/{target.id}/edit", data=_edit_data(name="変更", version=version))
    assert response.status_code == 200
    assert _user(app, target.id)["name"] == "対象"


def test_stale_edit_is_refused_and_keeps_the_typed_values(client, login_as, make_user, app):
    admin = login_as("admin")
    target = make_user("viewer", email="target@example.com", name="対象")
    form_page = client.get(f"/admin/users/{target.id}/edit").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in form_page
    with app.app_context():  # another administrator saves in between
        user = db.session.get(User, target.id)
        actor = db.session.get(User, admin.id)
        services.update_user(user, email=user.email, name="他の人の変更", language="ja", roles=["viewer"],
                             is_enabled=True, actor=actor)
        db.session.commit()
    response = client.post(
        f"/admin/users/{target.id}/edit",
        data=_edit_data(name="私の入力", language="en", roles=["legal", "viewer"], version="1"),
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "他の人がこの記録を保存しました" in html
    assert 'value="私の入力"' in html
    assert '<option selected value="en">' in html
    assert re.search(r'<input checked [^>]*value="legal"', html)
    assert not re.search(r'<input checked [^>]*value="auditor"', html)
    assert _user(app, target.id) == {"email": "target@example.com", "name": "他の人の変更", "language": "ja",
                                     "roles": ["viewer"], "is_enabled": True, "version": 2}


def test_a_role_only_change_also_makes_older_forms_stale(client, login_as, make_user, app):
    admin = login_as("admin")
    target = make_user("viewer", email="target@example.com", name="対象")
    with app.app_context():
        user = db.session.get(User, target.id)
        services.update_user(user, email=user.email, name=user.name, language=user.language,
                             roles=["viewer", "auditor"], is_enabled=True, actor=db.session.get(User, admin.id))
        db.session.commit()
    response = client.post(f"/admin/users/{target.id}/edit", data=_edit_data(roles=["viewer"], version="1"))
    assert response.status_code == 200
    assert _user(app, target.id)["roles"] == ["auditor", "viewer"]


def test_the_user_signing_in_meanwhile_does_not_make_the_form_stale(client, login_as, make_user, app):
    login_as("admin")
    target = make_user("viewer", email="target@example.com", name="対象")
    assert 'name="version" type="hidden" value="1"' in client.get(f"/admin/users/{target.id}/edit").get_data(
        as_text=True
    )
    other = app.test_client()
    other.post("/auth/login", data={"email": target.email, "password": "wrong-password-123"})
    assert other.post("/auth/login", data={"email": target.email, "password": target.password}).status_code == 302
    with app.app_context():
        signed_in = db.session.get(User, target.id)
        assert signed_in.last_login_at is not None and signed_in.failed_login_count == 0
    response = client.post(f"/admin/users/{target.id}/edit", data=_edit_data(name="管理者の変更", version="1"))
    assert response.status_code == 302
    assert _user(app, target.id)["name"] == "管理者の変更"


def test_edit_of_a_missing_user_is_404(client, login_as):
    login_as("admin")
    assert client.get("/admin/users/999999/edit").status_code == 404
    assert client.get("/admin/users/99999999999999999999/edit").status_code == 404
