"""`hfm analytics ...`: the spend summary (app/returns/analytics.py)."""

import click


@click.group("analytics")
def analytics_cli():
    """The summary tables: recompute them, or compare them with the raw tables."""


@analytics_cli.command("rebuild")
def analytics_rebuild():
    """Recompute every summary row from the raw tables (in one transaction)."""
    from app import audit
    from app.returns import analytics
    from app.unit_of_work import unit_of_work

    with unit_of_work():
        before = len(analytics.differences())
        rows = analytics.rebuild()
        audit.record("analytics", "spend", "rebuild", {"differences": (before, 0)}, actor="hfm analytics")
    click.echo(f"analytics_spend rebuilt: {rows} rows ({before} differed before)")


@analytics_cli.command("check")
def analytics_check():
    """Compare the summary with a fresh recomputation; exit 1 on any difference."""
    from app.returns import analytics

    found = analytics.differences()
    for difference in found:
        click.echo(str(difference))
    if found:
        raise click.ClickException(
            f"{len(found)} differences in the summary tables (run `hfm analytics rebuild`)"
        )
    click.echo("analytics_spend and analytics_spend_year agree with the monthly returns: 0 differences")


COMMANDS = [analytics_cli]
