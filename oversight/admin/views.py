"""User administration (admin role): users, settings and every user's API access tokens."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from oversight.admin import exports, services
from oversight.admin import settings as settings_services
from oversight.admin.forms import PasswordResetForm, UserCreateForm, UserEditForm, UserFilterForm
from oversight.admin.settings_forms import build_settings_form
from oversight.auth import second_factor
from oversight.auth import services as auth_services
from oversight.auth import tokens as api_tokens
from oversight.auth.decorators import role_required
from oversight.auth.forms import TokenRevokeForm
from oversight.auth.models import AccessToken, User, UserRole
from oversight.auth.roles import ADMIN
from oversight.core.exports import download
from oversight.core.pagination import paginate
from oversight.core.timeutil import utcnow
from oversight.extensions import db
from oversight.units import services as unit_services
from oversight.units.forms import MemberForm, UnitEditForm, UnitForm
from oversight.units.models import BusinessUnit
from oversight.web.saving import commit_step
from oversight.web.second_factor import step_up_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _keep_own_session(user: User) -> None:
    """Sign this session in again when the administrator changed their own account.

    A new password or new roles end every session of the user (the session token changes); the
    administrator's other sessions end, this one goes on with the new token.
    """
    if user.id == current_user.id:
        login_user(user)


@bp.route("/users")
@role_required(ADMIN)
def users():
    """List users with search, filters, sorting and pagination."""
    form = UserFilterForm(request.args)
    form.validate()
    sort = services.SORTING.read(request.args)
    pagination = paginate(
        services.user_query(q=form.q.data or "", role=form.role.data or "", status=form.status.data or "", sort=sort)
    )
    return render_template("admin/users.html", form=form, pagination=pagination, sort=sort)


@bp.route("/users/export")
@role_required(ADMIN)
def export_users():
    """The filtered user list as CSV (default) or Excel (``format=xlsx``)."""
    form = UserFilterForm(request.args)
    form.validate()
    query = services.user_query(
        q=form.q.data or "",
        role=form.role.data or "",
        status=form.status.data or "",
        sort=services.SORTING.read(request.args),
    )
    return download(exports.EXPORT, query, request.args.get("format"))


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(ADMIN)
@step_up_required
def create_user():
    """Add a user with roles and an initial password."""
    form = UserCreateForm()
    if form.validate_on_submit():
        user = auth_services.create_user(
            email=form.email.data,
            name=form.name.data,
            password=form.password.data,
            roles=form.roles.data,
            language=form.language.data,
            actor=current_user,
        )
        db.session.commit()
        flash(_l("User %(email)s was created.", email=user.email), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@role_required(ADMIN)
@step_up_required
def edit_user(user_id: int):
    """Change a user's details, roles or enabled flag."""
    user = db.get_or_404(User, user_id)
    form = UserEditForm(user)
    if form.validate_on_submit() and commit_step(
        lambda: auth_services.update_user(
            user,
            email=form.email.data,
            name=form.name.data,
            language=form.language.data,
            roles=form.roles.data,
            is_enabled=form.is_enabled.data,
            actor=current_user,
        ),
        record=user, version=form.version.data,
    ):
        _keep_own_session(user)
        flash(_l("User %(email)s was saved.", email=user.email), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user, password_form=PasswordResetForm(user))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@role_required(ADMIN)
@step_up_required
def reset_password(user_id: int):
    """Set a new password for a user, which also clears a lockout."""
    user = db.get_or_404(User, user_id)
    password_form = PasswordResetForm(user)
    if password_form.validate_on_submit():
        auth_services.set_password(user, password_form.password.data, actor=current_user, now=utcnow())
        db.session.commit()
        _keep_own_session(user)
        flash(_l("The password of %(email)s was reset.", email=user.email), "success")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    form = UserEditForm(user, formdata=None)
    return render_template("admin/user_form.html", form=form, user=user, password_form=password_form), 400


@bp.route("/users/<int:user_id>/second-factor/reset", methods=["POST"])
@role_required(ADMIN)
@step_up_required
def reset_second_factor(user_id: int):
    """Turn a user's second factor off (a lost phone); they set it up again at their next sign-in."""
    user = db.get_or_404(User, user_id)
    if commit_step(lambda: second_factor.reset(user, actor=current_user)):
        _keep_own_session(user)
        flash(_l("The second factor of %(email)s was reset.", email=user.email), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/settings", methods=["GET", "POST"])
@role_required(ADMIN)
@step_up_required
def settings():
    """Show and change the settings other features read with ``get_setting``."""
    definitions = list(settings_services.SETTINGS.values())
    rows = settings_services.stored_settings()
    current = settings_services.effective_values(rows)
    form = build_settings_form(definitions, current, settings_services.edit_state(rows))
    if form.validate_on_submit() and (
        saved := commit_step(
            lambda: settings_services.save_settings(form.values(), actor=current_user, state=form.state.data)
        )
    ):
        changes = saved.value
        flash(_("Settings saved.") if changes else _("Nothing was changed."), "success" if changes else "info")
        return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form, rows=rows)


