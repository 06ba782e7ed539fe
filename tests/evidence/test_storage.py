"""The evidence stores against real servers on loopback: a local folder, S3 (moto server) and Azure (Azurite)."""

from __future__ import annotations

import hashlib
import io

import pytest

from oversight.activity.models import ActivityLog
from oversight.evidence import services, storage
from oversight.evidence.validation import SPOOL_IN_MEMORY, inspect_upload
from oversight.extensions import db
from oversight.reports import pack
from tests.evidence.conftest import PDF_BYTES, upload


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(params=["local", "s3", "azure"])
def store(request, tmp_path):
    """Each kind of store, empty, as the app's configuration would build it."""
    if request.param == "local":
        return storage.store_for("local", {"UPLOAD_FOLDER": str(tmp_path / "uploads")})
    if request.param == "s3":
        server = request.getfixturevalue("s3_server")
        return storage.store_for("s3", server.config(server.new_bucket()))
    server = request.getfixturevalue("azurite")
    return storage.store_for("azure", server.config(server.new_container()))


def test_a_store_keeps_bytes_under_their_hash_once_and_lists_them(store):
    data = b"%PDF-1.4\n" + bytes(range(256)) * 5000  # 1.2 MB: more than one chunk each way
    sha256 = _sha(data)
    assert store.size_of(sha256) is None
    assert store.put(sha256, io.BytesIO(data), len(data)) is True
    assert store.size_of(sha256) == len(data)
    with store.open(sha256) as handle:
        assert handle.read(10) == data[:10]
        assert handle.read() == data[10:]
    # Written once: a second put with other bytes under the same name changes nothing.
    assert store.put(sha256, io.BytesIO(b"other bytes"), 11) is False
    with store.open(sha256) as handle:
        assert storage.sha256_of(handle) == (sha256, len(data))
    [listed] = list(store.list())
    assert (listed.sha256, listed.size) == (sha256, len(data))
    store.delete(sha256)
    assert store.size_of(sha256) is None and list(store.list()) == []
    with pytest.raises(FileNotFoundError):
        store.open(sha256)


def test_s3_server_side_encryption_is_asked_for(s3_server):
    settings = s3_server.config(s3_server.new_bucket()) | {"EVIDENCE_S3_SSE": "AES256"}
    store = storage.store_for("s3", settings)
    store.put(_sha(PDF_BYTES), io.BytesIO(PDF_BYTES), len(PDF_BYTES))
    head = store.client.head_object(Bucket=store.bucket, Key=store.key(_sha(PDF_BYTES)))
    assert head["ServerSideEncryption"] == "AES256"
    assert store.key(_sha(PDF_BYTES)) == f"evidence/{_sha(PDF_BYTES)[:2]}/{_sha(PDF_BYTES)[2:4]}/{_sha(PDF_BYTES)}"


def test_an_unknown_store_or_a_missing_bucket_is_refused():
    with pytest.raises(storage.StoreError, match="EVIDENCE_STORE"):
        storage.store_for("ftp", {})
    with pytest.raises(storage.StoreError, match="EVIDENCE_S3_BUCKET"):
        storage.store_for("s3", {})
    with pytest.raises(storage.StoreError, match="EVIDENCE_AZURE_CONTAINER"):
        storage.store_for("azure", {})


def test_a_large_upload_is_spooled_to_a_temporary_file_and_hashed_on_the_way(app_ctx):
    data = ("研修記録 2026-11-01\n" * 200_000).encode()  # 4.6 MB of text
    inspected = inspect_upload(upload(data, "記録.txt"))
    assert inspected.sha256 == _sha(data) and inspected.size == len(data)
    assert len(data) > SPOOL_IN_MEMORY and inspected.spool._rolled  # on disk, not in memory
    assert inspected.opened().read() == data


@pytest.mark.parametrize("kind", ["s3", "azure"])
def test_upload_download_and_pack_through_an_object_store(app, client, login_as, use_store, kind, request):
    server = request.getfixturevalue("s3_server" if kind == "s3" else "azurite")
    name = server.new_bucket() if kind == "s3" else server.new_container()
    use_store(kind, server.config(name))
    login_as("auditor")
    with app.app_context():
        evidence = services.store_upload(upload(PDF_BYTES, "証明書.pdf"), ("contract", 7), actor=None)
        db.session.commit()
        file_id, sha256 = evidence.id, evidence.sha256
        assert [blob.sha256 for blob in storage.current_store().list()] == [sha256]
    folder_store = storage.store_for("local", app.config)
    assert folder_store.size_of(sha256) is None  # nothing written to the local folder

    response = client.get(f"/evidence/{file_id}/download")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.data == PDF_BYTES
    assert response.headers["Content-Length"] == str(len(PDF_BYTES))
    assert response.headers["Content-Disposition"].startswith("attachment;")

    with app.app_context():
        from oversight.reports.data import EvidenceRef

        row = db.session.get(services.EvidenceFile, file_id)
        ref = EvidenceRef(
            record="vendor", owner_type=row.owner_type, owner_id=row.owner_id, evidence_id=row.id,
            filename=row.original_filename, size=row.size, sha256=row.sha256, content_type=row.content_type,
            uploaded_at=row.uploaded_at,
            description=row.description,
        )
        target = io.BytesIO()
        pack.write_pack(target, b"%PDF-1.4 report", "report.pdf", [ref], row.uploaded_at)
    import zipfile

    with zipfile.ZipFile(target) as archive:
        assert archive.read(pack.pack_path(ref)) == PDF_BYTES


def test_a_download_of_a_missing_object_answers_404_and_is_not_logged(app, client, login_as, use_store, s3_server):
    use_store("s3", s3_server.config(s3_server.new_bucket()))
    login_as("auditor")
    with app.app_context():
        evidence = services.store_upload(upload(PDF_BYTES, "a.pdf"), ("contract", 3), actor=None)
        db.session.commit()
        storage.current_store().delete(evidence.sha256)
        file_id = evidence.id
    assert client.get(f"/evidence/{file_id}/download").status_code == 404
    with app.app_context():
        assert not db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "evidence.download"))
