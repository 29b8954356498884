"""What every page shares: login wiring, template filters, assets, security headers, errors."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from flask import Flask, Request, abort, g, render_template, request, send_from_directory, session
from flask_login import current_user
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

from app import unit_of_work
from app.accounts import service as account_service
from app.extensions import db, login_manager
from app.formatting import format_date, format_datetime, format_money, format_percent
from app.forms_common import error_list
from app.navigation import navigation_for, sub_navigation
from app.periods import Month, PeriodError

# NUL and the other C0 control characters but tab, line feed and carriage return: nobody
# types them, PostgreSQL cannot store NUL and openpyxl cannot write any of them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class CleanFormRequest(Request):
    """Form text without invisible control characters (pasted from word processors): they are
    dropped before any validation, so what the person can see is what is checked and kept."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form and any(CONTROL_CHARACTERS.search(value) for _, value in form.items(multi=True)):
            self.__dict__["form"] = ImmutableMultiDict(
                (CONTROL_CHARACTERS.sub("", key), CONTROL_CHARACTERS.sub("", value))
                for key, value in form.items(multi=True)
            )


def month_label(text: str) -> str:
    """'2021-08' as people read it: 'August 2021'."""
    try:
        return Month.parse(str(text)).label
    except PeriodError:
        return str(text)


# The largest id a row can have: PostgreSQL's `integer` (SQLite's reach 2**63 - 1).
MAX_PATH_INTEGER = 2**31 - 1
NO_SUCH_ROW = -1  # ids start at 1, and -1 fits every integer column


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` for every route: ASCII digits only, and a number beyond any row's id becomes
    NO_SUCH_ROW, so the view answers as for any missing row (404, or 403 for a lead where that
    is the rule) instead of the database failing on an integer it cannot hold."""

    regex = r"[0-9]+"

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return NO_SUCH_ROW if number > MAX_PATH_INTEGER else number


def init_app(app: Flask) -> None:
    app.request_class = CleanFormRequest
    # before any blueprint adds its rules, so every <int:> route uses it
    app.url_map.converters["int"] = BoundedIntegerConverter
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Sign in to see this page"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(token: str):
        if not account_service.session_is_within_its_lifetime(
            session.get(account_service.SESSION_STARTED_KEY)
        ):
            return None  # past SESSION_MAX_HOURS since sign-in: signed out, however it was used
        return account_service.load_user_by_session_token(token)

    app.add_template_filter(format_money, "money")
    app.add_template_filter(format_date, "govuk_date")
    app.add_template_filter(format_datetime, "govuk_datetime")
    app.add_template_filter(format_percent, "percent")
    app.add_template_filter(month_label, "month_label")
    app.add_template_global(error_list, "error_list")

    @app.before_request
    def _per_request():
        g.csp_nonce = secrets.token_urlsafe(16)
        session.modified = True  # slide the idle timeout on every request
        # an address holding a control character names nothing of ours
        query = [value for _, value in request.args.items(multi=True)]
        if any(CONTROL_CHARACTERS.search(text) for text in [request.path, *query]):
            abort(400)

    @app.context_processor
    def _layout_context():
        return {
            "csp_nonce": g.get("csp_nonce"),
            "service_navigation": (navigation := navigation_for(current_user)),
            "sub_navigation": sub_navigation(navigation),
            "show_synthetic_banner": app.config["SHOW_SYNTHETIC_BANNER"],
        }

    @app.after_request
    def _end_unit_of_work(response):
        # the one place a request's changes are committed (rolled back on any error status)
        unit_of_work.end_request(response.status_code, None)
        return response

    @app.teardown_request
    def _roll_back_on_error(error):
        if error is not None:
            db.session.rollback()

    @app.after_request
    def _security_headers(response):
        nonce = g.get("csp_nonce", "")
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if app.config["ENV"] not in ("development", "test"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if current_user and current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        return response

    assets_root = Path(app.config["ASSETS_DIR"])

    @app.route("/assets/<path:filename>")
    def assets(filename: str):
        """GOV.UK Frontend's fonts, images, CSS and JavaScript from the npm package."""
        for folder in (assets_root / "assets", assets_root):
            if (folder / filename).is_file():
                return send_from_directory(folder, filename, max_age=3600)
        abort(404)

    for code, title in (
        (400, "There is a problem with what was sent"),
        (403, "You do not have permission to see this page"),
        (404, "Page not found"),
        (413, "The file is too large"),
        (429, "Too many attempts"),
        (500, "Sorry, there is a problem with the service"),
    ):
        app.register_error_handler(code, _error_page(code, title))


def _error_page(code: int, title: str):
    def handler(error):
        # a failed request may leave the session unusable; the error page must still render
        db.session.rollback()
        link = getattr(error, "link", None)  # (address, text): e.g. the latest quarter's figures
        return render_template("error.html", code=code, title=title, link=link), code

    return handler
