"""``flask evidence …``: move the evidence files to another store, and check the store against the records."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from oversight.core.timeutil import utcnow
from oversight.evidence import maintenance, storage
from oversight.extensions import db

evidence_cli = click.Group("evidence", help="Evidence file store: migrate between stores, verify.")


@evidence_cli.command("migrate")
@click.option("--to", "kind", required=True, type=click.Choice(storage.KINDS), help="The destination store.")
@click.option("--dry-run", is_flag=True, help="Say what would be copied; copy nothing.")
@with_appcontext
def migrate_command(kind: str, dry_run: bool) -> None:
    """Copy every blob of the configured store (EVIDENCE_STORE) to another one, checking each hash there.

    The destination is configured by the same settings (EVIDENCE_S3_*, EVIDENCE_AZURE_*, UPLOAD_FOLDER).
    Run again after an interruption: blobs already copied are checked, not copied again. Then set
    EVIDENCE_STORE to the destination and restart the app.
    """
    source = storage.current_store()
    if kind == source.kind:
        raise click.ClickException(f"EVIDENCE_STORE is already {kind}: nothing to migrate.")
    destination = storage.store_for(kind, current_app.config)
    click.echo(f"{'Dry run: ' if dry_run else ''}{source.describe()} → {destination.describe()}")
    report = maintenance.migrate(
        source, destination, dry_run=dry_run, progress=lambda sha, what: click.echo(f"  {sha}  {what}")
    )
    if not dry_run:
        maintenance.record_migration(report, source, destination)
        db.session.commit()
    click.echo(
        f"{len(report.copied)} copied, {len(report.would_copy)} to copy, {len(report.already_there)} already there, "
        f"{len(report.failed)} failed, {len(report.missing_at_source)} referenced but missing at the source."
    )
    for sha256, why in report.failed:
        click.echo(f"FAILED {sha256}: {why}", err=True)
    if not report.ok:
        raise SystemExit(1)


@evidence_cli.command("verify")
@click.option("--delete-orphans", is_flag=True, help="Delete blobs no record points to (needs --older-than).")
@click.option("--older-than", "older_than", type=click.IntRange(min=0), help="Only orphans written N days ago.")
@with_appcontext
def verify_command(delete_orphans: bool, older_than: int | None) -> None:
    """Check that every file a record points to is in the store and matches its SHA-256; list the orphans."""
    if delete_orphans and older_than is None:
        raise click.UsageError("--delete-orphans needs --older-than N (days).")
    store = storage.current_store()
    click.echo(f"Verifying {store.describe()}")
    report = maintenance.verify(store)
    for sha256, evidence_ids in report.missing:
        click.echo(f"MISSING {sha256} (evidence {', '.join(map(str, evidence_ids))})")
    for sha256, evidence_ids, actual in report.corrupt:
        click.echo(f"CORRUPT {sha256} (evidence {', '.join(map(str, evidence_ids))}): its bytes hash to {actual}")
    for blob in report.orphans:
        click.echo(f"ORPHAN {blob.sha256} {blob.size} bytes, written {blob.modified:%Y-%m-%d %H:%M} UTC")
    if delete_orphans:
        maintenance.delete_orphans(store, report, older_than_days=older_than or 0, now=utcnow())
        db.session.commit()
        click.echo(f"{len(report.deleted)} orphans older than {older_than} days deleted (logged).")
    click.echo(
        f"{report.checked} checked, {len(report.missing)} missing, {len(report.corrupt)} corrupt, "
        f"{len(report.orphans)} orphans."
    )
    if not report.ok:
        raise SystemExit(1)
