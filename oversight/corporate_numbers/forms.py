"""The upload form of the NTA's corporate-number data."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired

from oversight.core.baseform import Form


class CorporateDataUploadForm(Form):
    """A CSV file of the NTA's 基本3情報 (UTF-8 or Shift-JIS), or the zip the NTA distributes."""

    file = FileField(
        _l("File"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(("csv", "zip"), _l("Upload the CSV file or the zip downloaded from the NTA's site.")),
        ],
        render_kw={"accept": ".csv,.zip"},
        description=_l(
            "A full-data or diff file of the NTA's corporate-number site, in CSV (Unicode or Shift-JIS), "
            "as a .zip or unzipped."
        ),
    )
