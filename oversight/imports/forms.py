"""The upload form of the bulk import and the confirmation form of its preview."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import StringField
from wtforms.validators import Length, Optional

from oversight.core.baseform import Form
from oversight.evidence.validation import AllowedUpload


class ImportUploadForm(Form):
    """An XLSX or CSV file and, for a workbook, the sheet to read (the first one when blank).

    The My Number guard runs on every cell in the preview, where it can name the row and column.
    """

    file = FileField(
        _l("File"),
        validators=[AllowedUpload(required=True)],
        render_kw={"accept": ".xlsx,.csv"},
        description=_l("Excel (.xlsx) or CSV in UTF-8 or Shift_JIS, with the template's header row."),
    )
    sheet = StringField(
        _l("Sheet"),
        validators=[Optional(), Length(max=31)],
        description=_l("The name of the sheet to read from a workbook; blank for the first sheet."),
    )


class ImportConfirmForm(Form):
    """Confirms the import of the previewed file (CSRF only: the file is kept on the server)."""
