"""The home page: each person's tasks first, then the quarter's headline figures."""

from flask import Blueprint, render_template
from flask_login import current_user

from app.accounts.access import (
    is_admin,
    is_signed_in,
    may_review_returns,
    requires,
    sees_only_own_authority,
)
from app.clients.protected import sees_protected_counts
from app.home import charts, tasks
from app.home import service as dashboard
from app.periods import Quarter
from app.programme import service as programme_service
from app.programme.pickers import chosen_quarter
from app.reporting import editions

bp = Blueprint("home", __name__, template_folder="templates")


def _tasks_for(user, quarter: Quarter) -> dict:
    """What this person has to do first: a lead their returns, BCC the review queue (and an
    admin the decisions waiting), a Taskforce or MHCLG reader the reports and the charts."""
    if sees_only_own_authority(user):
        return {"lead": tasks.lead_tasks(user.authority)}
    if is_admin(user):
        return {
            "decisions": tasks.admin_decisions(),
            "to_review": tasks.returns_to_review(),
            "to_review_total": tasks.count_to_review(),
        }
    if may_review_returns(user):
        return {
            "to_review": tasks.returns_to_review(),
            "to_review_total": tasks.count_to_review(),
        }
    points = charts.programme_series(quarter, protect=sees_protected_counts(user))
    return {
        "runs": editions.latest_downloadable_runs(user),
        "points": points,
        "housed_chart": charts.housed_chart(points),
        "sustainment_chart": charts.sustainment_chart(points),
    }


@bp.route("/")
@requires(is_signed_in)
def home():
    """Home: what this person has to do, then headline figures for a quarter."""
    choices = dashboard.quarter_choices()
    quarter = chosen_quarter(choices, dashboard.default_quarter())
    authority = current_user.authority if sees_only_own_authority(current_user) else None
    figures = dashboard.headlines(
        quarter,
        authority,
        suppress=sees_protected_counts(current_user),
        show_review_queue=may_review_returns(current_user),
    )
    return render_template(
        "home/home.html",
        programme=programme_service.get_programme(),
        figures=figures,
        quarters=choices,
        **_tasks_for(current_user, quarter),
    )


# The footer's pages: anyone may read them, signed in or not.


@bp.route("/accessibility")
def accessibility():
    return render_template("home/accessibility.html")


@bp.route("/privacy")
def privacy():
    return render_template("home/privacy.html")


@bp.route("/cookies")
def cookies():
    return render_template("home/cookies.html")
