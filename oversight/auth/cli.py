"""``flask users create``: the first administrator of a real installation; ``flask users rotate-secrets``: the
second-factor secrets encrypted again with the newest key (docs/sessions.md)."""

import sys

import click
from flask.cli import with_appcontext

from oversight.auth import second_factor, services
from oversight.auth.passwords import policy_errors
from oversight.auth.roles import ALL_ROLES, LANGUAGE_LABELS
from oversight.extensions import db

users_cli = click.Group("users", help="Manage user accounts.")


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@users_cli.command("create")
@click.option("--email", required=True, help="Sign-in email address.")
@click.option("--name", required=True, help="Display name.")
@click.option(
    "--role", "roles", multiple=True, required=True, type=click.Choice(ALL_ROLES), help="Repeat for several roles."
)
@click.option("--language", default="ja", type=click.Choice(list(LANGUAGE_LABELS)), show_default=True)
@with_appcontext
def create_user(email: str, name: str, roles: tuple[str, ...], language: str) -> None:
    """Create a user. The password is read from a prompt, or from standard input when piped."""
    if "@" not in email or len(email) > 254:
        raise click.BadParameter("not a valid email address", param_hint="--email")
    if services.find_by_email(email) is not None:
        raise click.ClickException(f"A user with the email {email} already exists.")
    password = _read_password()
    errors = policy_errors(password, email, name)
    if errors:
        raise click.ClickException("Password refused: " + " ".join(errors))
    user = services.create_user(
        email=email, name=name, password=password, roles=list(roles), language=language, actor=None
    )
    db.session.commit()
    click.echo(f"Created user {user.email} with roles: {', '.join(user.roles)}")


@users_cli.command("rotate-secrets")
@with_appcontext
def rotate_secrets() -> None:
    """Encrypt every stored secret (second factors, webhooks) again with the first key of SECRET_ENCRYPTION_KEYS."""
    count = second_factor.rotate_secrets()
    db.session.commit()
    click.echo(
        f"Encrypted {count} secrets (second factors, webhooks) with the first key; the other keys can now be removed."
    )
