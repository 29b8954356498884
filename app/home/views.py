"""The home page."""

from flask import Blueprint, render_template
from flask_login import current_user

from app.accounts.access import BCC_STAFF, EVERYONE, ROLE_LEAD, roles_required
from app.clients.protected import sees_protected_counts
from app.home import service as dashboard
from app.programme import service as programme_service
from app.programme.pickers import chosen_quarter

bp = Blueprint("home", __name__, template_folder="templates")


@bp.route("/")
@roles_required(*EVERYONE)
def home():
    """The dashboard: headline figures for a quarter (a lead sees their own authority)."""
    choices = dashboard.quarter_choices()
    quarter = chosen_quarter(choices, dashboard.default_quarter())
    authority = current_user.authority if current_user.role == ROLE_LEAD else None
    figures = dashboard.headlines(
        quarter,
        authority,
        suppress=sees_protected_counts(current_user),
        show_review_queue=current_user.role in BCC_STAFF,
    )
    return render_template(
        "home/home.html", programme=programme_service.get_programme(), figures=figures, quarters=choices
    )
