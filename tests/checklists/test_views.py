import pytest

from oversight.activity.models import ActivityLog
from oversight.auth.roles import ALL_ROLES
from oversight.checklists import services
from oversight.checklists.models import AUDIT, CONTRACT, DRAFT, PUBLISHED, RETIRED, ChecklistItem, ChecklistTemplate
from oversight.extensions import db

NON_ADMIN_ROLES = [role for role in ALL_ROLES if role != "admin"]


@pytest.fixture
def loaded(app):
    """The shipped checklists plus one draft copy of the contract checklist: ids."""
    with app.app_context():
        services.sync_default_templates()
        published = services.current_template(CONTRACT)
        draft = services.copy_template(published, actor=None)
        db.session.commit()
        return {
            "published": published.id,
            "published_item": published.items[0].id,
            "draft": draft.id,
            "draft_item": draft.item_by_code("C09").id,
        }


def routes(ids):
    return [
        ("GET", "/admin/checklists/"),
        ("GET", f"/admin/checklists/{ids['published']}"),
        ("GET", f"/admin/checklists/{ids['draft']}/edit"),
        ("GET", f"/admin/checklists/{ids['draft']}/items/new"),
        ("GET", f"/admin/checklists/items/{ids['draft_item']}/edit"),
        ("POST", "/admin/checklists/sync"),
        ("POST", f"/admin/checklists/{ids['published']}/copy"),
        ("POST", f"/admin/checklists/items/{ids['draft_item']}/remove"),
        ("POST", f"/admin/checklists/{ids['draft']}/publish"),
        ("POST", f"/admin/checklists/{ids['draft']}/delete"),
    ]


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_non_admins_are_refused_everywhere(client, login_as, loaded, role):
    login_as(role)
    for method, url in routes(loaded):
        response = client.open(url, method=method)
        assert response.status_code == 403, (method, url)


def test_anonymous_is_sent_to_sign_in(client, loaded):
    for method, url in routes(loaded):
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], url


def test_admin_pages_render(client, login_as, loaded):
    login_as("admin")
    for _method, url in routes(loaded)[:5]:
        response = client.get(url)
        assert response.status_code == 200, url
    index = client.get("/admin/checklists/").get_data(as_text=True)
    assert "委託契約条項チェックリスト" in index and "選定" in index
    detail = client.get(f"/admin/checklists/{loaded['published']}").get_data(as_text=True)
    assert "秘密保持義務" in detail and "Confidentiality obligation" in detail


def test_admin_sees_the_nav_entry(client, login_as):
    login_as("admin")
    assert "/admin/checklists/" in client.get("/dashboard").get_data(as_text=True)


def test_sync_button_loads_the_defaults(app, client, login_as):
    login_as("admin")
    response = client.post("/admin/checklists/sync")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ChecklistTemplate.id))) == 4


def test_copy_creates_a_draft(app, client, login_as, loaded):
    login_as("admin")
    response = client.post(f"/admin/checklists/{loaded['published']}/copy")
    assert response.status_code == 302
    with app.app_context():
        drafts = db.session.scalars(
            db.select(ChecklistTemplate).where(ChecklistTemplate.kind == CONTRACT, ChecklistTemplate.status == DRAFT)
        ).all()
        assert len(drafts) == 2


def item_data(**overrides):
    data = {
        "code": "C09",
        "position": "9",
        "category_ja": "望ましい条項",
        "category_en": "Desirable clauses",
        "text_ja": "特定個人情報を取り扱う従業者を名簿で明確化する",
        "text_en": "Named staff",
        "requirement_level": "desirable",
        "requirement_note": "REC",
        "guidance_ja": "",
        "guidance_en": "",
        "source_reference": "[GL] 第4-2-⑴ 1B",
        "version": "1",
    }
    data.update(overrides)
    return data


def test_edit_draft_item(app, client, login_as, loaded):
    login_as("admin")
    response = client.post(f"/admin/checklists/items/{loaded['draft_item']}/edit", data=item_data(is_required="y"))
    assert response.status_code == 302
    with app.app_context():
        item = db.session.get(ChecklistItem, loaded["draft_item"])
        assert item.text_ja == "特定個人情報を取り扱う従業者を名簿で明確化する"
        assert item.is_required
        row = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "checklist.item_update"))
        assert row.changes["is_required"] == [False, True]


