"""Sign-in, sign-out, password change, language choice and the user's API access tokens."""

from urllib.parse import urlsplit

from authlib.common.errors import AuthlibBaseError
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from joserfc.errors import JoseError
from requests import RequestException

from oversight.activity import services as activity
from oversight.admin.sign_in_settings import oidc_settings, password_sign_in_allowed
from oversight.auth import oidc, oidc_client, second_factor, services
from oversight.auth import tokens as api_tokens
from oversight.auth.decorators import public, role_required
from oversight.auth.forms import (
    AccessTokenForm,
    EnrolForm,
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    SecondFactorForm,
    TokenRevokeForm,
)
from oversight.auth.models import AccessToken
from oversight.auth.permissions import can_stay_signed_in
from oversight.core.timeutil import utcnow
from oversight.extensions import db
from oversight.web.saving import commit_step
from oversight.web.second_factor import mark_checked, step_up_required

bp = Blueprint("auth", __name__, url_prefix="/auth")

PENDING_SECRET = "totp_pending_secret"

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


def _password_sign_in_off(email: str) -> bool:
    """Refuse (and log) a password when passwords are off and ``email`` is not the break-glass admin's."""
    if password_sign_in_allowed(email):
        return False
    activity.record("auth.login_failed", summary=f"{services.normalise_email(email)} (password sign-in is off)"[:200])
    db.session.commit()
    flash(_("Sign-in with a password is turned off. Sign in with your company account."), "danger")
    return True


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Show the sign-in form; sign the user in when the credentials are right."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm(next=request.args.get("next"))
    if form.validate_on_submit() and not _password_sign_in_off(form.email.data):
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
    return render_template(
        "auth/login.html", form=form, language_form=language_form, oidc_enabled=oidc_client.is_configured(),
        provider_name=current_app.config["OIDC_PROVIDER_NAME"],
    )


@bp.route("/oidc/start")
@public
def oidc_start():
    """Send the browser to the company's identity provider (PKCE, state and nonce kept in the session)."""
    if not oidc_client.is_configured():
        return redirect(url_for("auth.login"))
    session["oidc_next"] = _safe_next(request.args.get("next"))
    try:
        return oidc_client.client().authorize_redirect(url_for("auth.oidc_callback", _external=True))
    except (AuthlibBaseError, RequestException, ValueError) as error:
        current_app.logger.warning("OpenID provider unavailable: %s", error)
        flash(_("The company sign-in is not available right now. Try again later."), "danger")
        return redirect(url_for("auth.login"))


@bp.route("/oidc/callback")
@public
def oidc_callback():
    """The provider sends the browser back with a code: verify everything, then sign the user in."""
    if not oidc_client.is_configured():
        return redirect(url_for("auth.login"))
    config = current_app.config
    try:
        token = oidc_client.client().authorize_access_token(leeway=config["OIDC_CLOCK_SKEW_SECONDS"])
        claims = token.get("userinfo")  # verified from the ID token: present only when a nonce was checked
        if not claims:
            raise ValueError("no verified ID token")
        user = oidc.sign_in(
            claims, issuer=oidc_client.issuer(), groups_claim=config["OIDC_GROUPS_CLAIM"], now=utcnow(),
            **oidc_settings(),
        )
    except oidc.OidcSignInRefused as refusal:
        db.session.commit()  # the refusal stays in the activity log
        flash(refusal.message, "danger")
        return redirect(url_for("auth.login"))
    except (AuthlibBaseError, JoseError, RequestException, ValueError) as error:
        db.session.rollback()
        activity.record("auth.login_failed", summary=f"company sign-in: {type(error).__name__}: {error}"[:200])
        db.session.commit()
        flash(_("The company sign-in failed. Please try again."), "danger")
        return redirect(url_for("auth.login"))
    db.session.commit()
    target = _safe_next(session.get("oidc_next"))
    session.clear()
    login_user(user)
    return redirect(target or url_for("dashboard.index"))


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
@step_up_required
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


@bp.route("/second-factor/setup", methods=["GET", "POST"])
@role_required()
def enrol_second_factor():
    """Set up an authenticator app: show the secret as a QR code and text, confirm it with a code."""
    user = current_user._get_current_object()
    if user.has_second_factor:
        return redirect(url_for("dashboard.index"))
    secret = _pending_secret()
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = second_factor.confirm_enrolment(user, secret, form.code.data, now=utcnow())
        except second_factor.SecondFactorError as error:
            form.code.errors.append(error.message)
        else:
            session.pop(PENDING_SECRET, None)
            mark_checked()
            db.session.commit()
            # Shown once, on this response only: stored as hashes, never readable again.
            return render_template(
                "auth/recovery_codes.html", codes=codes, next=_safe_next(request.args.get("next"))
            )
        db.session.commit()  # the failed attempt stays in the activity log
    uri = second_factor.provisioning_uri(user, secret, current_app.config["COMPANY_NAME"])
    return render_template(
        "auth/enrol.html", form=form, secret=secret, qr=second_factor.qr_svg(uri)
    ), 400 if form.errors else 200


def _pending_secret() -> str:
    """The secret being set up: the one this session holds (sealed), or a new one."""
    secret = second_factor.open_pending(session.get(PENDING_SECRET))
    if secret is None:
        secret = second_factor.new_secret()
        session[PENDING_SECRET] = second_factor.seal_pending(secret)
    return secret


@bp.route("/second-factor", methods=["GET", "POST"])
@role_required()
def verify_second_factor():
    """Ask for a code: after the password (or any new session), and again before sensitive actions."""
    user = current_user._get_current_object()
    if not user.has_second_factor:
        return redirect(url_for("dashboard.index"))
    form = SecondFactorForm(next=request.args.get("next"))
    purpose = "step-up" if request.args.get("step_up") else "sign-in"
    if form.validate_on_submit():
        try:
            second_factor.verify(user, form.code.data, now=utcnow(), purpose=purpose)
        except second_factor.SecondFactorError as error:
            form.code.errors.append(error.message)
        else:
            mark_checked()
            db.session.commit()
            return redirect(_safe_next(form.next.data) or url_for("dashboard.index"))
        db.session.commit()  # the failure stays in the activity log
    return render_template(
        "auth/second_factor.html", form=form, step_up=purpose == "step-up"
    ), 400 if form.errors else 200
