"""The summary (analytics) tables of every area, and `hfm analytics` over all of them.

Each area that keeps summary tables (returns: spend; clients: client facts) registers how to
rebuild them from the raw tables and how to list where they differ from a fresh
recomputation; the command runs each in turn. The core knows no area: areas register here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import click


@dataclass(frozen=True)
class SummaryTables:
    name: str  # what the rebuild line names: "analytics_spend"
    source: str  # what they agree with: "the monthly returns"
    rebuild: Callable[[], int]  # rows held after recomputing every one
    differences: Callable[[], list]  # each printable in users' words


_registered: dict[str, SummaryTables] = {}


def register(tables: SummaryTables) -> None:
    _registered[tables.name] = tables


def registered() -> list[SummaryTables]:
    return list(_registered.values())


@click.group("analytics")
def analytics_cli():
    """The summary tables: recompute them, or compare them with the raw tables."""


@analytics_cli.command("rebuild")
def analytics_rebuild():
    """Recompute every summary row from the raw tables (in one transaction)."""
    from app import audit, figures_cache
    from app.unit_of_work import unit_of_work

    lines = []
    with unit_of_work():
        for tables in registered():
            before = len(tables.differences())
            rows = tables.rebuild()
            audit.record(
                "analytics", tables.name, "rebuild", {"differences": (before, 0)}, actor="hfm analytics"
            )
            lines.append(f"{tables.name} rebuilt: {rows} rows ({before} differed before)")
        figures_cache.bump()  # figures worked out from the old rows are not used again
    for line in lines:
        click.echo(line)


@analytics_cli.command("check")
def analytics_check():
    """Compare every summary with a fresh recomputation; exit 1 on any difference."""
    found = 0
    for tables in registered():
        differences = tables.differences()
        for difference in differences:
            click.echo(str(difference))
        if not differences:
            click.echo(f"{tables.name} and {tables.source} agree: 0 differences")
        found += len(differences)
    if found:
        raise click.ClickException(f"{found} differences in the summary tables (run `hfm analytics rebuild`)")
