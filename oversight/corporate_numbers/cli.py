"""``flask corporate-numbers load FILE [--as EMAIL]``: load the NTA's corporate-number data (CSV or zip)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from oversight.auth.models import User
from oversight.corporate_numbers import reading, services
from oversight.extensions import db

corporate_numbers_cli = click.Group(
    "corporate-numbers", help="The National Tax Agency's corporate-number data (法人番号公表サイト)."
)


@corporate_numbers_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "actor_email", default=None, help="E-mail of the user the load is recorded for.")
@with_appcontext
def load_command(path: Path, actor_email: str | None) -> None:
    """Load a full-data or diff file (CSV in UTF-8 or Shift-JIS, or the NTA's zip) into the lookup table."""
    actor = None
    if actor_email:
        actor = db.session.scalar(db.select(User).where(User.email == actor_email.strip().lower()))
        if actor is None:
            raise click.ClickException(f"No user with the e-mail address {actor_email}.")
    with path.open("rb") as stream:
        try:
            result = services.load(stream, path.name, actor=actor)
        except reading.CorporateDataError as error:
            db.session.rollback()
            raise click.ClickException(f"Nothing was loaded: {error.message}") from error
    db.session.commit()
    click.echo(
        f"{path.name} ({result.encoding}, sha256 {result.sha256}): {result.lines} lines, "
        f"{result.loaded} latest records loaded, {result.history} history lines skipped; "
        f"{services.count()} corporations in the table."
    )
