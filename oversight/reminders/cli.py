"""``flask reminders send`` and ``flask reminders preview``: the sweep by hand, and one user's digest."""

from __future__ import annotations

from datetime import date, datetime

import click
from flask.cli import with_appcontext

from oversight.auth import services as auth_services
from oversight.core.due import title_text
from oversight.core.timeutil import local_today, to_local, utcnow
from oversight.reminders import services

reminders_cli = click.Group("reminders", help="Reminder e-mails.")


class DateParam(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date in the form YYYY-MM-DD.", param, ctx)


TODAY_OPTION = click.option("--today", type=DateParam(), help="Act as if today were this date (default: today).")


@reminders_cli.command("send")
@TODAY_OPTION
@click.option("--dry-run", is_flag=True, help="Only print what would be sent.")
@with_appcontext
def send(today: date | None, dry_run: bool) -> None:
    """Run the reminder sweep now (the same as the daily job) and print what was sent."""
    result = services.send_due_reminders(today or local_today(), utcnow(), dry_run=dry_run)
    for error in result.rule_errors:
        click.echo(f"Rule failed (skipped): {error}", err=True)
    if result.is_skipped:
        click.echo(f"Another reminder run ({result.lease.holder}) holds the lease until "
                   f"{_local(result.lease.expires_at)}; nothing was sent. If that run has died, its lease lapses "
                   "then: run this command again after it.")
        return
    if result.interrupted:
        click.echo(f"{result.interrupted} reminders were left \"sending\" by a run that died; they are now "
                   "uncertain: sent again with the same Message-ID after "
                   f"{services.UNCERTAIN_DELAY.total_seconds() / 3600:g} hours unless marked sent in the "
                   "reminder outbox.")
    if not result.digests:
        click.echo(f"Nothing to send for {result.today.isoformat()}.")
    for digest in result.digests:
        click.echo(f"{digest.status}: {digest.email} ({len(digest.entries)} reminders)")
        for entry in digest.entries:
            click.echo(f"    {entry.due_on.isoformat()}  {title_text(entry.title)}")
        if digest.error:
            click.echo(f"    error: {digest.error}")
    problems = []
    if result.failed:
        retry_at = min(digest.retry_at for digest in result.failed)
        problems.append(f"{len(result.failed)} digests failed; they are sent again from {_local(retry_at)} "
                        "(by the retry job of `flask scheduler run`, every 15 minutes, or by this command run "
                        "after that time).")
    if result.uncertain:
        retry_at = min(digest.retry_at for digest in result.uncertain)
        problems.append(f"{len(result.uncertain)} digests uncertain (the server may have them: its answer was "
                        f"lost); they are sent again with the same Message-ID from {_local(retry_at)} unless "
                        "marked sent in the reminder outbox.")
    if problems:
        raise click.ClickException("\n".join(problems))


def _local(moment: datetime) -> str:
    """A time as the CLI prints it: in the app's time zone, to the minute."""
    return to_local(moment).strftime("%Y-%m-%d %H:%M %Z")


@reminders_cli.command("preview")
@click.option("--user", "email", required=True, help="The recipient's e-mail address.")
@TODAY_OPTION
@with_appcontext
def preview(email: str, today: date | None) -> None:
    """Print the text of the digest a user would get now, without sending or recording anything."""
    user = auth_services.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No user has the e-mail address {email}.")
    today = today or local_today()
    digest = services.preview_digest(user, today, utcnow())
    if digest is None:
        click.echo(f"Nothing due for {user.email} on {today.isoformat()}.")
        return
    click.echo(f"Subject: {digest.subject}")
    click.echo("")
    click.echo(digest.text)
