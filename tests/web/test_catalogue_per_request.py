"""The catalogue is looked up once per request (``web.i18n.RequestDomain``) and still follows the locale:
``force_locale`` (e-mails in the recipient's language) and ``refresh`` switch it, in code and templates."""

from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale, gettext, lazy_gettext, refresh

from oversight.extensions import babel
from oversight.web.i18n import RequestDomain


def test_the_domain_is_the_per_request_one(app):
    with app.app_context():
        assert isinstance(babel.domain_instance, RequestDomain)


def test_force_locale_and_refresh_switch_the_catalogue_within_a_request(app):
    label = lazy_gettext("Vendors")
    with app.test_request_context():
        assert gettext("Vendors") == "委託先" == str(label)
        assert render_template_string("{{ _('Vendors') }}") == "委託先"
        with force_locale("en"):
            assert gettext("Vendors") == "Vendors" == str(label)
            assert render_template_string("{{ _('Vendors') }}") == "Vendors"
        assert gettext("Vendors") == "委託先" == str(label)
        with force_locale("en"):
            refresh()  # what Flask-Babel does after a change of the user's language
            assert gettext("Vendors") == "Vendors"
    with app.test_request_context():  # a new request starts from its own locale
        assert render_template_string("{{ _('Vendors') }}") == "委託先"
