"""The webhooks admin pages (Administration menu, admins only): endpoints, their delivery log, a test."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from oversight.auth.decorators import role_required
from oversight.auth.roles import ADMIN
from oversight.core.pagination import paginate
from oversight.core.timeutil import utcnow
from oversight.events import types as event_types
from oversight.extensions import db
from oversight.web.saving import commit_step
from oversight.web.second_factor import step_up_required
from oversight.webhooks import services
from oversight.webhooks.forms import ButtonForm, EndpointEditForm, EndpointForm
from oversight.webhooks.models import DELIVERY_STATUSES, WebhookDelivery, WebhookEndpoint

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")


def _labels() -> dict:
    return {"event": event_types.label, "status_name": services.status_label}


@bp.route("")
@role_required(ADMIN)
def index():
    """Every endpoint with its subscribed events and its deliveries' counts."""
    endpoints = list(db.session.scalars(services.endpoint_query()))
    return render_template(
        "webhooks/index.html", endpoints=endpoints, button=ButtonForm(),
        counts=services.delivery_counts([endpoint.id for endpoint in endpoints]), **_labels(),
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(ADMIN)
@step_up_required
def create():
    """Register an endpoint; its secret is shown on the answer, once."""
    form = EndpointForm(endpoint=None)
    if form.validate_on_submit():
        outcome = commit_step(lambda: services.create_endpoint(form.values(), actor=current_user, now=utcnow()),
                              error_field=form.url, error_fields={services.DuplicateNameError: form.name})
        if outcome:
            endpoint, secret = outcome.value
            flash(_("The endpoint %(name)s was registered.", name=endpoint.name), "success")
            return render_template("webhooks/secret.html", endpoint=endpoint, secret=secret)
    return render_template("webhooks/form.html", form=form, endpoint=None), 400 if form.errors else 200


@bp.route("/<int:endpoint_id>/edit", methods=["GET", "POST"])
@role_required(ADMIN)
@step_up_required
def edit(endpoint_id: int):
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    form = EndpointEditForm(obj=endpoint, endpoint=endpoint)
    if form.validate_on_submit():
        outcome = commit_step(lambda: services.update_endpoint(endpoint, form.values(), actor=current_user),
                              record=endpoint, version=form.version.data, error_field=form.url,
                              error_fields={services.DuplicateNameError: form.name})
        if outcome:
            flash(_("The endpoint was saved.") if outcome.value else _("Nothing was changed."),
                  "success" if outcome.value else "info")
            return redirect(url_for("webhooks.deliveries", endpoint_id=endpoint.id))
        return render_template("webhooks/form.html", form=form, endpoint=endpoint), outcome.status
    return render_template("webhooks/form.html", form=form, endpoint=endpoint), 400 if form.errors else 200


@bp.route("/<int:endpoint_id>")
@role_required(ADMIN)
def deliveries(endpoint_id: int):
    """An endpoint's delivery log, newest first, paginated (filter by status)."""
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    status = request.args.get("status", "")
    status = status if status in DELIVERY_STATUSES else ""
    pagination = paginate(services.delivery_query(endpoint, status))
    return render_template(
        "webhooks/deliveries.html", endpoint=endpoint, pagination=pagination, status=status,
        statuses=DELIVERY_STATUSES, button=ButtonForm(), **_labels(),
    )


def _button_step(endpoint: WebhookEndpoint, action, message: str):
    if ButtonForm().validate_on_submit() and commit_step(action):
        flash(message, "success")
    return redirect((request.form.get("back") == "index" and url_for("webhooks.index"))
                    or url_for("webhooks.deliveries", endpoint_id=endpoint.id))


@bp.route("/<int:endpoint_id>/enable", methods=["POST"])
@role_required(ADMIN)
def enable(endpoint_id: int):
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    return _button_step(endpoint, lambda: services.set_enabled(endpoint, True, actor=current_user),
                        _("The endpoint %(name)s was enabled.", name=endpoint.name))


@bp.route("/<int:endpoint_id>/disable", methods=["POST"])
@role_required(ADMIN)
def disable(endpoint_id: int):
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    return _button_step(endpoint, lambda: services.set_enabled(endpoint, False, actor=current_user),
                        _("The endpoint %(name)s was disabled.", name=endpoint.name))


@bp.route("/<int:endpoint_id>/test", methods=["POST"])
@role_required(ADMIN)
def send_test(endpoint_id: int):
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    return _button_step(endpoint, lambda: services.send_test(endpoint, actor=current_user, now=utcnow()),
                        _("A test event was queued; the scheduler sends it within a minute."))


@bp.route("/<int:endpoint_id>/secret", methods=["POST"])
@role_required(ADMIN)
@step_up_required
def rotate_secret(endpoint_id: int):
    """A new secret, shown once on the answer (the old one stops signing at once)."""
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("webhooks.deliveries", endpoint_id=endpoint.id))
    outcome = commit_step(lambda: services.rotate_secret(endpoint, actor=current_user))
    if not outcome:
        return redirect(url_for("webhooks.deliveries", endpoint_id=endpoint.id))
    flash(_("A new secret was made; the old one no longer signs."), "success")
    return render_template("webhooks/secret.html", endpoint=endpoint, secret=outcome.value)


@bp.route("/<int:endpoint_id>/delete", methods=["POST"])
@role_required(ADMIN)
@step_up_required
def delete(endpoint_id: int):
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    name = endpoint.name
    if ButtonForm().validate_on_submit() and commit_step(
        lambda: services.delete_endpoint(endpoint, actor=current_user)
    ):
        flash(_("The endpoint %(name)s was deleted.", name=name), "success")
        return redirect(url_for("webhooks.index"))
    return redirect(url_for("webhooks.deliveries", endpoint_id=endpoint.id))


@bp.route("/deliveries/<int:delivery_id>/retry", methods=["POST"])
@role_required(ADMIN)
def retry(delivery_id: int):
    delivery = db.get_or_404(WebhookDelivery, delivery_id)
    if delivery.endpoint is None:
        abort(404)
    return _button_step(delivery.endpoint, lambda: services.retry_delivery(delivery, actor=current_user, now=utcnow()),
                        _("The delivery will be sent again within a minute."))
