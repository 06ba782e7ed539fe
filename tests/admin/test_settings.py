"""The admin settings store: defaults, typed values, the settings page and its log."""

import re

import pytest

from oversight.activity.models import ActivityLog
from oversight.admin import settings
from oversight.admin.models import Setting
from oversight.admin.settings_forms import field_name
from oversight.core.editing import StaleEditError
from oversight.extensions import db

FOUNDATION_FIELDS = {
    "evaluation__validity_months": "12",
    "audit__interval_months__high": "6",
    "audit__interval_months__medium": "12",
    "audit__interval_months__low": "24",
    "reminders__sweep_time": "08:30",
}


def _fields() -> dict[str, str]:
    """Every registered setting at its default, as the form posts it (features add their own); a
    checkbox that is off is not posted at all, as a browser does."""
    return {
        field_name(key): "y" if definition.kind == settings.BOOLEAN else str(definition.default)
        for key, definition in settings.SETTINGS.items()
        if definition.kind != settings.BOOLEAN or definition.default
    }


def _state(client) -> str:
    html = client.get("/admin/settings").get_data(as_text=True)
    return re.search(r'name="state" type="hidden" value="([^"]*)"', html).group(1)


def _post(client, state=None, **changes):
    data = _fields()
    data.update({key.replace(".", "__"): value for key, value in changes.items()})
    data["state"] = _state(client) if state is None else state
    return client.post("/admin/settings", data=data)


def _value(app, key):
    with app.app_context():
        return settings.get_setting(key)


def test_defaults_apply_when_nothing_is_stored(app_ctx):
    assert settings.get_setting("evaluation.validity_months") == 12
    assert settings.get_setting("audit.interval_months.high") == 6
    assert settings.get_setting("audit.interval_months.medium") == 12
    assert settings.get_setting("audit.interval_months.low") == 24
    assert settings.get_setting("reminders.sweep_time") == "08:30"


def test_unknown_key_is_an_error(app_ctx):
    with pytest.raises(KeyError):
        settings.get_setting("no.such.setting")


def test_register_setting_refuses_a_bad_default_or_a_conflicting_definition():
    with pytest.raises(ValueError):
        settings.register_setting("test.bad", label="Bad", kind=settings.INTEGER, default="twelve")
    with pytest.raises(ValueError):
        settings.register_setting("evaluation.validity_months", label="Other", kind=settings.INTEGER, default=3)


def test_a_feature_registers_its_own_setting(app_ctx, make_user):
    definition = settings.register_setting(
        "test.lead_days", label="Lead days", kind=settings.TEXT, default="30,7,1"
    )
    try:
        assert settings.register_setting("test.lead_days", label="Lead days", kind=settings.TEXT, default="30,7,1")
        assert settings.get_setting("test.lead_days") == "30,7,1"
        settings.save_settings({"test.lead_days": "14,3"}, actor=None, state=settings.edit_state({}))
        assert settings.get_setting("test.lead_days") == "14,3"
    finally:
        settings.SETTINGS.pop(definition.key)


def test_an_invalid_stored_value_falls_back_to_the_default(app_ctx):
    db.session.add(Setting(key="evaluation.validity_months", value="not a number"))
    db.session.commit()
    assert settings.get_setting("evaluation.validity_months") == 12


def test_page_shows_every_setting_with_its_default(client, login_as):
    login_as("admin")
    response = client.get("/admin/settings")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name, value in FOUNDATION_FIELDS.items():
        assert re.search(rf'name="{name}"[^>]*value="{value}"|value="{value}"[^>]*name="{name}"', html), name


def test_admin_changes_settings_and_each_change_is_logged(client, login_as, app):
    admin = login_as("admin")
    response = _post(client, **{"evaluation.validity_months": "18", "reminders.sweep_time": "07:45"})
    assert response.status_code == 302
    assert _value(app, "evaluation.validity_months") == 18
    assert _value(app, "reminders.sweep_time") == "07:45"
    assert _value(app, "audit.interval_months.high") == 6
    with app.app_context():
        rows = list(db.session.scalars(db.select(ActivityLog).where(ActivityLog.action == "setting.update")))
        assert {row.summary: row.changes for row in rows} == {
            "evaluation.validity_months": {"evaluation.validity_months": [12, 18]},
            "reminders.sweep_time": {"reminders.sweep_time": ["08:30", "07:45"]},
        }
        assert {row.actor_id for row in rows} == {admin.id}
        assert {row.object_type for row in rows} == {"setting"}
        stored = db.session.scalar(db.select(Setting).where(Setting.key == "evaluation.validity_months"))
        assert stored.updated_by_id == admin.id
    html = client.get("/admin/settings").get_data(as_text=True)
    assert 'value="18"' in html


