"""Home, the programme overview and the health check."""

from flask import Blueprint, abort, jsonify, render_template, request
from flask_login import current_user
from sqlalchemy import text

from app.accounts.access import BCC_STAFF, EVERYONE, ROLE_LEAD, roles_required
from app.clients.suppression import should_suppress
from app.extensions import db
from app.periods import PeriodError, Quarter
from app.programme import dashboard, service

bp = Blueprint("programme", __name__, template_folder="templates")
NAVIGATION = [("programme.home", "Home", None), ("programme.overview", "Programme", None)]


@bp.route("/")
@roles_required(*EVERYONE)
def home():
    """The dashboard: headline figures for a quarter (a lead sees their own authority)."""
    choices = dashboard.quarter_choices()
    try:
        quarter = (
            Quarter.parse(request.args["quarter"])
            if request.args.get("quarter")
            else dashboard.default_quarter()
        )
    except PeriodError:
        abort(404)
    if quarter not in choices:
        abort(404)
    authority = current_user.authority if current_user.role == ROLE_LEAD else None
    figures = dashboard.headlines(
        quarter,
        authority,
        suppress=should_suppress(current_user),
        show_review_queue=current_user.role in BCC_STAFF,
    )
    return render_template(
        "programme/home.html", programme=service.get_programme(), figures=figures, quarters=choices
    )


@bp.route("/programme")
@roles_required(*EVERYONE)
def overview():
    return render_template("programme/overview.html", **service.overview())


@bp.route("/health")
def health():
    """For a load balancer: 200 when the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means unhealthy
        db.session.rollback()
        return jsonify(status="unavailable", database="error"), 503
    return jsonify(status="ok", database="ok")
