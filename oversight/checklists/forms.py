"""Forms for editing draft checklist templates."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from oversight.checklists.models import LEVEL_LABELS, ChecklistItem, ChecklistTemplate
from oversight.core.baseform import Form
from oversight.core.forms import VersionField, choices
from oversight.core.mynumber import MyNumberGuardMixin


class ItemForm(MyNumberGuardMixin, Form):
    """One checklist item of a draft."""

    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=20),
            Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Use letters, digits, '-', '_' or '.' only.")),
        ],
    )
    position = IntegerField(_l("Position"), validators=[Optional(), NumberRange(min=1, max=9999)])
    category_ja = StringField(_l("Category (Japanese)"), validators=[Optional(), Length(max=100)])
    category_en = StringField(_l("Category (English)"), validators=[Optional(), Length(max=100)])
    text_ja = TextAreaField(_l("Text (Japanese)"), validators=[DataRequired(), Length(max=2000)])
    text_en = TextAreaField(_l("Text (English)"), validators=[Optional(), Length(max=2000)])
    is_required = BooleanField(_l("Required: a negative answer blocks approval"))
    vendor_answerable = BooleanField(_l("The vendor answers this item in the portal's questionnaire"))
    requirement_level = SelectField(
        _l("Level in the guideline"), choices=choices(LEVEL_LABELS.items()), default="required"
    )
    requirement_note = StringField(_l("Level note"), validators=[Optional(), Length(max=300)])
    guidance_ja = TextAreaField(_l("Guidance (Japanese)"), validators=[Optional(), Length(max=4000)])
    guidance_en = TextAreaField(_l("Guidance (English)"), validators=[Optional(), Length(max=4000)])
    source_reference = StringField(_l("Source reference"), validators=[Optional(), Length(max=500)])

    def __init__(self, template: ChecklistTemplate, item: ChecklistItem | None = None, **kwargs) -> None:
        super().__init__(obj=item, **kwargs)
        self.template = template
        self.item = item

    def validate_code(self, field) -> None:
        code = (field.data or "").strip()
        if any(other.code == code and other is not self.item for other in self.template.items):
            raise ValidationError(_l("Another item of this checklist already has this code."))

    def values(self) -> dict:
        """The item fields as the services take them."""
        values = {
            name: (getattr(self, name).data or "").strip()
            for name in (
                "code", "category_ja", "category_en", "text_ja", "text_en", "requirement_note",
                "guidance_ja", "guidance_en", "source_reference",
            )
        }
        values["is_required"] = bool(self.is_required.data)
        values["vendor_answerable"] = bool(self.vendor_answerable.data)
        values["requirement_level"] = self.requirement_level.data
        if self.position.data:
            values["position"] = self.position.data
        return values


class ItemEditForm(ItemForm):
    version = VersionField()


class TemplateForm(MyNumberGuardMixin, Form):
    """The name and note of a draft."""

    name_ja = StringField(_l("Name (Japanese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=200)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    version = VersionField()


class ConfirmForm(Form):
    """A button that changes something (copy, publish, remove): only the CSRF token."""
