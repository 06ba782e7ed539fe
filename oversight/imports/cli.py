"""``flask import vendors|contracts|subcontracts FILE [--dry-run] [--sheet NAME] --as EMAIL``: the same preview
and import as the page."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from werkzeug.datastructures import FileStorage

from oversight.auth.models import User
from oversight.evidence.validation import UploadRejected
from oversight.extensions import db
from oversight.imports import services

import_cli = click.Group("import", help="Import the existing register from Excel or CSV.")

OUTCOME_WORDS = {"create": "NEW", "update": "UPDATE", "unchanged": "UNCHANGED", "error": "ERROR"}


def _print(result: services.Preview) -> None:
    click.echo(f"{result.filename}  sha256 {result.sha256}  {result.sheet or result.encoding}")
    for message in result.file_errors:
        click.echo(f"FILE ERROR: {message}")
    if result.ignored_columns:
        click.echo(f"Columns not imported: {', '.join(result.ignored_columns)}")
    for row in result.rows:
        click.echo(f"row {row.line}: {OUTCOME_WORDS[row.outcome]} {row.name}")
        for column, message in row.errors:
            click.echo(f"    {column}: {message}")
        for note in row.notes:
            click.echo(f"    {note}")
        for warning in row.warnings:
            click.echo(f"    WARNING: {warning}")
        if row.outcome == "update":
            for change in row.changes:
                click.echo(f"    {change.column}: {change.old} -> {change.new}")
    totals = result.totals
    click.echo(
        f"rows {len(result.rows)}: new {totals['create']}, update {totals['update']}, "
        f"unchanged {totals['unchanged']}, error {totals['error']}"
    )


def _options(command):
    command = click.option(
        "--language", default="ja", type=click.Choice(["ja", "en"]), help="Language of the messages."
    )(command)
    command = click.option("--as", "actor_email", default=None, help="E-mail of the user the import is recorded for.")(
        command
    )
    command = click.option("--dry-run", is_flag=True, help="Only print the preview; write nothing.")(command)
    command = click.option("--sheet", default=None, help="The sheet of a workbook to read (default: the first).")(
        command
    )
    return click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))(command)


@import_cli.command("vendors")
@_options
@with_appcontext
def vendors_command(path: Path, sheet: str | None, dry_run: bool, actor_email: str | None, language: str) -> None:
    """Preview (and unless --dry-run, import) the vendors in an XLSX or CSV file."""
    _run("vendors", path, sheet, dry_run, actor_email, language)


@import_cli.command("contracts")
@_options
@with_appcontext
def contracts_command(path: Path, sheet: str | None, dry_run: bool, actor_email: str | None, language: str) -> None:
    """Preview (and unless --dry-run, import) the contracts in an XLSX or CSV file."""
    _run("contracts", path, sheet, dry_run, actor_email, language)


@import_cli.command("subcontracts")
@_options
@with_appcontext
def subcontracts_command(path: Path, sheet: str | None, dry_run: bool, actor_email: str | None, language: str) -> None:
    """Preview (and unless --dry-run, import) the subcontract relations in an XLSX or CSV file."""
    _run("subcontracts", path, sheet, dry_run, actor_email, language)


def _run(kind: str, path: Path, sheet: str | None, dry_run: bool, actor_email: str | None, language: str) -> None:
    actor = None
    if not dry_run:
        if not actor_email:
            raise click.UsageError("Name the user the import is recorded for with --as EMAIL (or use --dry-run).")
        actor = db.session.scalar(db.select(User).where(User.email == actor_email.strip().lower()))
        if actor is None:
            raise click.ClickException(f"No user with the e-mail address {actor_email}.")
    # The forms' messages (some with links) are built as in a request of the chosen language.
    with current_app.test_request_context(), force_locale(language):
        with path.open("rb") as stream:
            try:
                sha256, filename = services.store_upload(FileStorage(stream, filename=path.name))
            except UploadRejected as rejected:
                raise click.ClickException(str(rejected.message)) from rejected
        result = services.preview(kind, sha256, filename, sheet=sheet)
        assert result is not None
        _print(result)
    if dry_run:
        return
    # Outside the request made up above, so the activity log records no browser or IP address.
    try:
        services.run_import(result, actor=actor)
    except services.ImportRefused as refused:
        db.session.rollback()
        raise click.ClickException("Nothing was imported: the file or a row has an error.") from refused
    db.session.commit()
    click.echo("Imported.")
