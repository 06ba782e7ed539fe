"""The outbox filter form."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional

from oversight.core.baseform import Form
from oversight.core.forms import choices
from oversight.reminders.models import FAILED, LOGGED, PENDING, SENDING, SENT, UNCERTAIN

STATUS_LABELS = {
    PENDING: _l("Pending"),
    SENDING: _l("Sending"),
    SENT: _l("Sent"),
    FAILED: _l("Failed"),
    UNCERTAIN: _l("Uncertain (may have been sent)"),
    LOGGED: _l("Logged (not sent)"),
}


class OutboxFilterForm(Form):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()])
    rule = SelectField(_l("Rule"), validators=[Optional()])
    recipient = SelectField(_l("Recipient"), validators=[Optional()])

    def __init__(self, *args, rules=(), users=(), **kwargs) -> None:
        """``rules``: (rule code, label) pairs."""
        super().__init__(*args, **kwargs)
        self.status.choices = choices([("", _l("All")), *STATUS_LABELS.items()])
        self.rule.choices = choices([("", _l("All")), *rules])
        self.recipient.choices = choices(
            [("", _l("Everyone"))] + [(str(user.id), f"{user.name} <{user.email}>") for user in users]
        )


class ResendForm(Form):
    """Only the CSRF token (the resend and mark-as-sent buttons)."""
