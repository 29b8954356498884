"""The home page."""

from flask import Blueprint, render_template
from flask_login import current_user

from app.accounts.access import is_signed_in, may_review_returns, requires, sees_only_own_authority
from app.clients.protected import sees_protected_counts
from app.home import service as dashboard
from app.programme import service as programme_service
from app.programme.pickers import chosen_quarter

bp = Blueprint("home", __name__, template_folder="templates")


@bp.route("/")
@requires(is_signed_in)
def home():
    """The dashboard: headline figures for a quarter (a lead sees their own authority)."""
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
        "home/home.html", programme=programme_service.get_programme(), figures=figures, quarters=choices
    )
