"""The activity log's filter form."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional, ValidationError

from oversight.activity.actions import ACTION_LABELS, OBJECT_TYPE_LABELS
from oversight.core.baseform import Form
from oversight.core.forms import LongSelect, LongSelectField, choices
from oversight.core.query import DATABASE_INT_MAX


class LogFilterForm(Form):
    class Meta:
        csrf = False

    actor = LongSelectField(_l("User"), coerce=str, validators=[Optional()])
    object_type = SelectField(_l("Record type"), validators=[Optional()], widget=LongSelect())
    object_id = IntegerField(_l("Record ID"), validators=[Optional(), NumberRange(min=1, max=DATABASE_INT_MAX)])
    action = SelectField(_l("Action"), validators=[Optional()], widget=LongSelect())
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])

    def __init__(self, *args, users=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        people = [(str(user.id), f"{user.name} <{user.email}>") for user in users]
        self.actor.choices = choices([("", _l("Everyone")), *people])
        self.object_type.choices = choices([("", _l("All")), *OBJECT_TYPE_LABELS.items()])
        self.action.choices = choices([("", _l("All")), *ACTION_LABELS.items()])

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))
