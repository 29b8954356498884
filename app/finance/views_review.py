"""Finance's review of one monthly return: its figures against the profile and the months
before, and the decision (approve, or return to the lead) made on the same page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from app.accounts.access import authority_or_403, may_review_returns, requires
from app.finance import bp, review
from app.periods import Month, PeriodError
from app.returns import service as returns
from app.returns.forms import DecisionForm, ReasonForm


def _authority_and_month(gss: str, month_text: str):
    authority = authority_or_403(gss)
    try:
        month = Month.parse(month_text)
    except PeriodError:
        abort(404)
    if not returns.is_return_month(month):
        abort(404)
    return authority, month


@bp.route("/finance/review/<gss>/<month_text>", methods=["GET", "POST"])
@requires(may_review_returns)
def review_return(gss: str, month_text: str):
    authority, month = _authority_and_month(gss, month_text)
    monthly_return = returns.get_return(authority.id, month)
    version = str(monthly_return.version if monthly_return else 0)
    approve_form = DecisionForm(formdata=None, version=version)
    send_back_form = ReasonForm(formdata=None, version=version)
    status = 200
    if request.method == "POST":
        decision = request.form.get("decision")
        if decision not in ("approve", "send-back"):
            abort(400)
        form = DecisionForm() if decision == "approve" else ReasonForm()
        if decision == "approve":
            approve_form = form
        else:
            send_back_form = form
        if form.validate_on_submit():
            try:
                if decision == "approve":
                    returns.approve(monthly_return, form.version.data)
                    flash(f"{authority.name}, {month.label}: approved and locked", "success")
                else:
                    returns.send_back(monthly_return, form.version.data, (form.reason.data or "").strip())
                    flash(f"{authority.name}, {month.label}: returned to the lead", "success")
                return redirect(url_for("returns.review"))
            except returns.ReturnStateError as error:
                form.form_errors.append(str(error))
            except returns.StaleReturn:
                form.form_errors.append(
                    "The return changed while you were looking at it; check it again before deciding"
                )
        status = 400
    fields = returns.fields()
    page_form = send_back_form if send_back_form.errors or send_back_form.form_errors else approve_form
    return render_template(
        "finance/review_return.html",
        authority=authority,
        month=month,
        monthly_return=monthly_return,
        status=returns.status_of(monthly_return),
        is_late=returns.is_late(monthly_return),
        figures=review.review_figures(authority.id, month),
        fields=fields,
        values=returns.stored_values(monthly_return, fields),
        approve_form=approve_form,
        send_back_form=send_back_form,
        form=page_form,
    ), status