def test_saving_unchanged_values_stores_and_logs_nothing(client, login_as, app):
    login_as("admin")
    assert _post(client).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Setting.id))) == 0
        assert db.session.scalar(
            db.select(db.func.count(ActivityLog.id)).where(ActivityLog.action == "setting.update")
        ) == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"evaluation.validity_months": "0"},
        {"evaluation.validity_months": "-3"},
        {"evaluation.validity_months": "abc"},
        {"evaluation.validity_months": ""},
        {"evaluation.validity_months": "99999999999999999999"},
        {"audit.interval_months.low": "1.5"},
        {"reminders.sweep_time": "25:00"},
        {"reminders.sweep_time": "8:30"},
        {"reminders.sweep_time": "<script>"},
    ],
)
def test_invalid_values_are_refused_and_kept_in_the_form(client, login_as, app, changes):
    login_as("admin")
    response = _post(client, **changes)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "is-invalid" in html
    assert "<script>" not in html.split("<main", 1)[1]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Setting.id))) == 0


def test_a_missing_field_is_refused(client, login_as, app):
    login_as("admin")
    data = dict(_fields(), state=_state(client))
    del data["audit__interval_months__low"]
    assert client.post("/admin/settings", data=data).status_code == 200
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Setting.id))) == 0


def test_stale_save_is_refused_and_keeps_the_typed_values(client, login_as, app):
    login_as("admin")
    state = _state(client)
    with app.app_context():  # another administrator saves in between
        settings.save_settings({"audit.interval_months.high": 3}, actor=None, state=settings.edit_state({}))
        db.session.commit()
    response = _post(client, state=state, **{"evaluation.validity_months": "36"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "他の人がこの記録を保存しました" in html
    assert 'value="36"' in html
    assert _value(app, "evaluation.validity_months") == 12
    assert _value(app, "audit.interval_months.high") == 3


def test_a_save_without_state_is_stale(app_ctx):
    with pytest.raises(StaleEditError):
        settings.save_settings({"evaluation.validity_months": 6}, actor=None, state=None)


@pytest.mark.parametrize("role", ["procurement", "legal", "auditor", "manager", "viewer"])
def test_only_admins_open_settings(client, login_as, role):
    login_as(role)
    assert client.get("/admin/settings").status_code == 403
    assert client.post("/admin/settings", data=_fields()).status_code == 403


def test_settings_is_in_the_admin_menu(client, login_as):
    login_as("admin")
    assert 'href="/admin/settings"' in client.get("/dashboard").get_data(as_text=True)


def test_save_settings_refuses_an_invalid_value(app_ctx):
    with pytest.raises(ValueError):
        settings.save_settings({"evaluation.validity_months": 0}, actor=None, state=settings.edit_state({}))
    with pytest.raises(ValueError):
        settings.save_settings({"reminders.sweep_time": "8am"}, actor=None, state=settings.edit_state({}))


def test_settings_page_runs_the_same_queries_however_many_are_stored(client, login_as, app, count_queries):
    login_as("admin")
    with count_queries() as before:
        client.get("/admin/settings")
    with app.app_context():
        values = {"evaluation.validity_months": 24, "audit.interval_months.high": 3, "reminders.sweep_time": "09:00"}
        settings.save_settings(values, actor=None, state=settings.edit_state({}))
        db.session.commit()
    with count_queries() as after:
        client.get("/admin/settings")
    assert after.count == before.count


def test_a_checkbox_setting_and_an_optional_text_setting(client, login_as, app):
    login_as("admin")
    refused = _post(client, **{"auth.oidc_role_mapping": "ov-legal=lawyer"})
    assert "aria-invalid" in refused.get_data(as_text=True)
    assert _value(app, "auth.oidc_role_mapping") == ""
    saved = _post(client, **{"auth.oidc_create_users": "y", "auth.oidc_role_mapping": "ov-legal=legal"})
    assert saved.status_code == 302
    assert _value(app, "auth.oidc_create_users") is True
    assert _value(app, "auth.oidc_role_mapping") == "ov-legal=legal"
    data = {"auth.oidc_role_mapping": ""}
    assert _post(client, **data).status_code == 302  # the checkbox left out: off again; the text emptied
    assert _value(app, "auth.oidc_create_users") is False
    assert _value(app, "auth.oidc_role_mapping") == ""