def test_item_form_validation_keeps_the_input(client, login_as, loaded):
    login_as("admin")
    response = client.post(
        f"/admin/checklists/items/{loaded['draft_item']}/edit",
        data=item_data(code="C01", text_ja="", guidance_en="my guidance", requirement_level="bogus"),
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "my guidance" in html
    assert "is-invalid" in html


def test_item_form_my_number_guard(app, client, login_as, loaded):
    login_as("admin")
    url = f"/admin/checklists/items/{loaded['draft_item']}/edit"
    response = client.post(url, data=item_data(guidance_ja="例 1234-5678-9018"))
    assert response.status_code == 200
    assert 'name="confirm_not_my_number"' in response.get_data(as_text=True)
    response = client.post(url, data=item_data(guidance_ja="例 1234-5678-9018", confirm_not_my_number="y"))
    assert response.status_code == 302


def test_stale_item_edit_is_refused_and_keeps_input(client, login_as, loaded):
    login_as("admin")
    url = f"/admin/checklists/items/{loaded['draft_item']}/edit"
    assert client.post(url, data=item_data(text_en="first")).status_code == 302
    response = client.post(url, data=item_data(text_en="second edit"))
    assert response.status_code == 200
    assert "second edit" in response.get_data(as_text=True)


def test_add_remove_and_publish(app, client, login_as, loaded):
    login_as("admin")
    response = client.post(
        f"/admin/checklists/{loaded['draft']}/items/new", data=item_data(code="C20", position="", version="")
    )
    assert response.status_code == 302
    assert client.post(f"/admin/checklists/items/{loaded['draft_item']}/remove").status_code == 302
    assert client.post(f"/admin/checklists/{loaded['draft']}/publish").status_code == 302
    with app.app_context():
        current = services.current_template(CONTRACT)
        assert current.id == loaded["draft"] and current.status == PUBLISHED
        codes = [item.code for item in current.items]
        assert codes[-1] == "C20" and "C09" not in codes
        assert db.session.get(ChecklistTemplate, loaded["published"]).status == RETIRED


def test_published_template_cannot_be_edited_through_the_ui(app, client, login_as, loaded):
    login_as("admin")
    item_url = f"/admin/checklists/items/{loaded['published_item']}/edit"
    assert client.get(item_url).status_code == 302
    assert client.post(item_url, data=item_data(code="C01", text_ja="改ざん")).status_code == 302
    assert client.post(f"/admin/checklists/items/{loaded['published_item']}/remove").status_code == 302
    assert client.post(f"/admin/checklists/{loaded['published']}/publish").status_code == 302
    assert client.post(f"/admin/checklists/{loaded['published']}/delete").status_code == 302
    assert client.get(f"/admin/checklists/{loaded['published']}/items/new").status_code == 302
    with app.app_context():
        item = db.session.get(ChecklistItem, loaded["published_item"])
        assert item.text_ja == "秘密保持義務"
        assert db.session.get(ChecklistTemplate, loaded["published"]).status == PUBLISHED


def test_edit_draft_name_and_delete_draft(app, client, login_as, loaded):
    login_as("admin")
    response = client.post(
        f"/admin/checklists/{loaded['draft']}/edit",
        data={"name_ja": "当社版 契約条項チェックリスト", "name_en": "Company clauses", "note": "", "version": "1"},
    )
    assert response.status_code == 302
    assert client.post(f"/admin/checklists/{loaded['draft']}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(ChecklistTemplate, loaded["draft"]) is None
        assert services.current_template(AUDIT) is not None


def test_index_query_count_does_not_grow_with_versions(app, client, login_as, loaded, count_queries):
    login_as("admin")
    client.get("/admin/checklists/")
    with count_queries() as few:
        client.get("/admin/checklists/")
    with app.app_context():
        for _ in range(3):
            services.copy_template(services.current_template(AUDIT), actor=None)
        db.session.commit()
    with count_queries() as more:
        client.get("/admin/checklists/")
    assert more.count == few.count


def test_english_users_see_the_english_texts(client, login_as, loaded):
    login_as("admin", language="en")
    html = client.get(f"/admin/checklists/{loaded['published']}").get_data(as_text=True)
    assert "Contract clause checklist" in html and "Mandatory clauses" in html
