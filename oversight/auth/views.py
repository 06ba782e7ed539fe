"""Sign-in, sign-out, password change, language choice and the user's API access tokens."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from oversight.auth import services
from oversight.auth import tokens as api_tokens
from oversight.auth.decorators import public, role_required
from oversight.auth.forms import AccessTokenForm, LanguageForm, LoginForm, PasswordChangeForm, TokenRevokeForm
from oversight.auth.models import AccessToken
from oversight.auth.permissions import can_stay_signed_in
from oversight.core.timeutil import utcnow
from oversight.extensions import db
from oversight.web.saving import commit_step

bp = Blueprint("auth", __name__, url_prefix="/auth")



def _safe_next(target: str | None) -> str | None:
    """Only redirect to a path on this site."""
    if not target:
        return None
    # Browsers read "/\\host" and "/<tab>/host" as "//host": refuse backslashes and control characters.
    if "\\" in target or any(ord(char) < 32 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _not_kept_signed_in() -> str:
    """Why the ticked "keep me signed in" box had no effect (docs/sessions.md)."""
    return _(
        "Administrators and managers are not kept signed in: after %(minutes)d minutes without activity "
        "you will need to sign in again.",
        minutes=current_app.config["IDLE_TIMEOUT_MINUTES"],
    )


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Show the sign-in form; sign the user in when the credentials are right."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm(next=request.args.get("next"))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data, now=utcnow())
        db.session.commit()
        if user is not None:
            session.clear()
            remember = form.remember.data and can_stay_signed_in(user)
            login_user(user, remember=remember)
            if form.remember.data and not remember:
                flash(_not_kept_signed_in(), "info")
            return redirect(_safe_next(form.next.data) or url_for("dashboard.index"))
        flash(
            _(
                "Sign-in failed. Check your email address and password. After %(count)d failed "
                "attempts, sign-in is blocked for %(minutes)d minutes.",
                count=current_app.config["LOCKOUT_THRESHOLD"],
                minutes=current_app.config["LOCKOUT_MINUTES"],
            ),
            "danger",
        )
    language_form = LanguageForm(language=session.get("language", current_app.config["BABEL_DEFAULT_LOCALE"]))
    return render_template("auth/login.html", form=form, language_form=language_form)


@bp.route("/logout", methods=["POST"])
@role_required()
def logout():
    """Sign out: every session of the user ends, on every computer, with every remember-me cookie."""
    services.sign_out(current_user._get_current_object())
    db.session.commit()
    message = _("You have signed out.")  # in the user's language, before the user is gone
    language = current_user.language
    session.clear()
    logout_user()  # after clear(): it marks the remember-me cookie for deletion in the session
    session["language"] = language  # the sign-in page stays in the language the user chose
    flash(message, "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
@public
def language():
    """Switch the UI language: stored on the user when signed in, in the session otherwise."""
    form = LanguageForm()
    if form.validate_on_submit():
        session["language"] = form.language.data
        if current_user.is_authenticated:
            services.set_language(current_user, form.language.data)
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")) or url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@role_required()
def password():
    """Let a signed-in user change their own password."""
    form = PasswordChangeForm(current_user)
    if form.validate_on_submit():
        services.set_password(current_user, form.new_password.data, actor=current_user, now=utcnow())
        db.session.commit()
        # The session token changed: sign this session in again (with the user, not the proxy).
        login_user(current_user._get_current_object())
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("dashboard.index"))
    return render_template("auth/password.html", form=form)


@bp.route("/tokens", methods=["GET", "POST"])
@role_required()
def tokens():
    """The user's personal access tokens for the API: create one (shown once), see and revoke them."""
    form = AccessTokenForm()
    secret = None
    if form.validate_on_submit():
        outcome = commit_step(lambda: api_tokens.create_token(
            current_user, name=form.name.data, scope=form.scope.data, days=int(form.days.data),
            actor=current_user, now=utcnow(),
        ), error_field=form.name)
        if outcome:
            secret = outcome.value[1]
            form = AccessTokenForm(formdata=None)
    listed, now = api_tokens.tokens_of(current_user), utcnow()
    return render_template(
        "auth/tokens.html", form=form, secret=secret, tokens=listed, revoke_form=TokenRevokeForm(),
        states={token.id: api_tokens.token_state(token, now) for token in listed}, scope_labels=api_tokens.SCOPE_LABELS,
    )


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@role_required()
def revoke_token(token_id: int):
    """Revoke one of the user's own tokens."""
    token = db.get_or_404(AccessToken, token_id)
    if token.user_id != current_user.id:
        abort(404)
    if TokenRevokeForm().validate_on_submit() and commit_step(
        lambda: api_tokens.revoke_token(token, actor=current_user, now=utcnow())
    ):
        flash(_("The token %(name)s was revoked.", name=token.name), "success")
    return redirect(url_for("auth.tokens"))
