"""Property-based: no query string on any page and no POST body on any form answers a 500.

The demo data set is loaded so that the routes with ids reach real records; every route of the
app's url_map is tried (a new page is covered without anyone editing this file), each with a few
generated query strings or bodies. Keys are the names every form and filter uses, the names of
``url_for``'s own arguments, and random text; values are plausible ones, text with control
characters, whole numbers beyond every column's range, negative and empty.

Bounded and reproducible: a fixed number of examples per route, ``derandomize=True`` (the same
examples on every run), no example database, no deadline (a slow machine is no failure).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import url_for
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms.fields.core import UnboundField

from oversight.audits.models import Audit, Finding
from oversight.auth.models import User
from oversight.auth.roles import ADMIN, ALL_ROLES, VIEWER
from oversight.checklists.models import ChecklistItem, ChecklistTemplate
from oversight.contracts.models import ClauseResult, Contract
from oversight.core.baseform import Form
from oversight.disposals.models import DisposalItem
from oversight.evaluations.models import Evaluation
from oversight.evidence.models import EvidenceFile
from oversight.extensions import db
from oversight.incidents.models import Incident, IncidentStep
from oversight.reminders.models import ReminderLog
from oversight.subcontracts.models import Subcontract, SubcontractConsent
from oversight.vendors.models import Vendor, VendorCertification, VendorContact
from tests.reports.helpers import seed_demo

GET_EXAMPLES = 3  # per route and user: ~90 routes x 2 users
POST_EXAMPLES = 4  # per route: ~75 routes
SKIPPED = {
    "static", "bootstrap.static",  # files
    "dashboard.feed_ics",  # a secret in the address, tested in tests/dashboard
    "auth.logout",  # would end the session the other examples use
}
# The record each id in a route stands for; ``item_id`` is a checklist item under /admin/checklists.
ID_MODELS = {
    "contract_id": Contract, "vendor_id": Vendor, "audit_id": Audit, "incident_id": Incident,
    "template_id": ChecklistTemplate, "evaluation_id": Evaluation, "finding_id": Finding,
    "consent_id": SubcontractConsent, "user_id": User, "contact_id": VendorContact,
    "certification_id": VendorCertification, "node_id": Subcontract, "file_id": EvidenceFile,
    "reminder_id": ReminderLog, "result_id": ClauseResult,
}
QUERY_KEYS = (
    "endpoint", "values", "_method", "_external", "_anchor", "_scheme", "format", "page", "per_page", "sort",
    "order", "round", "vendor_id", "contract_id", "status", "q", "kind", "bucket", "month", "day", "section",
    "stage", "reminder_id", "recipient", "rule", "actor", "object_id", "object_type", "action", "date_from",
    "date_to", "risk_tier", "when", "role", "next", "parent", "item_id", "reset",
)
VALUES = (
    "", "0", "1", "2", "-1", "+3", "1e3", "99999999999", "2147483648", "99999999999999999999", "9" * 400,
    "abc", "x", "xlsx", "csv", "pdf", "name", "-name", "2026-12-06", "2026-02-30", "2026-12", "0000-00-00",
    "present", "missing", "insufficient", "na", "approved", "conditional", "rejected", "high", "medium", "low",
    "y", "on", "true", "false", "overdue", "upcoming", "failed", "sent", "legal", "admin", "ja", "en",
    "a\nb", "a\tb", "\u2028", "\x7f", "١٢", "²", "'; DROP TABLE users; --", "%_\\", "<script>", "あ" * 300,
)
VALUE = st.one_of(
    st.sampled_from(VALUES),
    st.text(max_size=20),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


def _form_field_names() -> set[str]:
    """Every field name of every form class (filters included), found by walking ``Form``'s subclasses."""
    names, pending = set(), [Form]
    while pending:
        form_class = pending.pop()
        pending.extend(form_class.__subclasses__())
        names.update(name for name in dir(form_class) if isinstance(getattr(form_class, name, None), UnboundField))
    return names


def _pairs(keys: st.SearchStrategy[str], max_size: int) -> st.SearchStrategy[MultiDict]:
    key = st.one_of(keys, st.text(min_size=1, max_size=12))
    return st.lists(st.tuples(key, VALUE), max_size=max_size).map(MultiDict)


