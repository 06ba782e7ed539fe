"""The evidence upload form; features can also put ``AllowedUpload`` on their own ``FileField``."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, TextAreaField
from wtforms.validators import Length, Optional

from oversight.core.baseform import Form
from oversight.core.mynumber import MyNumberGuardMixin, find_my_numbers
from oversight.evidence.validation import ACCEPT_ATTRIBUTE, AllowedUpload, decode_text, max_upload_bytes

FILE_MY_NUMBER_MESSAGE = _l(
    "The file contains a 12-digit number that looks like a My Number (個人番号). Remove it from the file, "
    "or tick “This is not a My Number” below if it is something else."
)


class EvidenceUploadForm(MyNumberGuardMixin, Form):
    """A file with the date the document bears and a short description.

    Besides the text fields, the My Number guard also reads TXT and CSV uploads.
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

    def check_my_numbers(self) -> bool:
        """The guard on the text fields, and on the content of a TXT or CSV upload."""
        passed = super().check_my_numbers()
        inspected = getattr(self.file, "inspected", None)
        if inspected is None or inspected.kind not in ("txt", "csv"):
            return passed
        if not find_my_numbers(decode_text(inspected.data)):
            return passed
        self.my_number_fields.append(self.file)
        if self.confirm_not_my_number.data:
            return passed
        self.file.errors = [*self.file.errors, FILE_MY_NUMBER_MESSAGE]
        return False
