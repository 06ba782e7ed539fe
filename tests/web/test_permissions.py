"""The app against its permission matrix (docs/permissions.md), not against its own decorators.

Every route of the url_map must be listed under one action of the matrix; each role's real answer on
each route (anything but 403, or 403 written to the activity log) is what the matrix says; and each
decision's predicate answers each role, and the separation-of-duty rules, as the matrix says.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import url_for
from sqlalchemy import literal, true
from werkzeug.routing import IntegerConverter

from oversight import create_app
from oversight.activity.models import ActivityLog
from oversight.audits import permissions as audit_permissions
from oversight.audits.models import PLAN_RECEIVED, Audit, Finding
from oversight.audits.models import SUBMITTED as AUDIT_SUBMITTED
from oversight.auth.decorators import PUBLIC, access_rule
from oversight.auth.models import User, UserRole
from oversight.auth.roles import ALL_ROLES
from oversight.auth.session import OPEN_ENDPOINTS
from oversight.config import TestConfig as AppConfig
from oversight.contracts import permissions as contract_permissions
from oversight.contracts.models import APPROVED as CONTRACT_APPROVED
from oversight.contracts.models import IN_REVIEW, OUTCOME_APPROVED, SIGNED, ClauseResult, Contract, ContractReview
from oversight.disposals import permissions as disposal_permissions
from oversight.disposals.models import DisposalItem
from oversight.evaluations import permissions as evaluation_permissions
from oversight.evaluations.models import SUBMITTED as EVALUATION_SUBMITTED
from oversight.evaluations.models import Evaluation
from oversight.extensions import db
from oversight.incidents.models import OPEN as INCIDENT_OPEN
from oversight.incidents.models import Incident
from oversight.subcontracts import permissions as subcontract_permissions
from oversight.subcontracts.models import APPROVED as CONSENT_APPROVED
from oversight.subcontracts.models import REQUESTED, REVIEWED, SubcontractConsent

SPEC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
ALLOWED, REFUSED = "✓", "—"


@dataclass(frozen=True)
class Action:
    id: str
    roles: frozenset[str]
    endpoints: tuple[str, ...]


def _table(text: str, heading: str) -> list[dict[str, str]]:
    """The rows of the first markdown table under ``heading``, as dicts keyed by header cell."""
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = []
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert len(cells) == len(header), f"docs/permissions.md: wrong number of cells in {line!r}"
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


def _actions(text: str) -> dict[str, Action]:
    actions = {}
    for row in _table(text, "Actions"):
        cells = {role: row[role] for role in ALL_ROLES}
        assert set(cells.values()) <= {ALLOWED, REFUSED}, f"{row['action']}: cells are ✓ or —, not {cells}"
        endpoints = tuple(name.strip() for name in row["routes"].split(","))
        assert row["action"] not in actions, f"{row['action']} twice in docs/permissions.md"
        actions[row["action"]] = Action(
            row["action"], frozenset(role for role, cell in cells.items() if cell == ALLOWED), endpoints
        )
    return actions


def _public_endpoints(text: str) -> set[str]:
    paragraph = text.split("Open without signing in:", 1)[1].split("\n\n", 1)[0]
    return set(re.findall(r"`([\w.]+)`", paragraph))


TEXT = SPEC.read_text(encoding="utf-8")
ACTIONS = _actions(TEXT)
DECISIONS = {row["action"]: row for row in _table(TEXT, "Decisions and separation of duties")}
PUBLIC_ENDPOINTS = _public_endpoints(TEXT)
ACTION_OF = {endpoint: action for action in ACTIONS.values() for endpoint in action.endpoints}


# --- routes ------------------------------------------------------------------------------------


def _app_rules():
    app = create_app(AppConfig())
    return app, list(app.url_map.iter_rules())


APP, RULES = _app_rules()


def test_the_matrix_lists_every_route_once():
    listed = [endpoint for action in ACTIONS.values() for endpoint in action.endpoints]
    assert sorted(endpoint for endpoint in set(listed) if listed.count(endpoint) > 1) == []
    endpoints = {rule.endpoint for rule in RULES}
    unlisted = endpoints - set(listed) - PUBLIC_ENDPOINTS
    assert unlisted == set(), f"routes missing from docs/permissions.md: {sorted(unlisted)}"
    unknown = (set(listed) | PUBLIC_ENDPOINTS) - endpoints
    assert unknown == set(), f"docs/permissions.md names routes the app does not have: {sorted(unknown)}"


def test_only_the_listed_routes_are_open_without_signing_in():
    public = {
        endpoint
        for endpoint, view in APP.view_functions.items()
        if endpoint in OPEN_ENDPOINTS or access_rule(view) == PUBLIC
    }
    assert public == PUBLIC_ENDPOINTS


@pytest.mark.parametrize("endpoint", sorted(ACTION_OF))
def test_each_view_declares_the_roles_of_its_action(endpoint):
    """A quick, complete check (every method of every view); the requests below prove it is enforced."""
    assert access_rule(APP.view_functions[endpoint]) == ACTION_OF[endpoint].roles, ACTION_OF[endpoint].id


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    values: tuple[tuple[str, object], ...]

    def __str__(self) -> str:
        return f"{self.method} {self.endpoint}"


def _routes() -> list[Route]:
    """One route per url_map rule that needs a sign-in, with 1 for int parameters and 'x' for others.
    The API's operations take a token, not a sign-in: tests/api/test_permissions.py asks them."""
    routes = []
    for rule in RULES:
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.startswith("api."):
            continue
        values = tuple(
            (name, 1 if isinstance(converter, IntegerConverter) else "x")
            for name, converter in sorted(rule._converters.items())
        )
        method = "GET" if "GET" in (rule.methods or ()) else "POST"
        routes.append(Route(rule.endpoint, method, values))
    return sorted(routes, key=str)


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("route", _routes(), ids=str)
def test_each_role_gets_what_the_matrix_says(client, app, login_as, route, role):
    user = login_as(role)
    action = ACTION_OF[route.endpoint]
    with app.test_request_context():
        url = url_for(route.endpoint, **dict(route.values))
    response = client.get(url) if route.method == "GET" else client.post(url, data={})
    what = f"{role} {route.method} {url} ({action.id}): {response.status_code}"
    if role in action.roles:
        assert response.status_code not in (403, 500), what
        return
    assert response.status_code == 403, what
    with app.app_context():
        refusal = db.session.scalar(
            db.select(ActivityLog).where(ActivityLog.action == "auth.forbidden").order_by(ActivityLog.id.desc())
        )
        assert refusal is not None and refusal.actor_id == user.id, "a refusal is written to the activity log"
        assert url.split("?")[0] in refusal.summary


