"""Oversight (委託先監督トラッカー): supervising the vendors that handle My Number data."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from oversight.config import Config, config_from_environment

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Config | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, commands."""
    app = Flask(
        __name__,
        # Each server of a multi-server deployment may have its own (README: several servers).
        instance_path=os.environ.get("INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    load_config(app, config or config_from_environment())
    register_extensions(app)
    register_i18n(app)
    register_auth(app)
    register_unit_scope(app)
    register_web(app)
    register_blueprints(app)
    register_api(app)
    register_commands(app)
    register_scheduler(app)
    return app


def load_config(app: Flask, config: Config) -> None:
    """Read the configuration and make sure the instance folder exists."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    config.finalise(instance)
    app.config.from_mapping(config.as_dict())
    app.config["ENV_NAME"] = config.ENV_NAME


def register_extensions(app: Flask) -> None:
    """Bind the database, migrations, CSRF protection and Bootstrap assets."""
    from oversight import models  # noqa: F401 - every model must be known to Alembic
    from oversight.extensions import bootstrap, csrf, db, enforce_foreign_keys, migrate, use_wal_journal

    db.init_app(app)
    with app.app_context():
        enforce_foreign_keys(db.engine, app.config["SQLITE_CACHE_KIB"])
        use_wal_journal(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    bootstrap.init_app(app)
    install_features(app)
    install_stored_status()


def install_stored_status() -> None:
    """Keep each vendor's stored duty states (``status.store``) and each subcontract node's state
    (``subcontracts.states``) current in every transaction."""
    from oversight.status import store
    from oversight.subcontracts import states as node_states

    store.install()
    node_states.install()


def install_features(app: Flask) -> None:
    """The one list of features and what each adds to the sweep, the daily jobs and the downloads."""
    from oversight.core import registry
    from oversight.features import build_registry

    registry.install(app, build_registry())


def register_i18n(app: Flask) -> None:
    """Japanese by default, English per user or per visitor's choice."""
    from oversight.web.i18n import init_i18n

    init_i18n(app)


def register_auth(app: Flask) -> None:
    """Flask-Login, the idle timeout, the default-deny access check and the second factor."""
    from oversight.auth.session import init_auth
    from oversight.web.second_factor import init_second_factor

    init_auth(app)
    init_second_factor(app)


def register_unit_scope(app: Flask) -> None:
    """Every read sees only the reader's business units (``oversight/scoping.py``, docs/units.md); a read
    without a scope raises in development and testing."""
    from oversight.scoping import SCOPE_RULES, install_unit_defaults
    from oversight.units import scope
    from oversight.units.requests import init_request_scope

    strict = app.config.get("ENV_NAME") in ("development", "testing") or bool(app.config.get("TESTING"))
    scope.install(SCOPE_RULES, strict=lambda: strict)
    init_request_scope(app)
    install_unit_defaults()

    @app.shell_context_processor
    def _shell_reads_the_whole_group() -> dict:  # ``flask shell`` acts for the operator, as the CLI does
        scope.set_scope(scope.GROUP)
        return {}


def register_web(app: Flask) -> None:
    """Reverse proxies, security headers, error pages, template helpers and the site icon."""
    from oversight.web.errors import init_error_handlers
    from oversight.web.favicon import init_favicon
    from oversight.web.security import init_input_limits, init_proxy, init_security_headers
    from oversight.web.templating import init_templating
    from oversight.web.transactions import init_read_commit

    init_proxy(app)
    init_security_headers(app)
    init_input_limits(app)
    init_error_handlers(app)
    init_templating(app)
    init_favicon(app)
    init_read_commit(app)


def register_blueprints(app: Flask) -> None:
    """One blueprint per feature."""
    from oversight.activity.views import bp as activity_bp
    from oversight.admin.views import bp as admin_bp
    from oversight.audits.views import bp as audits_bp
    from oversight.auth.views import bp as auth_bp
    from oversight.checklists.views import bp as checklists_bp
    from oversight.contracts.views import bp as contracts_bp
    from oversight.corporate_numbers.views import bp as corporate_numbers_bp
    from oversight.dashboard.views import bp as dashboard_bp
    from oversight.disposals.views import bp as disposals_bp
    from oversight.evaluations.views import bp as evaluations_bp
    from oversight.evidence.views import bp as evidence_bp
    from oversight.imports.views import bp as imports_bp
    from oversight.incidents.views import bp as incidents_bp
    from oversight.portal.views import bp as portal_bp
    from oversight.portal.views import staff_bp as requests_bp
    from oversight.reminders.views import bp as reminders_bp
    from oversight.reports.views import bp as reports_bp
    from oversight.subcontracts.views import bp as subcontracts_bp
    from oversight.vendors.views import bp as vendors_bp
    from oversight.web.glossary import bp as help_bp
    from oversight.webhooks.views import bp as webhooks_bp

    for blueprint in (
        auth_bp, dashboard_bp, admin_bp, activity_bp, checklists_bp, evidence_bp, vendors_bp, evaluations_bp,
        reminders_bp,
    ):
        app.register_blueprint(blueprint)
    app.register_blueprint(audits_bp)
    app.register_blueprint(contracts_bp)
    app.register_blueprint(incidents_bp)
    app.register_blueprint(disposals_bp)
    app.register_blueprint(subcontracts_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(corporate_numbers_bp)
    app.register_blueprint(help_bp)
    app.register_blueprint(portal_bp)
    app.register_blueprint(requests_bp)
    app.register_blueprint(webhooks_bp)


def register_api(app: Flask) -> None:
    """The JSON API under ``/api/v1`` (docs/api.md)."""
    from oversight.api import init_api

    init_api(app)


def register_commands(app: Flask) -> None:
    """``flask users …`` and ``flask demo …``."""
    from oversight.auth.cli import users_cli
    from oversight.checklists.cli import checklists_cli
    from oversight.contracts.cli import contracts_cli
    from oversight.corporate_numbers.cli import corporate_numbers_cli
    from oversight.demo.cli import demo_cli
    from oversight.evidence.cli import evidence_cli
    from oversight.imports.cli import import_cli
    from oversight.reminders.cli import reminders_cli
    from oversight.reports.cli import reports_cli
    from oversight.scheduler import scheduler_cli
    from oversight.status.cli import status_cli
    from oversight.webhooks.cli import webhooks_cli

    for group in (users_cli, demo_cli, checklists_cli, reminders_cli, scheduler_cli):
        app.cli.add_command(group)
    app.cli.add_command(contracts_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(status_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(evidence_cli)
    app.cli.add_command(webhooks_cli)
    app.cli.add_command(corporate_numbers_cli)
    from oversight.units.cli import units_cli, whole_group_commands

    app.cli.add_command(units_cli)
    whole_group_commands(app.cli)


def register_scheduler(app: Flask) -> None:
    """Reminder jobs run in one process only; see ``oversight/scheduler.py``."""
    from oversight.scheduler import init_scheduler

    init_scheduler(app)
