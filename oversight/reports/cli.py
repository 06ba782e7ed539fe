"""``flask reports …``: issue the register, a vendor's oversight file or its evidence pack to a file."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
from flask.cli import with_appcontext

from oversight.core.timeutil import local_today
from oversight.pdf.render import render_pdf
from oversight.reports import data, services

reports_cli = click.Group("reports", help="Issue PDF documents and evidence packs.")
_output = click.option(
    "-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write."
)


def _vendor(vendor_id: int):
    vendor = data.load_vendor(vendor_id)
    if vendor is None:
        raise click.ClickException(f"No vendor with id {vendor_id}.")
    return vendor


@reports_cli.command("register")
@_output
@with_appcontext
def register_command(output: Path) -> None:
    """Write the 委託先管理台帳 (every vendor) as a PDF."""
    output.write_bytes(render_pdf(services.register_document({})))
    click.echo(f"Wrote {output}")


@reports_cli.command("vendor")
@click.argument("vendor_id", type=int)
@_output
@with_appcontext
def vendor_command(vendor_id: int, output: Path) -> None:
    """Write one vendor's 委託先監督記録 as a PDF."""
    document, _file = services.vendor_file(_vendor(vendor_id), local_today())
    output.write_bytes(render_pdf(document))
    click.echo(f"Wrote {output}")


@reports_cli.command("pack")
@click.argument("vendor_id", type=int)
@_output
@with_appcontext
def pack_command(vendor_id: int, output: Path) -> None:
    """Write one vendor's evidence pack (PDF, evidence files, index.csv) as a ZIP."""
    document, file = services.vendor_file(_vendor(vendor_id), local_today())
    with services.evidence_pack(document, file) as spool, output.open("wb") as target:
        shutil.copyfileobj(spool, target)
    click.echo(f"Wrote {output} ({len(file.evidence)} evidence files)")
