"""Every figure of the quarterly report, gathered from the other areas' service functions.

Nothing is computed here: each figure comes from the one function that computes it for the
pages too (finance, clients, returns, registers). figures(quarter) turns their answers into
a plain JSON-serialisable dict; a report run stores exactly this dict (frozen) and the
workbook is built from the stored dict, so a finished run never changes. Its shape and
version are written down in figures_schema.py: a new figure is added there too.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import inspect as sa_inspect

from app.clients import protected
from app.clients import service as clients
from app.clock import utcnow
from app.fidelity import report as fidelity_report
from app.finance import ledger
from app.finance import service as finance
from app.periods import FinancialYear, Month, Quarter
from app.programme import service as programme_service
from app.programme.models import Authority
from app.registers import service as registers
from app.registers.models import RISK_OPEN
from app.returns import service as returns
from app.supply import figures as supply

# figures_schema.SCHEMA_VERSION: the shape's version, stored with the figures. Version 2:
# percentages are fractions (0.125 is 12.5%) and the programme's first-year target is frozen.
FIGURES_SCHEMA = 2


class ReportError(ValueError):
    """The report cannot be produced; the message says why."""


def _properties(cls) -> list[str]:
    names = []
    for klass in reversed(cls.__mro__):
        names += [
            name
            for name, member in vars(klass).items()
            if isinstance(member, property) and not name.startswith("_")
        ]
    return list(dict.fromkeys(names))


def plain(value):
    """A JSON-serialisable copy of a service function's answer."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Month | Quarter | FinancialYear):
        return value.label
    if isinstance(value, Authority):
        return {"id": value.id, "name": value.name, "gss_code": value.gss_code}
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        result = {item.name: plain(getattr(value, item.name)) for item in dataclasses.fields(value)}
        for name in _properties(type(value)):
            result.setdefault(name, plain(getattr(value, name)))
        return result
    if hasattr(value, "_asdict"):  # a named tuple or a SQLAlchemy Row
        return plain(dict(value._asdict()))
    mapper = sa_inspect(type(value), raiseerr=False)
    if mapper is not None and hasattr(mapper, "column_attrs"):
        result = {attr.key: plain(getattr(value, attr.key)) for attr in mapper.column_attrs}
        names = [name for name in _properties(type(value)) if name.endswith("_label")]
        names += [name for name in ("score", "rag", "total_pence") if hasattr(type(value), name)]
        for name in names:
            result[name] = plain(getattr(value, name))
        if "authority" in mapper.relationships:
            authority = value.authority
            result["authority_name"] = authority.name if authority is not None else "Programme-wide"
        return result
    raise TypeError(f"cannot freeze a {type(value).__name__} in the report's figures")


def _outcomes_by_authority(by_id: dict, names: dict[int, str]) -> list[dict]:
    rows = [
        {
            "authority_id": authority_id,
            "authority_name": names.get(authority_id, str(authority_id)),
            **plain(outcomes),
        }
        for authority_id, outcomes in by_id.items()
    ]
    return sorted(rows, key=lambda row: row["authority_name"])


def _spend_row(row) -> dict:
    """One row of finance's SpendAgainstProfile: its label and each strand's figures."""
    return {"authority_name": row.label, "figures": plain(row.figures)}


def _provisional(quarter: Quarter, names: dict[int, str]) -> dict:
    """{authority name: {"year": [...], "cumulative": [...]}}: the months (labels) with no approved
    return that the authority's year-to-date and since-the-grant-began figures rest on."""
    start = returns.first_month()
    months = start.months_until(quarter.months()[-1])
    year_start = quarter.year.months()[0]
    result = {}
    for authority_id, gaps in returns.months_not_approved(months).items():
        result[names[authority_id]] = {
            "year": [m.label for m in gaps if m >= year_start],
            "cumulative": [m.label for m in gaps],
        }
    return result


def upgrade_1_to_2(frozen: dict) -> dict:
    """Version 1 held finance's variance and the units' percentage of target as 0-100; version
    2 holds fractions and the first-year target (every version-1 run used 25%)."""
    frozen = json.loads(json.dumps(frozen))
    for row in [*frozen["units_against_target"], frozen["units_programme"]]:
        if row.get("percent_of_target") is not None:
            row["percent_of_target"] /= 100
    spend = frozen["spend_against_profile"]
    for row in [*spend["rows"], spend["programme"]]:
        for strand in row["figures"].values():
            if strand.get("variance_percent") is not None:
                strand["variance_percent"] /= 100
    frozen["programme"].setdefault("first_year_target", 0.25)
    # Figures added with the report round: a version-1 run did not record them, and says so.
    for row in [*spend["rows"], spend["programme"]]:
        for strand in row["figures"].values():
            strand.setdefault("rag_basis", "year")  # version 1 compared the year to date
            strand.setdefault("allocation_words", "")
    frozen.setdefault(
        "completeness", {"sentence": "Not recorded when this version of the report was produced"}
    )
    frozen.setdefault("provisional", {})
    frozen.setdefault("paid_against_allocation", [])
    return frozen


