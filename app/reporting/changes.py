"""What changed since the quarter's last published version, and the previous quarter's
headline figures for the Summary.

Both are worked out when a run is produced and frozen with its figures, so the workbook and
the run page always show the same list. Changes compare two runs' frozen figures flattened
to labelled values: (section, authority, measure) -> value, counts of people, money and
counts of returns alike. Derived percentages are left out: the counts they come from are listed.

Both lists leave BCC (the workbooks, a published run's page), so each is frozen twice: with
exact counts of people (for BCC staff on the run page) and with the counts of people as
published (app/clients/protected.py), compared published against published, for everyone
else. Money, targets and counts of returns are the same in both.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.clients import protected
from app.clients import service as clients
from app.disclosure import rule
from app.finance import service as finance
from app.periods import Quarter
from app.programme import periods
from app.reporting.figures import plain
from app.reporting.stored import previous_published_run, stored_figures

COUNT, MONEY, INTEGER, TEXT = "count", "money", "integer", "text"

PEOPLE_MEASURES = (
    "accepted_in_quarter",
    "accepted_to_date",
    "housed_in_quarter",
    "housed_to_date",
    "currently_housed",
    "waiting",
    "exits_in_quarter",
)
GROUPED_MEASURES = {  # key -> label prefix; each holds label -> count
    "exits_by_reason": "Exits in quarter",
    "exits_to_date_by_reason": "Exits to date",
    "support_endings_by_reason": "Support ended",
    "tenancy_bands": "Time in tenancy",
}
STRANDS = {"hf_support": "HF Support", "other_support": "Other Support", "total": "Total"}
RETURN_COUNTS = ("approved", "on_time", "late", "missing")
PROGRAMME = "Programme"


@dataclass(frozen=True)
class Change:
    section: str
    authority: str
    measure: str
    kind: str
    old: object
    new: object


def _label(key: str) -> str:
    words = key.removesuffix("_pence").replace("_", " ")
    return words[:1].upper() + words[1:]


def _authority(row: dict) -> str:
    authority = row.get("authority")
    if isinstance(authority, dict):
        return authority.get("name", PROGRAMME)
    return row.get("authority_name") or PROGRAMME


def _outcome_values(section: dict, who: str, out: dict) -> None:
    for key in PEOPLE_MEASURES:
        if key in section:
            out[("Outcomes", who, _label(key))] = (COUNT, section[key])
    for key, prefix in GROUPED_MEASURES.items():
        for label, count in (section.get(key) or {}).items():
            out[("Outcomes", who, f"{prefix}: {label}")] = (COUNT, count)
    for key, months in (("sustainment_6", 6), ("sustainment_12", 12)):
        measure = section.get(key) or {}
        for part in ("numerator", "denominator"):
            if part in measure:
                out[("Outcomes", who, f"Sustained at {months} months: {part}")] = (COUNT, measure[part])


def published_block(figures: dict) -> dict:
    """The run's counts of people as published outside BCC. A run stored before runs held
    them is protected now from its own frozen counts."""
    if "published" not in figures:
        quarter = Quarter.parse(figures["quarter"]["slug"])
        figures["published"] = protected.published_from_frozen(
            quarter, figures["outcomes_by_authority"], rule()
        )
    return figures["published"]


def _people_row(people: dict | None, row: dict, authority_id) -> dict:
    """A row's counts of people: as frozen (exact), or as published when `people` is given."""
    if people is None:
        return row
    return people[protected.PROGRAMME if authority_id is None else str(authority_id)]


def flatten(figures: dict, published: bool = False) -> dict[tuple[str, str, str], tuple[str, object]]:
    """Every figure of a run as (section, authority, measure) -> (kind, value); with
    `published`, each count of people as published outside BCC (a number or a text)."""
    out: dict[tuple[str, str, str], tuple[str, object]] = {}
    people = published_block(figures)["rows"] if published else None
    units = list(figures.get("units_against_target") or [])
    if figures.get("units_programme"):
        units.append({**figures["units_programme"], "authority": None, "authority_name": PROGRAMME})
    for row in units:
        who = _authority(row)
        counts = _people_row(people, row, (row.get("authority") or {}).get("id"))
        for key in ("housed_in_quarter", "housed_to_date", "currently_housed"):
            out[("Units and clients", who, _label(key))] = (COUNT, counts.get(key))
        out[("Units and clients", who, "Target to date")] = (INTEGER, row.get("target_to_date"))
    if figures.get("outcomes"):
        _outcome_values(_people_row(people, figures["outcomes"], None), PROGRAMME, out)
    for row in figures.get("outcomes_by_authority") or []:
        _outcome_values(_people_row(people, row, row["authority_id"]), _authority(row), out)
    spend = figures.get("spend_against_profile") or {}
    for row in [*(spend.get("rows") or []), *([spend["programme"]] if spend.get("programme") else [])]:
        who = row.get("authority_name") or PROGRAMME
        for strand, label in STRANDS.items():
            for key, value in ((row.get("figures") or {}).get(strand) or {}).items():
                if key.endswith("_pence"):
                    out[("Finance", who, f"{label}: {_label(key).lower()}")] = (MONEY, value)
                elif key == "rag":
                    out[("Finance", who, f"{label}: RAG")] = (TEXT, value)
    for row in figures.get("forecast_outturn") or []:
        for key, value in row.items():
            if key.endswith("_pence"):
                out[("Forecast", _authority(row), _label(key))] = (MONEY, value)
    rate = figures.get("reporting_rate") or {}
    for row in [*(rate.get("rows") or []), {"authority_name": PROGRAMME, "counts": rate.get("totals") or {}}]:
        for key in RETURN_COUNTS:
            if key in (row.get("counts") or {}):
                out[("Returns", _authority(row), f"Returns {_label(key).lower()}")] = (
                    INTEGER,
                    row["counts"][key],
                )
    for kind, counts in (figures.get("open_risk_rag_counts") or {}).items():
        for rag, count in counts.items():
            out[("Risks", PROGRAMME, f"Open {kind}s rated {rag}")] = (INTEGER, count)
    return out


