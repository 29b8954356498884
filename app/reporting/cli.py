"""`hfm report quarterly`, `hfm report rebuild`, `hfm report warm-figures` and `hfm scheduler`."""

from __future__ import annotations

import click
from flask import current_app

from app.periods import PeriodError, Quarter
from app.reporting.models import STATUS_SUCCEEDED, TRIGGERED_BY_CLI, VARIANTS


@click.group("report")
def report_cli():
    """The quarterly report."""


@report_cli.command("quarterly")
@click.option("--quarter", "quarter_text", required=True, help="the quarter, like 2021-22-Q2")
@click.option("--variant", type=click.Choice(VARIANTS), default=None, help="one variant (default: both)")
def report_quarterly(quarter_text, variant):
    """Write the quarter's workbook(s) to REPORTS_DIR as a new version and print the path(s)."""
    from app.reporting import service
    from app.reporting.figures import ReportError

    try:
        quarter = Quarter.parse(quarter_text)
    except PeriodError as error:
        raise click.BadParameter(str(error), param_hint="--quarter") from error
    from app.reporting import liveness

    failed = False
    with liveness.alive(current_app._get_current_object(), kind=TRIGGERED_BY_CLI):
        try:
            edition = service.claim_edition(quarter, TRIGGERED_BY_CLI, (variant,) if variant else VARIANTS)
        except ReportError as error:
            raise click.ClickException(str(error)) from error
        runs = service.produce(edition)
    for run in runs:
        one_variant = run.variant
        if run.status == STATUS_SUCCEEDED:
            click.echo(str(service.reports_dir() / run.file_name))
        else:
            failed = True
            click.echo(f"{quarter.label} {one_variant} v{run.version} failed: {run.error}", err=True)
    if failed:
        raise click.exceptions.Exit(1)


@report_cli.command("rebuild")
@click.argument("run_id", type=int)
def report_rebuild(run_id):
    """Write a succeeded run's workbook again from its stored figures (a lost file)."""
    from app.reporting import service
    from app.reporting.figures import ReportError
    from app.unit_of_work import unit_of_work

    with unit_of_work():
        try:
            run = service.rebuild_file(run_id)
        except ReportError as error:
            raise click.ClickException(str(error)) from error
    if run.status != STATUS_SUCCEEDED:
        raise click.ClickException(f"Run {run_id} could not be rebuilt: {run.error}")
    click.echo(str(service.reports_dir() / run.file_name))


@report_cli.command("warm-figures")
def report_warm_figures():
    """Work out and share the published figures now (what the scheduler does every minute)."""
    from app import figures_cache
    from app.reporting import jobs

    if not figures_cache.sharing():
        raise click.ClickException(
            "The shared figures are off (they need PostgreSQL and FIGURES_CACHE_SHARED): nothing to do"
        )
    for line in jobs.warm_published_figures():
        click.echo(line)


@click.command("scheduler")
@click.option("--no-catch-up", is_flag=True, help="do not produce missed reports on start")
def scheduler_command(no_catch_up):
    """Run the scheduler (reports and reminders) in this process until stopped."""
    from app.reporting import liveness
    from app.reporting.scheduler import catch_up, make_scheduler, recover

    app = current_app._get_current_object()
    scheduler = make_scheduler(app)
    with liveness.alive(app):
        recover(app)
        if not no_catch_up:
            click.echo("Catching up on missed quarterly reports...")
            catch_up(app)
        for job in scheduler.get_jobs():
            click.echo(f"Scheduled: {job.name} ({job.trigger})")
        click.echo(f"Scheduler running in {app.config['SCHEDULER_TIMEZONE']}; stop with Ctrl-C")
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            click.echo("Scheduler stopped")


COMMANDS = [report_cli, scheduler_command]
