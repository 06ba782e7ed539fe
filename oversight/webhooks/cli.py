"""``flask webhooks deliver`` and ``flask webhooks prune``: the scheduler's delivery run and daily clean-up
by hand."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from oversight.core.timeutil import utcnow
from oversight.webhooks import delivery, retention

webhooks_cli = click.Group("webhooks", help="Webhook deliveries.")


@webhooks_cli.command("deliver")
@click.option("--limit", type=click.IntRange(1, 100_000), default=1000, show_default=True,
              help="Attempts at most this many deliveries.")
@with_appcontext
def deliver(limit: int) -> None:
    """Fan out the recorded events and send the deliveries that are due (the same as the scheduler's job)."""
    result = delivery.run(limit=limit)
    click.echo(
        f"{result.dispatched} events dispatched, {result.created} deliveries made; "
        f"{result.delivered} delivered, {result.retrying} to retry, {result.failed} failed."
    )
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    if result.errors:
        raise SystemExit(1)


@webhooks_cli.command("prune")
@with_appcontext
def prune() -> None:
    """Delete the sent events and deliveries older than the retention setting (the same as the daily job)."""
    result = retention.prune(utcnow())
    click.echo(f"{result.events} events and {result.deliveries} deliveries older than "
               f"{result.cutoff.isoformat()} deleted.")
