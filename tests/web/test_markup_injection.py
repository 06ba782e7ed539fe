"""Stored markup injection (issue #17 item 12): names that people type are text on every page and form.

The demo data set is loaded, then vendor, user, contract, incident and checklist names are replaced by
markup; every GET page of the URL map is requested with the ids of the records, and the HTML is parsed:
no element that the names carry may appear.
"""

from __future__ import annotations

import re

from flask import url_for
from markupsafe import escape

from oversight.audits.models import Audit, Finding
from oversight.auth.models import User
from oversight.auth.roles import ADMIN, AUDITOR, LEGAL, MANAGER, PROCUREMENT
from oversight.checklists import services as checklist_services
from oversight.checklists.models import ChecklistItem, ChecklistTemplate
from oversight.contracts.models import Contract
from oversight.disposals.models import DisposalItem
from oversight.evaluations.models import Evaluation
from oversight.evidence.models import EvidenceFile
from oversight.extensions import db
from oversight.incidents.models import Incident, IncidentStep
from oversight.portal.models import PortalRequest
from oversight.subcontracts.models import Subcontract
from oversight.vendors.models import Vendor, VendorCertification, VendorContact
from tests.markup import MARKER, PAYLOAD, injected
from tests.reports.helpers import seed_demo

SHORT_PAYLOAD = f"<h1 id={MARKER}>"  # fits a checklist item code (20 characters)

# URL parameter → the model whose ids it takes (item_id: a disposal item, or a checklist item)
ID_SOURCES = {
    "vendor_id": (Vendor,),
    "contract_id": (Contract,),
    "node_id": (Subcontract,),
    "audit_id": (Audit,),
    "finding_id": (Finding,),
    "incident_id": (Incident,),
    "evaluation_id": (Evaluation,),
    "item_id": (DisposalItem, ChecklistItem),
    "template_id": (ChecklistTemplate,),
    "user_id": (User,),
    "file_id": (EvidenceFile,),
    "contact_id": (VendorContact,),
    "certification_id": (VendorCertification,),
    "request_id": (PortalRequest,),
}


DOWNLOAD = re.compile(r"(\.\w+|/export|/download)$")  # files, not pages (static files end in <filename>)


IDS_PER_MODEL = 25  # the newest records of each kind, in every state the demo has
# Routes whose arguments come in pairs: the child rows that hold them (arguments in alphabetical order).
PAIRS = {
    frozenset({"contact_id", "vendor_id"}): (VendorContact.id, VendorContact.vendor_id),
    frozenset({"certification_id", "vendor_id"}): (VendorCertification.id, VendorCertification.vendor_id),
    frozenset({"code", "incident_id"}): (IncidentStep.code, IncidentStep.incident_id),
}


def test_the_parser_finds_markup_and_not_escaped_text():
    assert injected(f"<p>{PAYLOAD}</p>") == [f"<h1 {{'id': '{MARKER}'}}>", f"<a {{'href': '//e.vil/{MARKER}'}}>"]
    assert injected(f"<p>{escape(PAYLOAD)}</p><input value=\"{escape(PAYLOAD)}\">") == []


def test_lazy_translations_are_escaped_like_any_text(app):
    from flask_babel import lazy_gettext as _l

    with app.test_request_context():
        message = _l("Another vendor already has this corporate number: %(name)s.", name=PAYLOAD)
        assert injected(str(escape(message))) == []
        assert PAYLOAD in str(message)  # plain text stays as typed (e-mail, CSV, activity log)


def _mark_names() -> None:
    for vendor in db.session.scalars(db.select(Vendor)):
        vendor.name = f"{vendor.id}{PAYLOAD}"
    for user in db.session.scalars(db.select(User)):
        user.name = f"{user.id}{PAYLOAD}"[:100]
    for contract in db.session.scalars(db.select(Contract)):
        contract.title = f"{contract.id}{PAYLOAD}"
    for incident in db.session.scalars(db.select(Incident)):
        incident.title = f"{incident.id}{PAYLOAD}"
    db.session.commit()
    # Published checklists are frozen for the ORM; an admin's draft could hold such a code all the same.
    items = ChecklistItem.__table__
    db.session.execute(items.update().values(code=db.func.substr(items.c.code, 1, 3) + SHORT_PAYLOAD))
    db.session.commit()


def _newest_ids(model) -> list[int]:
    return list(db.session.scalars(db.select(model.id).order_by(model.id.desc()).limit(IDS_PER_MODEL)))


def _argument_sets(arguments: frozenset[str]) -> list[dict]:
    """Values for a route's arguments from the stored records: pairs from the child rows that hold them."""
    for names, columns in PAIRS.items():
        if arguments == names:
            rows = db.session.execute(db.select(*columns).limit(IDS_PER_MODEL))
            return [dict(zip(sorted(names), row, strict=True)) for row in rows]
    sets: list[dict] = [{}]
    for argument in sorted(arguments):
        ids = [id_ for model in ID_SOURCES[argument] for id_ in _newest_ids(model)]
        sets = [{**values, argument: id_} for values in sets for id_ in ids]
    return sets


def _routes(app) -> dict[str, list[str]]:
    """Every GET page's URLs, its arguments filled from the stored records; files and static assets left out."""
    routes = {}
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            arguments = frozenset(rule.arguments)
            known = arguments in PAIRS or arguments <= ID_SOURCES.keys()
            if rule.endpoint.startswith("api."):  # JSON for tokens only: tests/api checks the API
                continue
            if "GET" in rule.methods and known and not DOWNLOAD.search(rule.rule):
                routes[rule.endpoint] = [url_for(rule.endpoint, **values) for values in _argument_sets(arguments)]
    return routes


def test_no_page_or_form_renders_a_stored_name_as_markup(app, client, make_user, login):
    """Each page with the ids of every record (up to a number per page): forms show in some states only."""
    seed_demo(app)
    with app.app_context():
        _mark_names()
        checklist_services.copy_template(checklist_services.current_template("audit"), None)  # a draft to edit
        db.session.commit()
        routes = _routes(app)
    login(make_user(ADMIN, PROCUREMENT, LEGAL, AUDITOR, MANAGER, name=PAYLOAD[:100]))
    shown, failures = set(), {}
    for endpoint, urls in routes.items():
        for url in urls:
            response = client.get(url)
            html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
            response.close()  # a streamed export keeps its context until closed
            if response.status_code != 200 or not html:
                continue
            shown.add(endpoint)
            if found := injected(html):
                failures[url] = found
    assert not failures, sorted(failures)
    # They redirect a signed-in user, or refuse one (the vendor portal's pages are for vendor contacts only);
    # company sign-in is not configured here, and the code page is for users with a second factor. The list
    # filters' vendor suggestions answer JSON (the script writes the names as text).
    assert sorted(routes.keys() - shown) == [
        "auth.login", "auth.oidc_callback", "auth.oidc_start", "auth.verify_second_factor", "dashboard.root",
        "portal.consent_request", "portal.download", "portal.home", "portal.incident_notice", "portal.report",
        "vendors.suggest",
    ]
