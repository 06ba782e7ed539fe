"""``flask evidence migrate`` and ``flask evidence verify`` against real servers: local → S3 → Azure → local."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

from oversight.activity.models import ActivityLog
from oversight.evidence import services, storage
from oversight.evidence.models import EvidenceFile
from oversight.extensions import db
from tests.evidence.conftest import DOCX_BYTES, PDF_BYTES, PNG_BYTES, upload

FILES = {
    "契約書.pdf": PDF_BYTES,
    "写真.png": PNG_BYTES,
    "覚書.docx": DOCX_BYTES,
    "記録.txt": ("研修記録 2026-11-01\n" * 120_000).encode(),  # 2.8 MB: spooled to disk, several chunks
}


def _uploaded(app) -> dict[int, str]:
    with app.app_context():
        ids = {}
        for position, (name, data) in enumerate(FILES.items()):
            evidence = services.store_upload(upload(data, name), ("contract", position + 1), actor=None)
            ids[evidence.id] = evidence.sha256
        # The same bytes on a second record: one blob, two rows.
        again = services.store_upload(upload(PDF_BYTES, "写し.pdf"), ("audit", 9), actor=None)
        ids[again.id] = again.sha256
        db.session.commit()
    return ids


def _invoke(app, *args):
    return app.test_cli_runner().invoke(args=["evidence", *args], catch_exceptions=False)


def _all_hashes_match(app, ids: dict[int, str]) -> None:
    with app.app_context():
        store = storage.current_store()
        for evidence_id, sha256 in ids.items():
            row = db.session.get(EvidenceFile, evidence_id)
            with store.open(row.sha256) as handle:
                assert hashlib.sha256(handle.read()).hexdigest() == sha256


def test_round_trip_local_s3_azure_local_keeps_every_hash(app, use_store, s3_server, azurite, tmp_path):
    s3 = s3_server.config(s3_server.new_bucket())
    azure = azurite.config(azurite.new_container())
    use_store("local", {**s3, **azure, "UPLOAD_FOLDER": str(tmp_path / "first")})
    ids = _uploaded(app)
    blobs = len(set(ids.values()))

    dry = _invoke(app, "migrate", "--to", "s3", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"0 copied, {blobs} to copy" in dry.output
    with app.app_context():
        assert list(storage.store_for("s3", app.config).list()) == []

    first = _invoke(app, "migrate", "--to", "s3")
    assert first.exit_code == 0, first.output
    assert f"{blobs} copied, 0 to copy, 0 already there, 0 failed" in first.output
    resumed = _invoke(app, "migrate", "--to", "s3")  # run again: nothing copied twice, each hash checked
    assert f"0 copied, 0 to copy, {blobs} already there, 0 failed" in resumed.output

    use_store("s3")
    _all_hashes_match(app, ids)
    assert _invoke(app, "verify").exit_code == 0
    assert _invoke(app, "migrate", "--to", "azure").exit_code == 0

    use_store("azure")
    _all_hashes_match(app, ids)
    checked = _invoke(app, "verify")
    assert checked.exit_code == 0 and f"{blobs} checked, 0 missing, 0 corrupt, 0 orphans." in checked.output
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "back")
    assert _invoke(app, "migrate", "--to", "local").exit_code == 0

    use_store("local")
    _all_hashes_match(app, ids)
    assert (tmp_path / "back").is_dir()
    assert _invoke(app, "verify").exit_code == 0
    with app.app_context():
        logged = db.session.scalars(
            db.select(ActivityLog.summary).where(ActivityLog.action == "evidence.migrate").order_by(ActivityLog.id)
        ).all()
    assert len(logged) == 4 and f"{blobs} copied" in logged[0] and f"{blobs} already there" in logged[1]


def test_verify_reports_a_corrupted_and_a_missing_object(app, use_store, s3_server):
    use_store("s3", s3_server.config(s3_server.new_bucket()))
    ids = _uploaded(app)
    with app.app_context():
        store = storage.current_store()
        pdf, png = hashlib.sha256(PDF_BYTES).hexdigest(), hashlib.sha256(PNG_BYTES).hexdigest()
        # Corrupt one object behind the app's back (the same size, other bytes), remove another.
        store.client.put_object(Bucket=store.bucket, Key=store.key(pdf), Body=b"X" * len(PDF_BYTES))
        store.delete(png)
    result = _invoke(app, "verify")
    assert result.exit_code == 1
    pdf_ids = ", ".join(str(i) for i, sha in ids.items() if sha == pdf)
    actual = hashlib.sha256(b"X" * len(PDF_BYTES)).hexdigest()
    assert f"CORRUPT {pdf} (evidence {pdf_ids}): its bytes hash to {actual}" in result.output
    assert f"MISSING {png}" in result.output
    assert "2 missing" not in result.output and "1 missing, 1 corrupt" in result.output


def test_migrate_refuses_to_copy_a_corrupted_source_object(app, use_store, s3_server, azurite):
    use_store("s3", {**s3_server.config(s3_server.new_bucket()), **azurite.config(azurite.new_container())})
    _uploaded(app)
    with app.app_context():
        store = storage.current_store()
        pdf = hashlib.sha256(PDF_BYTES).hexdigest()
        store.client.put_object(Bucket=store.bucket, Key=store.key(pdf), Body=b"tampered")
    result = _invoke(app, "migrate", "--to", "azure")
    assert result.exit_code == 1
    assert f"FAILED {pdf}: the source's bytes hash to" in result.output
    with app.app_context():
        assert storage.store_for("azure", app.config).size_of(pdf) is None
        assert len(list(storage.store_for("azure", app.config).list())) == len(set(FILES.values())) - 1


def test_orphans_are_listed_and_deleted_only_when_old_enough_and_logged(app, use_store, azurite):
    use_store("azure", azurite.config(azurite.new_container()))
    _uploaded(app)
    orphan = b"an abandoned upload"
    orphan_sha = hashlib.sha256(orphan).hexdigest()
    with app.app_context():
        storage.current_store().put(orphan_sha, io.BytesIO(orphan), len(orphan))
    listed = _invoke(app, "verify")
    assert listed.exit_code == 0 and f"ORPHAN {orphan_sha} {len(orphan)} bytes" in listed.output

    assert _invoke(app, "verify", "--delete-orphans").exit_code == 2  # --older-than is required
    kept = _invoke(app, "verify", "--delete-orphans", "--older-than", "30")
    assert "0 orphans older than 30 days deleted" in kept.output
    with app.app_context():
        assert storage.current_store().size_of(orphan_sha) == len(orphan)

    deleted = _invoke(app, "verify", "--delete-orphans", "--older-than", "0")
    assert "1 orphans older than 0 days deleted" in deleted.output
    with app.app_context():
        store = storage.current_store()
        assert store.size_of(orphan_sha) is None
        assert len(list(store.list())) == len(set(FILES.values()))  # referenced blobs untouched
        [entry] = db.session.scalars(db.select(ActivityLog).where(ActivityLog.action == "evidence.orphan_delete"))
        assert orphan_sha in entry.summary


def test_delete_orphans_keeps_what_is_younger_than_the_cutoff(app_ctx, tmp_path):
    from oversight.core.timeutil import utcnow
    from oversight.evidence import maintenance

    store = storage.store_for("local", {"UPLOAD_FOLDER": str(tmp_path)})
    data = b"young orphan"
    store.put(hashlib.sha256(data).hexdigest(), io.BytesIO(data), len(data))
    report = maintenance.verify(store, references={})
    maintenance.delete_orphans(store, report, older_than_days=1, now=utcnow())
    assert report.deleted == [] and len(list(store.list())) == 1
    maintenance.delete_orphans(store, report, older_than_days=1, now=utcnow() + timedelta(days=2))
    assert len(report.deleted) == 1 and list(store.list()) == []
