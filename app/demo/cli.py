"""`hfm demo ...`"""

import click


@click.group("demo")
def demo_cli():
    """Synthetic demonstration data."""


@demo_cli.command("seed")
def demo_seed():
    """Fill the database with a synthetic history and demo accounts (idempotent)."""
    from app.demo.seed import seed
    from app.unit_of_work import unit_of_work

    with unit_of_work():
        lines = seed()
    for line in lines:
        click.echo(line)


@demo_cli.command("scale")
@click.option(
    "--authorities",
    default=300,
    show_default=True,
    type=click.IntRange(1),
    help="Number of synthetic authorities.",
)
@click.option(
    "--years",
    default=10,
    show_default=True,
    type=click.IntRange(1, 40),
    help="Financial years of returns, ending 2022-23.",
)
@click.option(
    "--clients",
    default=250_000,
    show_default=True,
    type=click.IntRange(0),
    help="Number of synthetic clients.",
)
def demo_scale(authorities, years, clients):
    """Fill an EMPTY database (DATABASE_URL) with a synthetic national dataset for benchmarks."""
    import time

    from app.demo.scale import ScaleError, scale
    from app.unit_of_work import unit_of_work

    started = time.monotonic()
    try:
        with unit_of_work():
            lines = scale(authorities, years, clients)
    except ScaleError as error:
        raise click.ClickException(str(error)) from error
    for line in lines:
        click.echo(line)
    click.echo(f"Made in {time.monotonic() - started:.1f} s")


COMMANDS = [demo_cli]
