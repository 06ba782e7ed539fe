"""``flask status refresh``: judge every vendor's lights again and store them."""

import click
from flask.cli import AppGroup

from oversight.core.timeutil import local_today
from oversight.extensions import db
from oversight.status import store
from oversight.subcontracts import states as node_states

status_cli = AppGroup("status", help="The vendors' stored duty states.")


@status_cli.command("refresh")
def refresh() -> None:
    """Judge every vendor's five lights again (after records were changed outside the app)."""
    count = store.refresh_all(local_today())
    nodes = node_states.refresh_all(local_today())
    db.session.commit()
    click.echo(f"{count} vendors and {nodes} subcontract nodes judged on {local_today().isoformat()}")


@status_cli.command("check")
def check() -> None:
    """List the vendors whose stored states differ from a fresh judgement (exit 1 if any)."""
    found = store.mismatches()
    for vendor_id, day, stored, judged in found:
        click.echo(f"vendor {vendor_id} on {day.isoformat()}: stored {stored}, judged {judged}")
    nodes = node_states.mismatches()
    for node_id, day, stored, judged in nodes:
        click.echo(f"subcontract node {node_id} on {day.isoformat()}: stored {stored}, judged {judged}")
    click.echo(f"{len(found)} vendors and {len(nodes)} subcontract nodes differ")
    raise SystemExit(1 if found or nodes else 0)
