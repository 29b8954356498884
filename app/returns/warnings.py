"""Warnings a lead confirms with a comment before submitting: spend far above the monthly
profile, or a figure far above the authority's average of its previous six months.
Both multiples are settings (SPEND_WARNING_MULTIPLE, OUTLIER_WARNING_MULTIPLE). An outlier
must also differ from the average by a minimum amount (OUTLIER_MINIMUM_DIFFERENCE people or
workers, OUTLIER_MINIMUM_DIFFERENCE_POUNDS of spend), so 1 declined referral against an average
of 0.2 asks for no comment."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.periods import Month
from app.programme import service as programme_service
from app.programme.models import ProfileLine
from app.returns.models import STATUS_APPROVED, STATUS_SUBMITTED, MonthlyReturn, ReturnSpendLine
from app.returns.validation import MONEY, ReturnField

SUBMITTED_STATUSES = (STATUS_SUBMITTED, STATUS_APPROVED)


def monthly_profile_pence(authority_id: int, month: Month) -> int | None:
    """The current profile version's quarter amount (both strands) divided by three."""
    version = programme_service.current_profile_version()
    if version is None:
        return None
    total = db.session.scalar(
        select(func.sum(ProfileLine.amount_pence)).where(
            ProfileLine.version_id == version.id,
            ProfileLine.authority_id == authority_id,
            ProfileLine.quarter == month.quarter.slug,
        )
    )
    return int(total) // 3 if total else None


def _figures(values: dict, return_fields_: list[ReturnField]) -> dict[str, int | None]:
    """The figures the outlier rule compares: counts, FTE and spend per strand."""
    hf = values.get("hf_support")
    others = [values.get(f.name) for f in return_fields_ if f.kind == MONEY and f.strand != "hf_support"]
    other = sum(v for v in others if v is not None) if any(v is not None for v in others) else None
    return {
        "Referrals received": values.get("referrals_received"),
        "Referrals declined": values.get("referrals_declined"),
        "Support workers in post": values.get("support_workers_fte"),
        "HF Support spend": hf,
        "Other Support spend": other,
    }


def previous_six_month_averages(authority_id: int, month: Month) -> dict[str, float]:
    """Averages of the authority's submitted or approved returns in the six months before."""
    months = [str(month.plus(-offset)) for offset in range(1, 7)]
    where = (
        MonthlyReturn.authority_id == authority_id,
        MonthlyReturn.month.in_(months),
        MonthlyReturn.status.in_(SUBMITTED_STATUSES),
    )
    counts = db.session.execute(
        select(
            func.avg(MonthlyReturn.referrals_received),
            func.avg(MonthlyReturn.referrals_declined),
            func.avg(MonthlyReturn.support_workers_fte_tenths),
        ).where(*where)
    ).one()
    spend = db.session.execute(
        select(
            ReturnSpendLine.strand,
            func.sum(ReturnSpendLine.amount_pence),
            func.count(func.distinct(ReturnSpendLine.return_id)),
        )
        .join(MonthlyReturn)
        .where(*where)
        .group_by(ReturnSpendLine.strand)
    )
    averages = {
        "Referrals received": counts[0],
        "Referrals declined": counts[1],
        "Support workers in post": counts[2],
    }
    for strand, total, returns in spend:
        label = "HF Support spend" if strand == "hf_support" else "Other Support spend"
        averages[label] = int(total) / returns if returns else None
    return {label: float(value) for label, value in averages.items() if value is not None}


def _shown(label: str, value: float) -> str:
    if "spend" in label:
        return f"£{value / 100:,.2f}"
    if label == "Support workers in post":
        return f"{value / 10:.1f}"
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def _minimum_difference(label: str, config) -> float:
    """The smallest difference worth a warning, in the figure's own units."""
    if "spend" in label:
        return config["OUTLIER_MINIMUM_DIFFERENCE_POUNDS"] * 100
    if label == "Support workers in post":
        return config["OUTLIER_MINIMUM_DIFFERENCE"] * 10  # tenths of a full-time worker
    return config["OUTLIER_MINIMUM_DIFFERENCE"]


def warnings_for(
    authority_id: int, month: Month, values: dict, return_fields_: list[ReturnField]
) -> list[str]:
    """Figures the lead must confirm with a comment before submitting."""
    config = current_app.config
    found = []
    figures = _figures(values, return_fields_)
    spend = sum(v for key, v in figures.items() if "spend" in key and v is not None)
    profile = monthly_profile_pence(authority_id, month)
    multiple = config["SPEND_WARNING_MULTIPLE"]
    if profile and spend > multiple * profile:
        found.append(
            f"Spend this month ({_shown('spend', spend)}) is more than {multiple} times "
            f"the monthly profile ({_shown('spend', profile)})"
        )
    outlier = config["OUTLIER_WARNING_MULTIPLE"]
    averages = previous_six_month_averages(authority_id, month)
    for label, value in figures.items():
        average = averages.get(label)
        if (
            value is not None
            and average
            and value > outlier * average
            and value - average >= _minimum_difference(label, config)
        ):
            found.append(
                f"{label} ({_shown(label, value)}) is more than {outlier} times the average "
                f"of the previous six months ({_shown(label, average)})"
            )
    return found
