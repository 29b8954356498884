"""The programme overview and the health check.

The programme sits below accounts (a user belongs to an authority), so this page cannot
use accounts' role checks: every signed-in user may read it, which Flask-Login's
login_required says (every user holds one of the roles).
"""

from flask import Blueprint, jsonify, render_template
from flask_login import login_required
from sqlalchemy import text

from app.extensions import db
from app.programme import paging, service

bp = Blueprint("programme", __name__, template_folder="templates")
# Home (the top layer) is listed here so that it comes first in the navigation.


@bp.route("/programme")
@login_required
def overview():
    context = service.overview()
    # A page of authorities in both tables; their totals are over the whole programme.
    page = paging.chosen_page(len(context.get("authorities") or []))
    if context.get("authorities"):
        context["authorities"] = page.slice(context["authorities"])
    return render_template("programme/overview.html", **context, page=page)


@bp.route("/health")
def health():
    """For a load balancer: 200 when the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means unhealthy
        db.session.rollback()
        return jsonify(status="unavailable", database="error"), 503
    return jsonify(status="ok", database="ok")
