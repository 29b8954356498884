"""User administration pages (admin only) and the password reset link's page (anyone
holding a valid link)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.accounts import admin, bp, service
from app.accounts.access import may_manage_users, requires
from app.accounts.forms import ChangeRoleForm, ConfirmForm, ResetPasswordForm
from app.programme import service as programme_service


def _user_or_404(user_id: int):
    user = service.user_by_id(user_id)
    if user is None:
        abort(404)
    return user


def _role_form(user, formdata=None):
    form = (
        ChangeRoleForm(formdata=formdata)
        if formdata is not None
        else ChangeRoleForm(formdata=None, **admin.role_form_data(user))
    )
    form.authority.choices = [("", "Not an authority lead")] + [
        (a.gss_code, a.name) for a in programme_service.authorities()
    ]
    return form


def _user_page(user, role_form=None, status: int = 200):
    return render_template(
        "accounts/user.html",
        user=user,
        form=role_form or _role_form(user),
        confirm_form=ConfirmForm(formdata=None),
        reset_hours=admin.reset_lifetime().total_seconds() // 3600,
    ), status


@bp.route("/users/<int:user_id>")
@requires(may_manage_users)
def user_page(user_id: int):
    return _user_page(_user_or_404(user_id))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@requires(may_manage_users)
def change_role(user_id: int):
    from flask import request

    user = _user_or_404(user_id)
    form = _role_form(user, request.form)
    if form.validate_on_submit():
        try:
            changed = admin.change_role(user, form.role.data, form.authority.data or None, current_user)
        except service.AccountError as error:
            form.role.errors = [str(error)]
        else:
            flash(f"{user.email} is now {user.role_label}" if changed else "Nothing changed", "success")
            return redirect(url_for("accounts.user_page", user_id=user.id))
    return _user_page(user, form, 400)


def _confirmed_action(user_id: int, action, done: str):
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action(user)
    except service.AccountError as error:
        flash(str(error))
    else:
        flash(done.format(email=user.email), "success")
    return redirect(url_for("accounts.user_page", user_id=user.id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@requires(may_manage_users)
def deactivate_user(user_id: int):
    return _confirmed_action(
        user_id,
        lambda user: admin.deactivate(user, current_user),
        "{email} is deactivated and signed out everywhere",
    )


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@requires(may_manage_users)
def reactivate_user(user_id: int):
    return _confirmed_action(user_id, admin.reactivate, "{email} is active again")


@bp.route("/users/<int:user_id>/password-reset", methods=["POST"])
@requires(may_manage_users)
def send_password_reset(user_id: int):
    return _confirmed_action(
        user_id, admin.send_password_reset, "A link to choose a new password was sent to {email}"
    )


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """The page a reset link opens: the person chooses their own password."""
    try:
        user = admin.user_for_reset(token)
    except service.AccountError as error:
        return render_template("accounts/reset_password.html", problem=str(error), form=None), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            admin.reset_password(token, form.password.data or "")
        except service.AccountError as error:
            form.password.errors = [str(error)]
        else:
            flash("Your new password is saved. Sign in with it", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", problem=None, form=form, email=user.email)
