"""Template helpers: dates in the app's zone, and links that keep a list page's filters."""

from datetime import UTC, date, datetime

import pytest

from oversight.web.templating import format_date, format_datetime, url_with


def test_dates_and_times_are_shown_in_japan_time(app_ctx):
    assert format_date(date(2026, 11, 26)) == "2026-11-26"
    assert format_date(datetime(2026, 11, 25, 15, 30, tzinfo=UTC)) == "2026-11-26"
    assert format_datetime(datetime(2026, 11, 25, 23, 30, tzinfo=UTC)) == "2026-11-26 08:30"
    assert format_date(None) == format_datetime(None) == ""


def test_url_with_keeps_filters_and_replaces_the_changed_ones(app):
    with app.test_request_context("/admin/users?q=abc&role=legal&page=3&status=a&status=b"):
        url = url_with(page=None, sort="email")
    assert url.startswith("/admin/users?")
    assert "q=abc" in url and "role=legal" in url and "sort=email" in url
    assert "status=a" in url and "status=b" in url
    assert "page=" not in url


def test_url_with_ignores_url_for_options_in_the_query(client, login_as):
    login_as("admin")
    html = client.get("/admin/users?_external=1&_anchor=x&_scheme=https").get_data(as_text=True)
    assert 'href="/admin/users?sort=email&amp;dir=asc"' in html
    assert "#x" not in html
    assert "http://localhost/admin" not in html


def test_counts_are_grouped_by_thousands_in_both_languages(app):
    from flask import render_template_string
    from flask_babel import force_locale

    with app.test_request_context():
        for locale in ("ja", "en"):
            with force_locale(locale):
                assert render_template_string("{{ 10000|number }} {{ 726|number }}") == "10,000 726"


def test_url_prefix_plus_an_id_is_the_record_url(app):
    from flask import url_for

    from oversight.web.templating import url_prefix

    with app.test_request_context("/"):
        assert url_prefix("contracts.detail", "contract_id") + "42" == url_for("contracts.detail", contract_id=42)
        assert url_prefix("vendors.detail", "vendor_id") + "7" == url_for("vendors.detail", vendor_id=7)
        with pytest.raises(ValueError, match="not at the end"):
            url_prefix("audits.detail", "audit_id", _anchor="findings")