def compare(old: dict, new: dict, published: bool = False) -> list[Change]:
    """Every figure whose value differs between two runs' frozen figures, in report order;
    with `published`, counts of people are compared as each run published them."""
    before, after = flatten(old, published), flatten(new, published)
    found = []
    for key in list(after) + [key for key in before if key not in after]:
        kind, new_value = after.get(key, (before[key][0], None))
        old_value = before.get(key, (kind, None))[1]
        if old_value != new_value:
            found.append(Change(*key, kind, old_value, new_value))
    return found


def since_last_published(run, frozen: dict) -> dict | None:
    """The frozen "changes since" block of a new run: None unless the quarter was published."""
    previous = previous_published_run(run)
    if previous is None or not previous.figures_json:
        return None
    earlier = stored_figures(previous)
    return {
        "version": previous.version,
        "changes": [change.__dict__ for change in compare(earlier, frozen)],
        "published_changes": [change.__dict__ for change in compare(earlier, frozen, published=True)],
    }


def frozen_changes(figures: dict | None, exact: bool = False) -> tuple[int | None, list[Change]]:
    """The run's frozen changes: counts of people as published, or exact (BCC only). A block
    frozen before the published list existed gives readers no change of a count of people."""
    block = (figures or {}).get("changes_since")
    if not block:
        return None, []
    if exact:
        found = block["changes"]
    elif "published_changes" in block:
        found = block["published_changes"]
    else:
        found = [change for change in block["changes"] if change["kind"] != COUNT]
    return block["version"], [Change(**change) for change in found]


# ---- the previous quarter's headline figures, for the Summary ------------------------------


def _headline(units: dict, spend_total: dict) -> list[list]:
    return [
        ["Housed to date", units.get("housed_to_date"), COUNT],
        ["Housed in quarter", units.get("housed_in_quarter"), COUNT],
        ["Currently housed", units.get("currently_housed"), COUNT],
        ["Target to date", units.get("target_to_date"), INTEGER],
        ["Actual spend since the grant began", spend_total.get("cumulative_actual_pence"), MONEY],
        ["Remaining allocation", spend_total.get("remaining_allocation_pence"), MONEY],
    ]


HEADLINE_PEOPLE = ("housed_to_date", "housed_in_quarter", "currently_housed")


def _published_units(units: dict, people: dict) -> dict:
    return {**units, **{key: people[key] for key in HEADLINE_PEOPLE}}


def headline(figures: dict, exact: bool = False) -> list[list]:
    """This run's headline figures as [label, value, kind] rows: counts of people as
    published outside BCC, or exact (BCC only)."""
    total = figures["spend_against_profile"]["programme"]["figures"]["total"]
    units = figures["units_programme"]
    if not exact:
        units = _published_units(units, published_block(figures)["rows"][protected.PROGRAMME])
    return _headline(units, total)


def previous_headline(figures: dict) -> dict | None:
    """The frozen previous-quarter block as published outside BCC: {"label", "rows"}. One
    frozen before it held published counts keeps only what is not a count of people."""
    previous = figures.get("previous_quarter")
    if not previous:
        return None
    rows = previous.get("published_rows")
    if rows is None:
        rows = [row for row in previous["rows"] if row[2] != COUNT]
    return {"label": previous["label"], "rows": rows}


def previous_quarter_headline(quarter: Quarter) -> dict | None:
    """The headline figures of the quarter before, worked out now (None for the first):
    exact, and with the counts of people as published for that quarter."""
    previous = quarter.previous()
    if previous not in periods.begun_quarters():
        return None
    units = plain(clients.programme_units_row(clients.units_against_target(previous)))
    spend = finance.spend_against_profile(previous)
    total = plain(spend.programme.figures)["total"]
    people = protected.published(previous)["rows"][protected.PROGRAMME]
    return {
        "label": previous.label,
        "rows": _headline(units, total),
        "published_rows": _headline(_published_units(units, people), total),
    }
