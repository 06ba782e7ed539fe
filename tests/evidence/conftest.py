import io
import zipfile

import pytest
from werkzeug.datastructures import FileStorage

from tests.uploads import pdf_bytes

PDF_BYTES = pdf_bytes("Certificate of deletion")
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00" + b"\x00" * 16
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 16
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 64


def office_bytes(main_part: str, extra: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/main.xml" ContentType="{main_part}"/></Types>',
        )
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX_BYTES = office_bytes("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")
XLSX_BYTES = office_bytes("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")


def upload(data: bytes, filename: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=filename, content_type="application/octet-stream")


@pytest.fixture
def owner_registry(app):
    """Declare an owner type for one test: ``owner_registry("test_owner", check)``."""
    from contextlib import ExitStack

    from oversight.core import registry
    from oversight.core.registry import Feature

    with ExitStack() as stack:

        def declare(owner_type, check):
            stack.enter_context(registry.of(app).extra(Feature("tests", evidence_owners={owner_type: check})))

        yield declare


from tests.objectstores import azurite, s3_server  # noqa: E402, F401 - fixtures for the store tests


@pytest.fixture
def use_store(app):
    """Point the app at another evidence store for one test: ``use_store("s3", {settings})``."""
    from oversight.evidence import storage

    saved = dict(app.config)

    def use(kind: str, settings: dict[str, str] | None = None) -> None:
        app.config.update(settings or {}, EVIDENCE_STORE=kind)
        with app.app_context():
            storage.reset_store()

    yield use
    app.config.clear()
    app.config.update(saved)
    with app.app_context():
        storage.reset_store()
