"""Signing in and out, user management and the audit log page."""

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from app.accounts import (
    admin,
    bp,
    service,
    views_admin,  # noqa: F401  (its routes are on the same blueprint)
)
from app.accounts import audit_log as audit_log_service
from app.accounts.access import may_manage_users, may_see_audit_log, requires
from app.accounts.forms import ConfirmForm, CreateUserForm, LoginForm
from app.extensions import limiter
from app.programme import service as programme_service

GENERIC_LOGIN_ERROR = "Enter a correct email address and password. Accounts lock after repeated failures"


def _login_rate_key() -> str:
    return "login-account:" + service.normalise_email(request.form.get("email", ""))


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("home.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], key_func=_login_rate_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(form.email.data, form.password.data)
        if user is None:
            form.email.errors.append(GENERIC_LOGIN_ERROR)
        else:
            session.clear()  # a new session at sign-in, so a planted one is useless
            login_user(user)
            session[service.SESSION_STARTED_KEY] = service.session_start_stamp()
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    form = ConfirmForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        service.end_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    flash("You have signed out")
    return redirect(url_for("accounts.login"))


@bp.route("/users")
@requires(may_manage_users)
def users():
    return render_template("accounts/users.html", users=service.all_users(), form=ConfirmForm())


@bp.route("/users/new", methods=["GET", "POST"])
@requires(may_manage_users)
def create_user():
    form = CreateUserForm()
    form.authority.choices = [("", "Not an authority lead")] + [
        (a.gss_code, a.name) for a in programme_service.authorities()
    ]
    if form.validate_on_submit():
        try:
            user = service.create_user(form.email.data, form.role.data, form.authority.data or None)
            admin.send_password_reset(user)  # they choose their own password from the link
        except service.AccountError as error:
            form.email.errors.append(str(error))
        else:
            flash(f"User {user.email} created and sent a link to choose a password", "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/create_user.html", form=form)


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@requires(may_manage_users)
def unlock_user(user_id: int):
    user = service.user_by_id(user_id)
    if user is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        service.unlock(user)
        flash(f"{user.email} is unlocked")
    return redirect(url_for("accounts.users"))


@bp.route("/audit")
@requires(may_see_audit_log)
def audit_log():
    """The audit log in words, a page at a time, filtered by area, authority, user and dates."""
    filters, errors = audit_log_service.filters_from(request.args)
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 1
    result = audit_log_service.events(filters, page)
    return render_template(
        "accounts/audit.html",
        result=result,
        filters=filters,
        filter_errors=errors,
        areas=audit_log_service.AREAS,
        authorities=programme_service.authorities(),
        actors=audit_log_service.actors(),
        page_url=lambda number: url_for("accounts.audit_log", page=number, **filters.as_args()),
    )
