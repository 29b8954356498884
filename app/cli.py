"""The `hfm` command: Flask's own commands (run, db, shell) and each area's commands,
which create_app() registers on app.cli."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from app import create_app


def _create_app():
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def cli():
    """Housing First programme monitor."""
