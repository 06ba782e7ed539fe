"""``flask checklists sync``: load the shipped checklist templates (idempotent)."""

import click
from flask.cli import with_appcontext

from oversight.checklists import services
from oversight.extensions import db

checklists_cli = click.Group("checklists", help="Checklist templates.")

MESSAGES = {
    "unchanged": "up to date",
    "created": "loaded and published",
    "new_version": "shipped content changed: new version published",
    "new_draft": "shipped content changed: saved as a draft because a company version is in use",
}


@checklists_cli.command("sync")
@with_appcontext
def sync() -> None:
    """Load the shipped selection, contract, audit and deletion-certificate checklists."""
    results = services.sync_default_templates()
    db.session.commit()
    for result in results:
        template = result.template
        version = f"v{template.version_number}"
        click.echo(f"{result.kind:<22} {version:<4} {len(template.items):>3} items  {MESSAGES[result.action]}")
