"""Each request's scope: set before the view from the signed-in user, reset when the request ends."""

from __future__ import annotations

from flask import Flask, g, request
from flask_login import current_user

from oversight.auth import services as auth_services
from oversight.units import scope as unit_scope
from oversight.units.services import remember_tree, scope_for_user, tree_column


def open_scope() -> None:
    """The signed-in user's units; the vendor portal reads as the group (its pages bind every read to the
    signed-in contact's vendor, docs/portal.md); the API's token and the calendar feed's secret set their
    owner's scope once they know them. Anyone else has no scope: reading unit-bound data is an error."""
    if request.blueprint == "portal":
        scope: unit_scope.Scope | None = unit_scope.GROUP
    elif request.blueprint == "api" or request.endpoint in ("static", "bootstrap.static", "favicon"):
        scope = None
    else:
        user = current_user._get_current_object()
        scope = scope_for_user(user) if user.is_authenticated else None
    g._unit_scope_token = unit_scope.set_scope(scope)


def close_scope(_error: BaseException | None = None) -> None:
    token = g.pop("_unit_scope_token", None)
    if token is not None:
        unit_scope.reset_scope(token)


def init_request_scope(app: Flask) -> None:
    # The unit tree, read with the signed-in user in one statement: a member's scope is widened to the units
    # below theirs (``with_descendants``) and decisions walk up (``ancestors``) with no statement of their own.
    auth_services.read_with_user(tree_column, remember_tree)
    app.before_request(open_scope)
    app.teardown_request(close_scope)
