"""The shape of the figures a report run stores (ReportRun.figures_json), with its version.

A run freezes figures(quarter) as JSON and its workbook is built from that JSON, today or in
years' time. Many keys come from service dataclasses (their fields and properties, by name),
so renaming a property would silently change what new runs hold and break old ones. This
module writes the shape down, and load() checks every stored run against it before a
workbook is built from it: a missing or renamed key fails with FiguresSchemaError naming it
(recorded as the run's failure), never a workbook with blanks.

The spec language (see V1): a dict is a record whose keys are all required, with the spec of
each value; [spec] a list of items; Mapping(spec) a dict with any keys (labels such as exit
reasons, in their order); Maybe(spec) also allows None; a type (or tuple of types) an
isinstance check; ANY anything. Keys a record does not name are allowed and kept.

Adding a figure (fidelity, completeness, ...): add its key to OPTIONAL_SECTIONS with its
spec. Old runs do not have it, so the sheet that shows it must read
figures.get("key") and say when it is absent; the version does not change.

Changing the shape (renaming or removing a key, changing what a value means): bump
SCHEMA_VERSION, write V2, and add UPGRADES[1] = a function that turns a version-1 payload
into a version-2 one explicitly (for example copying the old key to the new name). load()
upgrades step by step, then checks against the current version's spec. Keep the version-1
fixture test (tests/reporting/fixtures/report_run_v1.json): it must still build.
"""

from __future__ import annotations

from collections.abc import Callable

from app.reporting.figures import ReportError, upgrade_1_to_2

SCHEMA_VERSION = 2  # 2: percentages as fractions, the first-year target frozen
VERSION_KEY = "schema_version"
LEGACY_VERSION_KEY = "schema"  # what runs stored before the version key had its own name

ANY = object()
NUMBER = (int, float)


class Maybe:
    def __init__(self, spec):
        self.spec = spec


class Mapping:
    def __init__(self, spec):
        self.spec = spec


class FiguresSchemaError(ReportError):
    """Stored figures do not have the shape a workbook needs; the message names the key."""


_SPEND_FIGURES = {
    "year_profile_pence": int,
    "profile_to_date_pence": int,
    "actual_to_date_pence": int,
    "cumulative_profile_pence": int,
    "cumulative_actual_pence": int,
    "allocation_pence": int,
    "unverified_pence": int,
    "variance_pence": int,
    "variance_percent": Maybe(NUMBER),
    "remaining_allocation_pence": int,
    "rag": Maybe(str),
}
_SPEND_ROW = {
    "authority_name": str,
    "figures": {"hf_support": _SPEND_FIGURES, "other_support": _SPEND_FIGURES, "total": _SPEND_FIGURES},
}
_AUTHORITY_REF = {"id": int, "name": str, "gss_code": str}
_SUSTAINMENT = {"numerator": int, "denominator": int, "rate": Maybe(NUMBER)}
_OUTCOMES = {
    "accepted_in_quarter": int,
    "accepted_to_date": int,
    "housed_in_quarter": int,
    "housed_to_date": int,
    "currently_housed": int,
    "waiting": int,
    "exits_by_reason": Mapping(int),
    "sustainment_6": _SUSTAINMENT,
    "sustainment_12": _SUSTAINMENT,
    "tenancy_bands": Mapping(int),
}
_UNITS_ROW = {
    "units_per_year": int,
    "target_to_date": NUMBER,
    "housed_in_quarter": int,
    "housed_to_date": int,
    "currently_housed": int,
    "percent_of_target": Maybe(NUMBER),
}
_RAG_COUNTS = {"red": int, "amber": int, "green": int}

V1 = {
    VERSION_KEY: int,
    "quarter": {"slug": str, "label": str, "start_date": str, "end_date": str, "months": [str]},
    "financial_year": str,
    "generated_at": str,
    "programme": {"name": str, "accountable_body": str, "grant_total_pence": int},
    "profile_version": Maybe({"number": int}),
    "authorities": [{"id": int, "name": str, "gss_code": str, "units_per_year": int}],
    "suppression_threshold": int,
    "rag_percent": {"green_max": NUMBER, "amber_max": NUMBER},
    "spend_against_profile": {
        "rows": [_SPEND_ROW],
        "programme": _SPEND_ROW,
        "profile_version_number": Maybe(int),
    },
    "forecast_outturn": [
        {
            "authority": _AUTHORITY_REF,
            "allocation_pence": int,
            "actual_to_date_pence": int,
            "remaining_profile_pence": int,
            "forecast_pence": int,
            "entered_by_finance": bool,
            "note": Maybe(str),
            "projected_variance_pence": int,
        }
    ],
    "cumulative_series": [{"label": str, "cumulative_profile_pence": int, "cumulative_actual_pence": int}],
    "outcomes": _OUTCOMES,
    "outcomes_by_authority": [{"authority_name": str, **_OUTCOMES}],
    "units_against_target": [{"authority": _AUTHORITY_REF, **_UNITS_ROW}],
    "units_programme": _UNITS_ROW,
    "reporting_rate": {
        "months": [str],
        "rows": [
            {
                "authority": _AUTHORITY_REF,
                "cells": Mapping({"status": str, "is_late": bool}),
                "counts": Mapping(int),
                "expected": int,
                "received": int,
            }
        ],
        "totals": Mapping(int),
    },
    "narratives": [{"authority_name": str, "month": str, "progress_narrative": str, "issues_narrative": str}],
    "services_commissioned": [
        {
            "authority_name": str,
            "provider_name": str,
            "service_type_label": str,
            "contract_value_pence": int,
            "start_date": str,
            "end_date": str,
            "capacity_people": Maybe(int),
            "status_label": str,
        }
    ],
    "risks": [
        {
            "kind": str,
            "kind_label": str,
            "authority_name": str,
            "title": str,
            "description": str,
            "likelihood": int,
            "impact": int,
            "score": int,
            "rag": str,
            "owner_role": str,
            "mitigation": str,
            "review_date": str,
            "status_label": str,
        }
    ],
    "open_risk_rag_counts": {"risk": _RAG_COUNTS, "opportunity": _RAG_COUNTS},
}

