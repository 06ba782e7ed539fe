"""The evidence upload form; features can also put ``AllowedUpload`` on their own ``FileField``."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, TextAreaField
from wtforms.validators import Length, Optional

from oversight.core.mynumber import MyNumberGuardMixin
from oversight.evidence.validation import ACCEPT_ATTRIBUTE, AllowedUpload


class EvidenceUploadForm(MyNumberGuardMixin, FlaskForm):
    """A file with the date the document bears and a short description."""

    file = FileField(
        _l("File"),
        validators=[AllowedUpload(required=True)],
        render_kw={"accept": ACCEPT_ATTRIBUTE},
        description=_l("PDF, PNG, JPEG, DOCX, XLSX, TXT or CSV."),
    )
    document_date = DateField(
        _l("Document date"),
        validators=[Optional()],
        description=_l("The date printed on the document, if any."),
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=1000)])
