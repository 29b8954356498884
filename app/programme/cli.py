"""`hfm programme ...`"""

import click
from flask import current_app


@click.group("programme")
def programme_cli():
    """Reference data: the grant, profile and authorities."""


@programme_cli.command("load")
@click.option("--file", "path", default=None, help="programme.toml to load (default: the setting)")
def programme_load(path):
    """Load config/programme.toml; running it twice changes nothing."""
    from app.programme.service import ProgrammeFileError, load_programme
    from app.unit_of_work import unit_of_work

    path = path or current_app.config["PROGRAMME_FILE"]
    try:
        with unit_of_work():
            changes = load_programme(path)
    except ProgrammeFileError as error:
        raise click.ClickException(str(error)) from error
    if changes:
        for change in changes:
            click.echo(change)
    else:
        click.echo("No changes: the database already matches the programme file")


COMMANDS = [programme_cli]