# Sections added after version 1: checked when present, absent from older runs.
OPTIONAL_SECTIONS: dict[str, object] = {
    # counts of people as published outside BCC (app/clients/protected.py); runs stored before
    # it are protected from their own frozen counts when rebuilt
    "published": ANY,
    # the previous quarter's headline figures and the changes since the last published version;
    # newer runs also hold "published_rows" and "published_changes" (counts of
    # people as published), read with .get() so older runs still build
    "previous_quarter": {"label": str, "rows": [ANY]},
    "changes_since": {"version": int, "changes": [ANY]},
    # housing supply (issue 19): counts of homes per authority id and "programme"
    "housing_supply": Mapping(
        {
            "available": int,
            "occupied": int,
            "empty": int,
            "relets": int,
            "empty_days_total": int,
            "empty_days_median": Maybe(NUMBER),
            "by_funding": Mapping({"acquired": int, "occupied": int}),
        }
    ),
    # fidelity scores and indicators (app/fidelity/report.py)
    "fidelity": {"scores": [ANY], "indicators": [ANY], "definitions": [ANY]},
}

SPECS = {1: V1, 2: V1}  # version 2 has version 1's shape; what its percentages mean changed
UPGRADES: dict[int, Callable[[dict], dict]] = {1: upgrade_1_to_2}  # n -> turns an n payload into n + 1


def _type_name(spec) -> str:
    if isinstance(spec, tuple):
        return " or ".join(t.__name__ for t in spec)
    return spec.__name__


def _check(value, spec, path: str, problems: list[str]) -> None:
    if spec is ANY:
        return
    if isinstance(spec, Maybe):
        if value is not None:
            _check(value, spec.spec, path, problems)
        return
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            problems.append(f"{path or 'the figures'} should be a record, not {type(value).__name__}")
            return
        for key, item_spec in spec.items():
            where = f"{path}.{key}" if path else key
            if key not in value:
                problems.append(f"missing key {where!r}")
            else:
                _check(value[key], item_spec, where, problems)
        return
    if isinstance(spec, Mapping):
        if not isinstance(value, dict):
            problems.append(f"{path} should be a record, not {type(value).__name__}")
            return
        for key, item in value.items():
            _check(item, spec.spec, f"{path}[{key!r}]", problems)
        return
    if isinstance(spec, list):
        if not isinstance(value, list):
            problems.append(f"{path} should be a list, not {type(value).__name__}")
            return
        for index, item in enumerate(value):
            _check(item, spec[0], f"{path}[{index}]", problems)
        return
    wanted = spec if isinstance(spec, tuple) else (spec,)
    if bool not in wanted and isinstance(value, bool) or not isinstance(value, wanted):
        problems.append(f"{path} should be {_type_name(spec)}, not {type(value).__name__}")


def problems(payload: dict, version: int | None = None) -> list[str]:
    """Every way the payload differs from the version's shape (default the current one)."""
    found: list[str] = []
    _check(payload, SPECS[version or SCHEMA_VERSION], "", found)
    for key, spec in OPTIONAL_SECTIONS.items():
        if isinstance(payload, dict) and payload.get(key) is not None:
            _check(payload[key], spec, key, found)
    return found


def version_of(payload: dict) -> int:
    version = payload.get(VERSION_KEY, payload.get(LEGACY_VERSION_KEY))
    if not isinstance(version, int) or isinstance(version, bool):
        raise FiguresSchemaError(f"The stored figures have no {VERSION_KEY!r}: they cannot be read")
    return version


def validate(payload: dict) -> dict:
    """The payload, if it has the current version's shape; else FiguresSchemaError."""
    found = problems(payload)
    if found:
        shown = "; ".join(found[:5]) + (f"; and {len(found) - 5} more" if len(found) > 5 else "")
        raise FiguresSchemaError(f"The report figures (version {SCHEMA_VERSION}) do not match: {shown}")
    return payload


def load(payload: dict) -> dict:
    """A stored run's figures, upgraded to the current version and checked."""
    payload = dict(payload)
    version = version_of(payload)
    if LEGACY_VERSION_KEY in payload and VERSION_KEY not in payload:
        payload[VERSION_KEY] = payload.pop(LEGACY_VERSION_KEY)
    if version > SCHEMA_VERSION:
        raise FiguresSchemaError(
            f"The stored figures are version {version}, newer than this service reads ({SCHEMA_VERSION})"
        )
    while version < SCHEMA_VERSION:
        payload = UPGRADES[version](payload)
        version += 1
        payload[VERSION_KEY] = version
    return validate(payload)
