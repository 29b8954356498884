"""The Housing First programme monitor: create_app() wires settings, extensions and areas."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from config.settings import load_settings


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(load_settings(overrides))
    app.permanent_session_lifetime = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])

    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("app"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.trim_blocks = True
    WTFormsHelpers(app)

    from app import extensions, models, web

    models.import_all()

    extensions.db.init_app(app)
    extensions.migrate.init_app(
        app,
        extensions.db,
        directory=str(_migrations_dir()),
        render_as_batch=True,
        compare_type=True,
    )
    extensions.csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")  # production refuses it (settings.py)
    extensions.limiter.init_app(app)
    web.init_app(app)
    _register_blueprints(app)
    _register_commands(app)
    _init_areas(app)
    return app


def _init_areas(app: Flask) -> None:
    """An area package may define init_app(app): e.g. returns provides the programme's periods
    with the latest month that has a return (the lower layer cannot import the higher one)."""
    from app.areas import area_packages

    for package in area_packages():
        if hasattr(package, "init_app"):
            package.init_app(app)


def _migrations_dir():
    from config.settings import PROJECT_ROOT

    return PROJECT_ROOT / "migrations"


def _register_blueprints(app: Flask) -> None:
    """Each area's views.py has a blueprint called `bp`."""
    from app.areas import area_modules

    for views in area_modules("views"):
        app.register_blueprint(views.bp)


def _register_commands(app: Flask) -> None:
    """Each area's cli.py has click groups listed in `COMMANDS`."""
    from app import analytics
    from app.areas import area_modules

    for cli in area_modules("cli"):
        for group in cli.COMMANDS:
            app.cli.add_command(group)
    app.cli.add_command(analytics.analytics_cli)  # every area's summary tables
