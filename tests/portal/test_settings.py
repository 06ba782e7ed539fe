"""The portal's settings on the admin settings page: defaults, validation with a message at the field."""

from __future__ import annotations

import re

import pytest

from oversight.admin import settings
from oversight.admin.models import Setting
from oversight.admin.settings_forms import field_name
from oversight.extensions import db
from oversight.portal import settings as portal_settings

PORTAL_DEFAULTS = {
    "portal.report_interval_months.high": 3,
    "portal.report_interval_months.medium": 6,
    "portal.report_interval_months.low": 12,
    "portal.report_open_days": 30,
    "portal.reminder_lead_days": "7,1",
    "portal.escalation_days": 14,
}


def _post(client, **changes):
    html = client.get("/admin/settings").get_data(as_text=True)
    data = {field_name(key): str(definition.default) for key, definition in settings.SETTINGS.items()}
    data.update({field_name(key): value for key, value in changes.items()})
    data["state"] = re.search(r'name="state" type="hidden" value="([^"]*)"', html).group(1)
    return client.post("/admin/settings", data=data)


def test_the_defaults(app_ctx):
    assert {key: settings.get_setting(key) for key in PORTAL_DEFAULTS} == PORTAL_DEFAULTS
    assert [portal_settings.report_interval_months(tier) for tier in ("high", "medium", "low", "odd")] == [3, 6, 12, 6]


def test_the_settings_page_shows_them(client, login_as):
    login_as("admin")
    html = client.get("/admin/settings").get_data(as_text=True)
    for key, value in PORTAL_DEFAULTS.items():
        assert re.search(rf'name="{field_name(key)}"[^>]*value="{value}"|value="{value}"[^>]*name="{field_name(key)}"',
                         html), key
    assert "定期報告の間隔：リスク高の委託先（月）" in html


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("portal.report_interval_months.high", "0", None),
        ("portal.report_interval_months.low", "61", None),
        ("portal.report_open_days", "abc", None),
        ("portal.escalation_days", "", None),
        ("portal.reminder_lead_days", "7,x", "1〜365の整数の日数をカンマ区切りで入力してください"),
        ("portal.reminder_lead_days", "0", "1〜365の整数の日数をカンマ区切りで入力してください"),
        ("portal.reminder_lead_days", "7,,1", "1〜365の整数の日数をカンマ区切りで入力してください"),
    ],
)
def test_bad_values_are_refused_with_a_message_and_kept(client, login_as, app, key, value, message):
    login_as("admin")
    response = _post(client, **{key: value})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    name = field_name(key)
    assert re.search(rf'name="{name}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*name="{name}"', html), key
    assert f'value="{value}"' in html or value == ""
    if message:
        assert message in html
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Setting.id))) == 0


def test_good_values_are_saved(client, login_as, app):
    login_as("admin")
    response = _post(client, **{"portal.report_interval_months.high": "2", "portal.reminder_lead_days": "14, 3"})
    assert response.status_code == 302
    with app.app_context():
        assert settings.get_setting("portal.report_interval_months.high") == 2
        assert settings.get_setting("portal.reminder_lead_days") == "14, 3"