def figures(quarter: Quarter) -> dict:
    """Every figure of `quarter`'s report, as plain data (see the module's docstring)."""
    # The quarter's client outcomes are asked for three times (programme, by authority,
    # units against target): within this block they are computed once (issue 9's profile).
    with clients.reuse_outcomes():
        return _gather(quarter)


def _gather(quarter: Quarter) -> dict:
    programme = programme_service.get_programme()
    if programme is None:
        raise ReportError("The programme is not loaded yet: ask the system administrator to load it")
    authorities = programme_service.authorities()
    version = programme_service.current_profile_version()
    result = {
        "schema_version": FIGURES_SCHEMA,
        "quarter": {
            "slug": quarter.slug,
            "label": quarter.label,
            "start_date": quarter.start_date.isoformat(),
            "end_date": quarter.end_date.isoformat(),
            "months": [month.label for month in quarter.months()],
        },
        "financial_year": quarter.year.label,
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "programme": {
            "name": programme.name,
            "funder": programme.funder,
            "grant_type": programme.grant_type,
            "accountable_body": programme.accountable_body,
            "oversight": programme.oversight,
            "grant_total_pence": programme.grant_total_pence,
            "first_year_target": programme.first_year_target,
        },
        "profile_version": None
        if version is None
        else {
            "number": version.number,
            "created_at": version.created_at.isoformat(timespec="seconds"),
            "created_by": version.created_by,
            "reason": version.reason,
        },
        "authorities": [
            {
                "id": a.id,
                "name": a.name,
                "gss_code": a.gss_code,
                "units_per_year": a.units_per_year,
                "hf_support_pence": a.hf_support_pence,
                "other_support_pence": a.other_support_pence,
                "total_pence": a.total_pence,
            }
            for a in authorities
        ],
        "suppression_threshold": current_app.config["SUPPRESSION_THRESHOLD"],
        "rag_percent": {
            "green_max": current_app.config["RAG_GREEN_MAX_PERCENT"],
            "amber_max": current_app.config["RAG_AMBER_MAX_PERCENT"],
        },
    }
    # As at the quarter's end: every figure counts returns of months up to its last month only.
    as_at = quarter.end_date
    spend = finance.spend_against_profile(quarter, profile_version=version)
    rate = returns.reporting_rate(quarter.months())
    completeness = returns.completeness(quarter.months())
    units = clients.units_against_target(quarter)
    names = {a.id: a.name for a in authorities}
    result.update(
        {
            "spend_against_profile": {
                "rows": [_spend_row(row) for row in spend.rows],
                "programme": _spend_row(spend.programme),
                "profile_version_number": spend.profile_version.number if spend.profile_version else None,
            },
            "forecast_outturn": plain(finance.forecast_outturn(quarter.year, as_at=as_at)),
            "paid_against_allocation": plain(ledger.paid_against_approved(as_at=as_at)),
            "completeness": {**plain(completeness), "sentence": completeness.sentence},
            "provisional": _provisional(quarter, names),
            "cumulative_series": plain(finance.cumulative_series(quarter)),
            "outcomes": plain(clients.outcomes(quarter)),
            "outcomes_by_authority": _outcomes_by_authority(clients.outcomes_by_authority(quarter), names),
            # what leaves BCC: both workbooks write counts of people from this, never the above
            "published": protected.published(quarter),
            # counts of homes (not people: exact in both workbooks); people waiting are in "published"
            "housing_supply": supply.home_figures(quarter),
            "units_against_target": plain(units),
            "units_programme": plain(clients.programme_units_row(units)),
            "reporting_rate": {**plain(rate), "totals": plain(rate.totals())},
            "narratives": plain(returns.narratives(quarter)),
            "services_commissioned": plain(registers.services_commissioned()),
            "risks": plain(registers.risks()),
            "open_risk_rag_counts": registers.rag_counts(registers.RiskFilter(status=RISK_OPEN)),
            "fidelity": fidelity_report.figures(quarter),
        }
    )
    # Exactly what a run stores: the workbook is built from this, never from the database.
    return json.loads(json.dumps(result))
