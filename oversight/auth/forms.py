"""Sign-in, password and language forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from oversight.auth.passwords import MAX_LENGTH, policy_errors, verify_password
from oversight.auth.roles import LANGUAGE_LABELS
from oversight.auth.tokens import LIFETIME_DAYS, SCOPE_LABELS
from oversight.core.baseform import Form
from oversight.core.forms import choices


class LoginForm(Form):
    email = StringField(_l("Email address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    remember = BooleanField(_l("Keep me signed in on this computer"), default=False)
    next = HiddenField()


class PolicyPassword:
    """Validator: the password policy, against the email in ``email_field`` or given by ``email``."""

    def __init__(self, email_field: str | None = None) -> None:
        self.email_field = email_field

    def __call__(self, form, field) -> None:
        email = getattr(form, "policy_email", None)
        if self.email_field:
            email = form[self.email_field].data
        errors = policy_errors(field.data or "", email)
        if errors:
            raise ValidationError(" ".join(errors))


class PasswordChangeForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), PolicyPassword()])
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
    )

    def __init__(self, user, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.policy_email = user.email

    def validate_current_password(self, field) -> None:
        if not verify_password(self.user.password_hash, field.data or ""):
            raise ValidationError(_l("The current password is not correct."))


class LanguageForm(Form):
    language = SelectField(_l("Language"), choices=choices(LANGUAGE_LABELS.items()), validators=[DataRequired()])


class AccessTokenForm(Form):
    """A new personal access token for the API: a name to tell it apart, its scope and lifetime."""

    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)])
    scope = SelectField(_l("What the token may do"), choices=choices(SCOPE_LABELS.items()), default="read")
    days = SelectField(
        _l("Valid for"),
        choices=choices((str(days), _l("%(days)d days", days=days)) for days in LIFETIME_DAYS),
        default="90",
    )


class TokenRevokeForm(Form):
    """Revoke a token (no fields: the CSRF token is the point)."""
class EnrolForm(Form):
    code = StringField(
        _l("Code from the app"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class SecondFactorForm(Form):
    code = StringField(
        _l("Code from the app, or a recovery code"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"autocomplete": "one-time-code"},
    )
    next = HiddenField()
