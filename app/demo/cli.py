"""`hfm demo ...`"""

import click


@click.group("demo")
def demo_cli():
    """Synthetic demonstration data."""


@demo_cli.command("seed")
def demo_seed():
    """Fill the database with a synthetic history and demo accounts (idempotent)."""
    from app.demo.seed import seed

    for line in seed():
        click.echo(line)


COMMANDS = [demo_cli]
