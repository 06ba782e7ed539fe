"""``flask demo seed``: load the demonstration data into an empty database."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from oversight.auth.models import User
from oversight.core.timeutil import local_today, utcnow
from oversight.demo.audits import seed_audits
from oversight.demo.checklists import seed_checklists
from oversight.demo.contracts import seed_contracts
from oversight.demo.dashboard import seed_dashboard
from oversight.demo.import_files import write_import_files
from oversight.demo.incidents import seed_incidents
from oversight.demo.portal import seed_portal
from oversight.demo.subcontracts import seed_subcontracts
from oversight.demo.units import SECOND_UNIT, UNIT_USERS, seed_units
from oversight.demo.users import DEMO_PASSWORD, DEMO_USERS, seed_users
from oversight.demo.vendor_initiated import seed_vendor_initiated
from oversight.demo.vendors import seed_vendors
from oversight.demo.webhooks import seed_webhooks
from oversight.extensions import db

demo_cli = click.Group("demo", help="Demonstration data.")


@demo_cli.command("seed")
@click.option("--force", is_flag=True, help="Add the demo data even if the database already has users.")
@with_appcontext
def seed(force: bool) -> None:
    """Load the demo data when the database is empty, and print the demo sign-ins."""
    if db.session.scalar(db.select(db.func.count(User.id))) and not force:
        click.echo("The database already has data; demo data not loaded (use --force to add it anyway).")
    else:
        users = seed_users()
        seed_checklists()
        vendors = seed_vendors(users, today=local_today())
        seed_incidents(users, vendors, today=local_today())
        seed_contracts(users, vendors, today=local_today())
        seed_audits(users, vendors, today=local_today())
        seed_subcontracts(users, vendors, today=local_today())
        seed_portal(users, vendors, today=local_today())
        seed_vendor_initiated(users, vendors, today=local_today())
        seed_units(vendors)
        seed_dashboard(today=local_today())
        seed_webhooks(users, now=utcnow())
        db.session.commit()
        click.echo("Demo data loaded.")
    print_sign_ins()


@demo_cli.command("import-files")
@click.argument("folder", default="instance/demo-imports", type=click.Path(file_okay=False, path_type=Path))
def import_files(folder: Path) -> None:
    """Write an example file per import kind (vendors, contracts, then subcontractors) to FOLDER."""
    for path in write_import_files(folder):
        click.echo(str(path))
    click.echo(
        "Import them in this order: flask import vendors FILE --as EMAIL, then flask import contracts FILE --as EMAIL, "
        "then flask import subcontracts FILE --as EMAIL (or on the page 一括取込)."
    )


def print_sign_ins() -> None:
    click.echo("")
    click.echo(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
    for email, name, roles, language in DEMO_USERS:
        click.echo(f"  {email:<28} {'/'.join(roles):<20} {name} ({language})")
    click.echo(f"Only in {SECOND_UNIT[1]} (a second business unit; the users above see the whole group):")
    for email, name, role in UNIT_USERS:
        click.echo(f"  {email:<34} {role:<14} {name} (ja)")


def register_generate() -> None:
    """``flask demo generate``: the large synthetic data set for benchmarks (``oversight/demo/generate.py``)."""
    from oversight.demo.generate import generate_command

    demo_cli.add_command(generate_command)


register_generate()