# --- decisions ---------------------------------------------------------------------------------

NOBODY_ELSE = 100  # the id of the user under test, who took no part in the record


def _person(*roles: str, user_id: int = NOBODY_ELSE) -> User:
    return User(
        id=user_id,
        email=f"u{user_id}@example.com",
        name="x",
        is_enabled=True,
        role_links=[UserRole(role=role) for role in roles],
    )


def _waiting_contract(outcome: str | None) -> tuple[Contract, ContractReview]:
    contract = Contract(status=IN_REVIEW, created_by_id=1)
    review = ContractReview(outcome=outcome, submitted_by_id=4, reviewer_id=2 if outcome else None)
    return contract, review


def _waiver() -> tuple[Contract, ClauseResult]:
    contract, review = _waiting_contract(None)
    return contract, ClauseResult(review=review, waiver_reason="not needed here", waiver_by_id=2)


# Each decision's record in the state that waits for it, made and handled by users 1–5 (never the one
# under test), and the ids of those who took part and so may not decide (separation of duties).
READY = {
    "evaluation.decide": (lambda: (Evaluation(status=EVALUATION_SUBMITTED, submitted_by_id=1),), {1}),
    "contract.review": (lambda: _waiting_contract(None), set()),
    "contract.approve_waiver": (_waiver, {2}),
    "contract.approve": (lambda: _waiting_contract(OUTCOME_APPROVED), {1, 2, 4}),
    "contract.sign": (lambda: (Contract(status=CONTRACT_APPROVED),), set()),
    "contract.terminate": (lambda: (Contract(status=SIGNED, signed_on=date(2026, 4, 1)),), set()),
    "audit.sign_off": (
        lambda: (
            Audit(
                status=AUDIT_SUBMITTED, submitted_by_id=1, recorded_by_id=5, auditors=[_person("auditor", user_id=3)]
            ),
        ),
        {1, 3, 5},
    ),
    "finding.verify": (lambda: (Finding(status=PLAN_RECEIVED),), set()),
    "subcontract.review": (lambda: (SubcontractConsent(status=REQUESTED, requested_by_id=1),), set()),
    "subcontract.decide": (
        lambda: (SubcontractConsent(status=REVIEWED, requested_by_id=1, reviewed_by_id=2),),
        {1, 2},
    ),
    "subcontract.revoke": (lambda: (SubcontractConsent(status=CONSENT_APPROVED, requested_by_id=1),), set()),
    "disposal.record_certificate": (lambda: (DisposalItem(),), set()),
    "disposal.confirm": (
        lambda: (DisposalItem(recorded_at=datetime(2026, 11, 1, tzinfo=UTC), recorded_by_id=1),),
        {1},
    ),
    "disposal.return": (
        lambda: (DisposalItem(recorded_at=datetime(2026, 11, 1, tzinfo=UTC), recorded_by_id=1),),
        {1},
    ),
    "incident.close": (lambda: (Incident(status=INCIDENT_OPEN),), set()),
}