@bp.route("/tokens")
@role_required(ADMIN)
def tokens():
    """Every user's API access tokens, newest first, each revocable."""
    pagination, now = paginate(api_tokens.all_tokens()), utcnow()
    return render_template(
        "admin/tokens.html", pagination=pagination, revoke_form=TokenRevokeForm(),
        states={token.id: api_tokens.token_state(token, now) for token in pagination.items},
        scope_labels=api_tokens.SCOPE_LABELS,
    )


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@role_required(ADMIN)
def revoke_token(token_id: int):
    """Revoke any user's token."""
    token = db.get_or_404(AccessToken, token_id)
    if TokenRevokeForm().validate_on_submit() and commit_step(
        lambda: api_tokens.revoke_token(token, actor=current_user, now=utcnow())
    ):
        flash(_("The token %(name)s was revoked.", name=token.name), "success")
    return redirect(url_for("admin.tokens"))


# --- business units (docs/units.md) ------------------------------------------------------------------

@bp.route("/units", methods=["GET", "POST"])
@role_required(ADMIN)
@step_up_required
def units():
    """The unit tree; a new unit (POST)."""
    all_units = unit_services.all_units()
    form = UnitForm(all_units)
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        outcome = commit_step(
            lambda: unit_services.create_unit(form.values(), actor=current_user), error_field=form.code
        )
        if outcome:
            flash(_l("Unit %(name)s was created.", name=form.name.data), "success")
            return redirect(url_for("admin.units"))
        status = outcome.status
    return render_template("admin/units.html", units=all_units, form=form), status


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@role_required(ADMIN)
@step_up_required
def edit_unit(unit_id: int):
    """A unit: its name, code, kind, parent and archived flag; its members and their roles."""
    unit = db.get_or_404(BusinessUnit, unit_id)
    form = UnitEditForm(unit_services.all_units(), unit)
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        outcome = commit_step(
            lambda: unit_services.update_unit(unit, form.values(), actor=current_user),
            record=unit, version=form.version.data, error_field=form.parent_id,
        )
        if outcome:
            flash(_l("Unit %(name)s was saved.", name=unit.name), "success")
            return redirect(url_for("admin.edit_unit", unit_id=unit.id))
        status = outcome.status
    return _unit_page(unit, form, MemberForm(auth_services.selectable_users(), formdata=None)), status


def _unit_page(unit: BusinessUnit, form, member_form):
    return render_template(
        "admin/unit_form.html", unit=unit, form=form, member_form=member_form,
        members=unit_services.members_of(unit),
    )


@bp.route("/units/<int:unit_id>/members", methods=["POST"])
@role_required(ADMIN)
@step_up_required
def add_unit_member(unit_id: int):
    """Give a user a role in the unit (and the units below it)."""
    unit = db.get_or_404(BusinessUnit, unit_id)
    member_form = MemberForm(auth_services.selectable_users())
    if member_form.validate_on_submit():
        user = db.get_or_404(User, int(member_form.user_id.data))
        if commit_step(lambda: unit_services.add_member(unit, user, member_form.role.data, actor=current_user),
                       error_field=member_form.role):
            flash(_l("%(user)s now holds this role in %(unit)s.", user=user.name, unit=unit.name), "success")
            return redirect(url_for("admin.edit_unit", unit_id=unit.id))
    return _unit_page(unit, UnitEditForm(unit_services.all_units(), unit, formdata=None), member_form), 400


@bp.route("/units/<int:unit_id>/members/<int:link_id>/remove", methods=["POST"])
@role_required(ADMIN)
@step_up_required
def remove_unit_member(unit_id: int, link_id: int):
    """Take a role in the unit away from a user."""
    unit = db.get_or_404(BusinessUnit, unit_id)
    link = db.get_or_404(UserRole, link_id)
    if link.unit_id != unit.id:
        abort(404)
    if commit_step(lambda: unit_services.remove_member(unit, link, actor=current_user)):
        flash(_l("The role was taken away."), "success")
    return redirect(url_for("admin.edit_unit", unit_id=unit.id))