def _run(examples: int, strategy: st.SearchStrategy, check: Callable[[object], None]) -> None:
    @settings(
        max_examples=examples, deadline=None, derandomize=True, database=None,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(value) -> None:
        check(value)

    run()


class Visitor:
    """A signed-in test client; a new one after a request that raised (its contexts are then unusable)."""

    def __init__(self, app, email: str, password: str) -> None:
        self.app, self.email, self.password = app, email, password
        self.client = self._sign_in()

    def _sign_in(self):
        client = self.app.test_client()
        response = client.post("/auth/login", data={"email": self.email, "password": self.password})
        assert response.status_code == 302, "sign-in failed"
        return client

    def status(self, method: str, url: str, **kwargs) -> int:
        try:
            response = self.client.open(url, method=method, **kwargs)
            response.get_data()  # streamed downloads build their rows only now
            response.close()
        except Exception as error:
            self.client = self._sign_in()
            raise AssertionError(f"{method} {url} {kwargs}: {error!r}") from error
        return response.status_code


def _ids(app, acting_ids: set[int]) -> dict[str, list[int]]:
    """A few ids of seeded records per route parameter (users other than the ones signed in)."""
    with app.app_context():
        ids = {
            name: [
                record_id
                for record_id in db.session.scalars(db.select(model.id).order_by(model.id).limit(6))
                if not (model is User and record_id in acting_ids)
            ][:3]
            for name, model in ID_MODELS.items()
        }
        ids["checklist_item_id"] = list(db.session.scalars(db.select(ChecklistItem.id).order_by(ChecklistItem.id)))
        ids["disposal_item_id"] = list(
            db.session.scalars(db.select(DisposalItem.id).order_by(DisposalItem.id).limit(3))
        )
        ids["code"] = sorted(set(db.session.scalars(db.select(IncidentStep.code).limit(50))))[:3]
    return ids


def _urls(app, ids: dict[str, list], method: str) -> Iterator[str]:
    """For every rule answering ``method``, its URL with the first seeded record of each id."""
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
            if rule.endpoint in SKIPPED or method not in (rule.methods or ()):
                continue
            values = {}
            for name in rule.arguments:
                key = name
                if name == "item_id":
                    key = "checklist_item_id" if rule.endpoint.startswith("checklists.") else "disposal_item_id"
                values[name] = (ids.get(key) or [1])[0]
            yield url_for(rule.endpoint, **values)


@pytest.fixture
def demo_site(app, make_user):
    """The demo data set, and two people to sign in: one with every role, an admin-free viewer."""
    seed_demo(app)
    everyone = make_user(*ALL_ROLES, email="fuzz-all@example.com")
    viewer = make_user(VIEWER, email="fuzz-viewer@example.com")
    return {"users": (everyone, viewer), "ids": _ids(app, {everyone.id, viewer.id})}


def test_no_query_string_makes_any_page_answer_500(app, demo_site):
    queries = _pairs(st.sampled_from(QUERY_KEYS), max_size=5)
    urls = list(_urls(app, demo_site["ids"], "GET"))
    for user in demo_site["users"]:
        visitor = Visitor(app, user.email, user.password)
        for url in urls:

            def check(query: MultiDict, url: str = url, visitor: Visitor = visitor) -> None:
                status = visitor.status("GET", url, query_string=query)
                assert status < 500, f"GET {url} {query!r}: {status}"

            _run(GET_EXAMPLES, queries, check)


def test_no_post_body_makes_any_form_answer_500(app, demo_site):
    ids = demo_site["ids"]
    dynamic = [
        f"{prefix}_{item_id}"
        for prefix in ("result", "note", "clause_number", "quote", "waiver_reason", "answer", "comment", "exception")
        for item_id in ids["checklist_item_id"][:40:8]
    ]
    keys = sorted(_form_field_names() | set(dynamic) | {"version", "csrf_token", "submit", "next"})
    bodies = _pairs(st.sampled_from(keys), max_size=8).map(
        # a version the seeded records may have, so that some bodies get past the stale-edit check
        lambda body: body if "version" in body else MultiDict([*body.items(multi=True), ("version", "1")])
    )
    everyone = demo_site["users"][0]
    assert ADMIN in everyone.roles
    for url in _urls(app, ids, "POST"):
        visitor = Visitor(app, everyone.email, everyone.password)  # a POST may have changed what the user sees

        def check(body: MultiDict, url: str = url, visitor: Visitor = visitor) -> None:
            status = visitor.status("POST", url, data=body)
            assert status < 500, f"POST {url} {body!r}: {status}"

        _run(POST_EXAMPLES, bodies, check)
