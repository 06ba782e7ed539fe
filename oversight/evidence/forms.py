"""The evidence upload form; features can also put ``AllowedUpload`` on their own ``FileField``."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, TextAreaField
from wtforms.validators import Length, Optional

from oversight.core.baseform import Form
from oversight.core.mynumber import MyNumberGuardMixin
from oversight.evidence.validation import ACCEPT_ATTRIBUTE, AllowedUpload, max_upload_bytes


class EvidenceUploadForm(MyNumberGuardMixin, Form):
    """A file with the date the document bears and a short description.

    The My Number guard reads the text fields and the file's name and text.
    """

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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # static/js/app.js refuses an oversized file before it is sent, so nothing typed is lost
        # to the server's 413 answer; the server-side check stays the rule.
        limit = max_upload_bytes()
        self.file.render_kw = {
            **(self.file.render_kw or {}),
            "data-max-bytes": str(limit),
            "data-too-large": _("The file is larger than %(limit)d MB. Upload a smaller file.", limit=limit // 2**20),
        }