def _predicate(action: str):
    module, _, name = DECISIONS[action]["predicate"].rpartition(".")
    return getattr(importlib.import_module(module), name)


def test_every_decision_of_the_matrix_is_tested_and_is_an_action():
    assert set(DECISIONS) == set(READY)
    assert set(DECISIONS) <= set(ACTIONS)
    stated = {action for action, row in DECISIONS.items() if row["separation of duties"] != REFUSED}
    assert stated == {action for action, (_, took_part) in READY.items() if took_part}


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("action", sorted(READY))
def test_each_decision_predicate_answers_each_role_as_the_matrix_says(app_ctx, action, role):
    make, _ = READY[action]
    assert _predicate(action)(_person(role), *make()) is (role in ACTIONS[action].roles)


@pytest.mark.parametrize("action", sorted(action for action, (_, took_part) in READY.items() if took_part))
def test_nobody_decides_on_what_they_took_part_in(app_ctx, action):
    make, took_part = READY[action]
    predicate = _predicate(action)
    assert predicate(_person(*ALL_ROLES), *make()), "a user holding every role who took no part may decide"
    for user_id in sorted(took_part):
        assert not predicate(_person(*ALL_ROLES, user_id=user_id), *make()), f"user {user_id} took part"


# --- the same decisions in their SQL form (the work list's queues, oversight.core.predicates) ------

SQL_FORMS = {
    "evaluation.decide": evaluation_permissions.DECIDE,
    "contract.review": contract_permissions.REVIEW,
    "contract.approve": contract_permissions.APPROVE,
    "audit.sign_off": audit_permissions.SIGN_OFF,
    "subcontract.review": subcontract_permissions.REVIEW,
    "subcontract.decide": subcontract_permissions.DECIDE,
    "disposal.confirm": disposal_permissions.CONFIRM,
    "disposal.return": disposal_permissions.RETURN,
}
# The audit's auditors are rows of another table: that part of the rule is checked on real rows
# (tests/status/test_waiting.py); here the literal audit has none.
SQL_TOOK_PART = {"audit.sign_off": {1, 5}}


def _sql_allows(action: str, user: User, records: tuple) -> bool:
    """The record (as a one-row subquery of its column values) is selected by the predicate's SQL form."""
    rows = []
    for record in records:
        columns = type(record).__table__.c
        values = (literal(getattr(record, column.key, None), column.type).label(column.key) for column in columns)
        rows.append(db.select(*values).subquery())
    joined = rows[0]
    for row in rows[1:]:
        joined = joined.join(row, true())
    query = db.select(literal(1)).select_from(joined).where(SQL_FORMS[action].clause(user, *(row.c for row in rows)))
    return db.session.execute(query).first() is not None


def test_each_decision_with_a_sql_form_is_named_by_its_predicate():
    for action, predicate in SQL_FORMS.items():
        module = importlib.import_module(DECISIONS[action]["predicate"].rpartition(".")[0])
        assert predicate in vars(module).values(), action


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("action", sorted(SQL_FORMS))
def test_each_decisions_sql_form_answers_each_role_as_the_matrix_says(app_ctx, action, role):
    make, _ = READY[action]
    assert _sql_allows(action, _person(role), make()) is (role in ACTIONS[action].roles)


@pytest.mark.parametrize("action", sorted(SQL_FORMS))
def test_the_sql_form_keeps_out_those_who_took_part(app_ctx, action):
    make, took_part = READY[action]
    assert _sql_allows(action, _person(*ALL_ROLES), make()), "a user holding every role who took no part may decide"
    for user_id in sorted(SQL_TOOK_PART.get(action, took_part)):
        assert not _sql_allows(action, _person(*ALL_ROLES, user_id=user_id), make()), f"user {user_id} took part"
