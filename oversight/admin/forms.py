"""Forms for managing users."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from oversight.auth import services as auth_services
from oversight.auth.forms import PolicyPassword
from oversight.auth.roles import ALL_ROLES, LANGUAGE_LABELS, ROLE_LABELS
from oversight.core.baseform import Form
from oversight.core.forms import MultiCheckboxField, VersionField, choices


def _strip(value):
    """Leading and trailing spaces, as pasted from a mail, are not part of the value."""
    return value.strip() if isinstance(value, str) else value


def _role_choices():
    return choices((role, ROLE_LABELS[role]) for role in ALL_ROLES)


class UserFields(Form):
    email = StringField(_l("Email address"), filters=[_strip], validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), filters=[_strip], validators=[DataRequired(), Length(max=100)])
    language = SelectField(_l("Language"), choices=choices(LANGUAGE_LABELS.items()), default="ja")
    roles = MultiCheckboxField(
        _l("Roles"), choices=_role_choices(), validators=[DataRequired(message=_l("Choose at least one role."))]
    )

    editing_user = None

    def validate_email(self, field) -> None:
        existing = auth_services.find_by_email(field.data or "")
        if existing is not None and existing is not self.editing_user:
            raise ValidationError(_l("Another user already has this email address."))


class UserCreateForm(UserFields):
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), PolicyPassword("email")])
    confirm_password = PasswordField(
        _l("Initial password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class UserEditForm(UserFields):
    is_enabled = BooleanField(_l("Account enabled"))
    version = VersionField()

    def __init__(self, user, *args, **kwargs) -> None:
        super().__init__(*args, obj=user, **kwargs)
        self.editing_user = user
        if not self.is_submitted():
            self.roles.data = user.roles


class PasswordResetForm(Form):
    password = PasswordField(_l("New password"), validators=[DataRequired(), PolicyPassword()])
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )

    def __init__(self, user, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.policy_email = user.email


class UserFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    role = SelectField(
        _l("Role"),
        choices=choices([("", _l("All roles")), *((role, ROLE_LABELS[role]) for role in ALL_ROLES)]),
        validators=[Optional()],
    )
    status = SelectField(
        _l("Status"),
        choices=choices([("", _l("All")), ("enabled", _l("Enabled")), ("disabled", _l("Disabled"))]),
        validators=[Optional()],
    )
