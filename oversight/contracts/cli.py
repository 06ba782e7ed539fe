"""``flask contracts close-ended``: end the contracts whose end date has passed."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from oversight.core.timeutil import local_today
from oversight.disposals import services as disposal_services
from oversight.extensions import db

contracts_cli = click.Group("contracts", help="Contracts and their end.")


def _parse_day(ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD.") from error


@contracts_cli.command("close-ended")
@click.option("--today", callback=_parse_day, help="Act as if today were this date (YYYY-MM-DD).")
@with_appcontext
def close_ended(today: date | None) -> None:
    """End every signed contract whose end date has passed and open its return/deletion items."""
    closed = disposal_services.close_ended_contracts(today or local_today())
    db.session.commit()
    for contract in closed:
        click.echo(f"Ended {contract.number} ({contract.end_on.isoformat()})")
    click.echo(f"{len(closed)} contract(s) ended.")
