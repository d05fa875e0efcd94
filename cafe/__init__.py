"""Café: plan and run case-study world-café events for public services."""

from __future__ import annotations

from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints and commands."""
    app = Flask(__name__, instance_relative_config=True)

    from cafe import config as settings

    app.config.from_object(settings.Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()  # FLASK_* variables
    app.config.from_prefixed_env("CAFE")  # CAFE_* variables
    if config:
        app.config.update(config)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", settings.database_url(app.instance_path))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.load_secret_key(app.instance_path)
    if app.config.get("SECURE_COOKIES"):
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True

    _init_templates(app)
    _import_models()
    _init_extensions(app)
    _register_blueprints(app)

    from cafe import cli, security

    security.init_app(app)
    cli.init_app(app)
    return app


def _init_templates(app: Flask) -> None:
    """Look up templates in the app, then the GOV.UK Frontend macro packages."""
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals["govukRebrand"] = (
        False  # the 2025 GOV.UK brand is for GOV.UK services only
    )
    from govuk_frontend_wtf.main import WTFormsHelpers

    from cafe import formatting
    from cafe.forms import error_summary_items

    WTFormsHelpers(app)
    formatting.init_app(app)
    app.add_template_global(error_summary_items)


def _init_extensions(app: Flask) -> None:
    """Bind the extensions to this app."""
    from cafe.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=_migrations_dir(), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)


def _import_models() -> None:
    """Load every model module, so the metadata (create_all, Alembic) knows every table."""
    import cafe.actions.models  # noqa: F401
    import cafe.auth.models  # noqa: F401
    import cafe.capture.models  # noqa: F401
    import cafe.casestudies.models  # noqa: F401
    import cafe.contacts.models  # noqa: F401
    import cafe.events.models  # noqa: F401
    import cafe.invitations.models  # noqa: F401
    import cafe.mail.models  # noqa: F401
    import cafe.rotation.models  # noqa: F401


def _migrations_dir() -> str:
    """The Alembic scripts ship inside the package, so `db upgrade` works from any directory."""
    from pathlib import Path

    return str(Path(__file__).with_name("migrations"))


def _register_blueprints(app: Flask) -> None:
    """Every feature's blueprint."""
    from cafe.actions.report_views import bp as harvest_bp
    from cafe.actions.views import bp as actions_bp
    from cafe.auth.views import bp as auth_bp
    from cafe.capture.views import bp as capture_bp
    from cafe.casestudies.views import bp as casestudies_bp
    from cafe.contacts.views import bp as contacts_bp
    from cafe.events.views import bp as events_bp
    from cafe.invitations.rsvp_views import bp as rsvp_bp
    from cafe.invitations.views import bp as invitations_bp
    from cafe.pages import bp as pages_bp
    from cafe.rotation.views import bp as rotation_bp
    from cafe.sheets.views import bp as sheets_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(casestudies_bp)
    app.register_blueprint(contacts_bp)
    app.register_blueprint(invitations_bp)
    app.register_blueprint(rsvp_bp)
    app.register_blueprint(rotation_bp)
    app.register_blueprint(sheets_bp)
    app.register_blueprint(harvest_bp)
    app.register_blueprint(actions_bp)
    app.register_blueprint(capture_bp)
