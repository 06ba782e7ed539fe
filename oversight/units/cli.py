"""``flask units list``; and every command of the CLI reads the whole group (docs/units.md)."""

from __future__ import annotations

from functools import wraps

import click
from flask.cli import with_appcontext

from oversight.units import scope as unit_scope
from oversight.units import services


@click.group("units", help="Business units (事業部・グループ会社).")
def units_cli() -> None:
    pass


@units_cli.command("list", help="Show the unit tree.")
@with_appcontext
def list_units() -> None:
    for unit in services.all_units():
        archived = " (archived)" if unit.is_archived else ""
        click.echo(f"{'  ' * unit.depth}{unit.code}\t{unit.name}\t{unit.kind}{archived}")


def _whole_group(callback):
    @wraps(callback)
    def wrapped(*args, **kwargs):
        with unit_scope.whole_group():
            return callback(*args, **kwargs)

    wrapped.__units_whole_group__ = True
    return wrapped


def whole_group_commands(group: click.Group) -> None:
    """Wrap every command under ``group`` so that it reads the whole group: a command acts for the operator
    of the installation, not for one unit."""
    for command in group.commands.values():
        if isinstance(command, click.Group):
            whole_group_commands(command)
        elif command.callback is not None and not getattr(command.callback, "__units_whole_group__", False):
            command.callback = _whole_group(command.callback)
