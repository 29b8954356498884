"""Client outcomes as published outside BCC: app/disclosure.py's rule applied to them.

published(quarter) is what a Taskforce or MHCLG user is shown for a quarter, on every page
and in both report workbooks: each count of people rounded or hidden by the one rule, every
sum a reader could form audited. The "to date" figures of every quarter since the first
client are audited together (this quarter's "to date" minus the last one's is the quarter's
count), each quarter in turn with the earlier ones frozen, so a quarter's figures are the
same whichever later quarter is looked at. Then the quarter's own tables (waiting,
currently housed, time in tenancy, exits, sustainment) are audited against those.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app import figures_cache
from app.accounts.models import ROLE_MHCLG, ROLE_TASKFORCE
from app.clients.models import Client, Tenancy
from app.clients.outcomes import BAND_LABELS, Outcomes
from app.clients.service import outcomes_by_authority
from app.disclosure import Publication, Rule, rule
from app.extensions import db
from app.periods import Quarter
from app.programme import service as programme_service

PROGRAMME = "programme"
CHAIN = ("accepted", "housed")  # each has an "in quarter" and a "to date" count
SUSTAINMENT = (("sustainment_6", 6), ("sustainment_12", 12))


def _counts_by_quarter(column, group_column, join=None) -> dict[tuple[int, Quarter], int]:
    query = select(group_column, column, func.count()).group_by(group_column, column)
    if join is not None:
        query = query.select_from(join)
    counts: dict[tuple[int, Quarter], int] = {}
    for authority_id, day, count in db.session.execute(query):
        key = (authority_id, Quarter.containing(day))
        counts[key] = counts.get(key, 0) + count
    return counts


def _series() -> dict[str, dict[tuple[int, Quarter], int]]:
    """Clients accepted, and first housed, per authority and quarter (two GROUP BY queries)."""
    first = (
        select(Tenancy.client_id, func.min(Tenancy.start_date).label("first_start"))
        .group_by(Tenancy.client_id)
        .subquery()
    )
    joined = first.join(Client, Client.id == first.c.client_id)
    return {
        "accepted": _counts_by_quarter(Client.accepted_date, Client.authority_id),
        "housed": _counts_by_quarter(first.c.first_start, Client.authority_id, joined),
    }


def _quarters_to(quarter: Quarter, series) -> list[Quarter]:
    starts = [key[1] for counts in series.values() for key in counts]
    quarter_now = min([quarter, *starts])
    quarters = [quarter_now]
    while quarters[-1] < quarter:
        quarters.append(quarters[-1].next())
    return quarters


def _add_chain(publication: Publication, quarter: Quarter, previous, series, row_ids, before=None) -> None:
    """The quarter's "in quarter" and "to date" counts, linked to the last quarter's; with
    `before` (earlier "to date" counts nobody is shown here) instead of a last quarter."""
    for measure in CHAIN:
        for row_id in row_ids:
            in_quarter = series[measure].get((row_id, quarter), 0)
            earlier = 0
            if previous is not None:
                earlier = publication.figures[(previous.slug, row_id, f"{measure}_to_date")].value
            elif before is not None:
                earlier = before[measure].get(row_id, 0)
                publication.add_derived((quarter.slug, row_id, f"{measure}_before"), earlier)
            publication.add((quarter.slug, row_id, f"{measure}_in_quarter"), in_quarter)
            publication.add((quarter.slug, row_id, f"{measure}_to_date"), earlier + in_quarter)
        for suffix in ("in_quarter", "to_date"):
            name = f"{measure}_{suffix}"
            parts = [(quarter.slug, row_id, name) for row_id in row_ids]
            total = sum(publication.figures[part].value for part in parts)
            publication.add((quarter.slug, PROGRAMME, name), total, exact_candidate=suffix == "to_date")
            publication.relate((quarter.slug, PROGRAMME, name), parts)
        for row_id in [*row_ids, PROGRAMME]:
            parts = [(quarter.slug, row_id, f"{measure}_in_quarter")]
            if previous is not None:
                parts.append((previous.slug, row_id, f"{measure}_to_date"))
            elif before is not None and row_id != PROGRAMME:
                parts.append((quarter.slug, row_id, f"{measure}_before"))
            publication.relate((quarter.slug, row_id, f"{measure}_to_date"), parts)


def _row_counts(outcomes) -> dict[str, int]:
    counts = {
        "waiting": outcomes.waiting,
        "currently_housed": outcomes.currently_housed,
        "exits_in_quarter": outcomes.exits_in_quarter,
    }
    counts.update({f"band:{label}": count for label, count in outcomes.tenancy_bands.items()})
    counts.update({f"exit:{label}": count for label, count in outcomes.exits_by_reason.items()})
    for name, _ in SUSTAINMENT:
        measure = getattr(outcomes, name)
        counts[f"{name}:numerator"] = measure.numerator
        counts[f"{name}:denominator"] = measure.denominator
    return counts


def _add_row_tables(publication: Publication, quarters: list[Quarter], row_id, outcomes) -> None:
    slug = quarters[-1].slug

    def key(name):
        return (slug, row_id, name)

    counts = _row_counts(outcomes)
    for name, count in counts.items():
        publication.add(key(name), count)
    publication.relate(key("currently_housed"), [key(f"band:{label}") for label in BAND_LABELS])
    publication.relate(key("exits_in_quarter"), [key(name) for name in counts if name.startswith("exit:")])
    # remainders a reader could work out: people housed but not now, people not sustained
    housed = key("housed_to_date")
    publication.add_derived(key("former"), publication.figures[housed].value - outcomes.currently_housed)
    publication.relate(housed, [key("currently_housed"), key("former")])
    for name, months in SUSTAINMENT:
        measure = getattr(outcomes, name)
        publication.add_derived(key(f"{name}:not"), measure.denominator - measure.numerator)
        publication.relate(key(f"{name}:denominator"), [key(f"{name}:numerator"), key(f"{name}:not")])
        # the denominator is the "housed to date" of the quarter that ended `months` earlier
        index = len(quarters) - 1 - months // 3
        if index >= 0:
            publication.relate(key(f"{name}:denominator"), [(quarters[index].slug, row_id, "housed_to_date")])


def _add_quarter_tables(publication: Publication, quarters: list[Quarter], by_row: dict) -> None:
    slug = quarters[-1].slug
    row_ids = [row_id for row_id in by_row if row_id != PROGRAMME]
    for row_id, outcomes in by_row.items():
        _add_row_tables(publication, quarters, row_id, outcomes)
    for name in _row_counts(by_row[PROGRAMME]):
        publication.relate((slug, PROGRAMME, name), [(slug, row_id, name) for row_id in row_ids])


def _published_row(publication: Publication, quarter: Quarter, row_id, the_rule: Rule, exit_labels) -> dict:
    def shown(name):
        return publication.shown((quarter.slug, row_id, name))

    row = {name: shown(name) for name in ("waiting", "currently_housed", "exits_in_quarter")}
    for measure in CHAIN:
        for suffix in ("in_quarter", "to_date"):
            row[f"{measure}_{suffix}"] = shown(f"{measure}_{suffix}")
    row["tenancy_bands"] = {label: shown(f"band:{label}") for label in BAND_LABELS}
    row["exits_by_reason"] = {label: shown(f"exit:{label}") for label in exit_labels}
    for name, _ in SUSTAINMENT:
        numerator, denominator = shown(f"{name}:numerator"), shown(f"{name}:denominator")
        row[name] = {
            "numerator": numerator,
            "denominator": denominator,
            "rate": the_rule.rate(numerator, denominator),
        }
    return row


def published(quarter: Quarter) -> dict:
    """published_uncached(quarter), kept per process until a write changes the clients, the
    tenancies or the authorities (app/figures_cache.py: the data version)."""
    return published_each([quarter])[quarter]


def published_each(quarters: list[Quarter]) -> dict[Quarter, dict]:
    """published() of each quarter (a chart's), the missing ones worked out together."""
    the_rule = rule()
    settings = (the_rule.threshold, the_rule.base, the_rule.rate_min_denominator)
    by_slug = {quarter.slug: quarter for quarter in quarters}

    def work_out(missing: list[tuple]) -> dict[tuple, dict]:
        made = published_many([by_slug[slug] for slug, _ in missing])
        return {(quarter.slug, settings): found for quarter, found in made.items()}

    wanted = [(quarter.slug, settings) for quarter in quarters]
    # shared: one process's audit serves every web worker and the scheduler
    found = figures_cache.cached_each("published", wanted, work_out, shared=True)
    return {by_slug[slug]: value for (slug, _), value in found.items()}


def published_uncached(quarter: Quarter) -> dict:
    """The quarter's client outcomes as Taskforce and MHCLG are shown them (plain data):
    {"rule": ..., "rows": {authority id (str) or "programme": counts}} where each count is a
    number (rounded, or exact) or a text such as "fewer than 5" or "suppressed"."""
    return published_many([quarter])[quarter]


def published_many(quarters: list[Quarter]) -> dict[Quarter, dict]:
    """published_uncached() of each quarter, the "to date" chain worked through once: every
    quarter's chain is the same from the first client's quarter on (earlier quarters are
    frozen when a later one is added), so each wanted quarter finishes a copy of it."""
    the_rule = rule()
    row_ids = [authority.id for authority in programme_service.authorities()]
    series = _series()
    found: dict[Quarter, dict] = {}
    wanted = sorted(set(quarters))
    starts = [key[1] for counts in series.values() for key in counts]
    first = min(starts) if starts else None
    chained = [quarter for quarter in wanted if first is not None and quarter >= first]
    for quarter in wanted:
        if quarter not in chained:  # no client by then: a chain of the quarter alone
            publication = Publication(the_rule)
            _add_chain(publication, quarter, None, series, row_ids)
            publication.protect()
            publication.freeze()
            found[quarter] = _finish_quarter(publication, [quarter], row_ids, the_rule)
    if chained:
        quarters_to = _quarters_to(chained[-1], series)
        publication = Publication(the_rule)
        previous = None
        for number, each in enumerate(quarters_to):
            _add_chain(publication, each, previous, series, row_ids)
            publication.protect()
            publication.freeze()
            previous = each
            if each in chained:
                finished = publication.copy() if each != chained[-1] else publication
                found[each] = _finish_quarter(finished, quarters_to[: number + 1], row_ids, the_rule)
    return found


def _finish_quarter(publication: Publication, quarters: list[Quarter], row_ids, the_rule: Rule) -> dict:
    quarter = quarters[-1]
    by_authority = outcomes_by_authority(quarter)
    by_row: dict[int | str, Outcomes] = {authority_id: by_authority[authority_id] for authority_id in row_ids}
    programme = Outcomes(quarter.start_date, quarter.end_date)
    for outcomes in by_row.values():
        programme.add(outcomes)
    by_row[PROGRAMME] = programme
    return _finish(publication, quarters, by_row, the_rule)


def published_from_frozen(quarter: Quarter, rows: list[dict], the_rule: Rule) -> dict:
    """published() for a report run stored before it held its published figures: only that
    quarter's frozen counts are known, so the earlier "to date" counts are unknowns."""
    by_row = {row["authority_id"]: _frozen_outcomes(quarter, row) for row in rows}
    row_ids = list(by_row)
    series = {
        measure: {(i, quarter): getattr(o, f"{measure}_in_quarter") for i, o in by_row.items()}
        for measure in CHAIN
    }
    before = {
        measure: {
            i: getattr(o, f"{measure}_to_date") - getattr(o, f"{measure}_in_quarter")
            for i, o in by_row.items()
        }
        for measure in CHAIN
    }
    publication = Publication(the_rule)
    _add_chain(publication, quarter, None, series, row_ids, before=before)
    publication.protect()
    publication.freeze()
    programme = Outcomes(quarter.start_date, quarter.end_date)
    for outcomes in by_row.values():
        programme.add(outcomes)
    by_row[PROGRAMME] = programme
    return _finish(publication, [quarter], by_row, the_rule)


def _frozen_outcomes(quarter: Quarter, row: dict) -> Outcomes:
    outcomes = Outcomes(quarter.start_date, quarter.end_date, row["authority_id"])
    for name in ("accepted_in_quarter", "accepted_to_date", "housed_in_quarter", "housed_to_date"):
        setattr(outcomes, name, row[name])
    outcomes.currently_housed, outcomes.waiting = row["currently_housed"], row["waiting"]
    outcomes.tenancy_bands = dict(row["tenancy_bands"])
    outcomes.exits_by_reason = dict(row["exits_by_reason"])
    for name, _ in SUSTAINMENT:
        measure = getattr(outcomes, name)
        measure.numerator, measure.denominator = row[name]["numerator"], row[name]["denominator"]
    return outcomes


def _finish(publication: Publication, quarters: list[Quarter], by_row: dict, the_rule: Rule) -> dict:
    quarter = quarters[-1]
    _add_quarter_tables(publication, quarters, by_row)
    publication.protect()
    exit_labels = list(by_row[PROGRAMME].exits_by_reason)
    return {
        "rule": {
            "threshold": the_rule.threshold,
            "base": the_rule.base,
            "rate_min_denominator": the_rule.rate_min_denominator,
            "description": the_rule.describe(),
        },
        "rows": {
            str(row_id): _published_row(publication, quarter, row_id, the_rule, exit_labels)
            for row_id in by_row
        },
    }


def exact_rows(quarter: Quarter) -> dict:
    """The same shape as published(quarter)["rows"], with every count exact (BCC and a lead
    for their own authority)."""
    by_authority = outcomes_by_authority(quarter)
    rows = {}
    programme = None
    for authority_id, outcomes in by_authority.items():
        rows[str(authority_id)] = _exact_row(outcomes)
        programme = programme or Outcomes(quarter.start_date, quarter.end_date)
        programme.add(outcomes)
    if programme is not None:
        rows[PROGRAMME] = _exact_row(programme)
    return rows


def _exact_row(outcomes) -> dict:
    row = {
        name: getattr(outcomes, name)
        for name in ("waiting", "currently_housed", "exits_in_quarter")
        + tuple(f"{measure}_{suffix}" for measure in CHAIN for suffix in ("in_quarter", "to_date"))
    }
    row["tenancy_bands"] = dict(outcomes.tenancy_bands)
    row["exits_by_reason"] = dict(outcomes.exits_by_reason)
    for name, _ in SUSTAINMENT:
        measure = getattr(outcomes, name)
        row[name] = {"numerator": measure.numerator, "denominator": measure.denominator, "rate": measure.rate}
    return row


def sees_protected_counts(user) -> bool:
    """Taskforce and MHCLG users see counts of people as published outside BCC."""
    return bool(
        user and getattr(user, "is_authenticated", False) and user.role in (ROLE_TASKFORCE, ROLE_MHCLG)
    )


def rows_for(quarter: Quarter, user) -> dict:
    return published(quarter)["rows"] if sees_protected_counts(user) else exact_rows(quarter)


def share_of(shown, whole) -> float | None:
    """A published count as a fraction of a figure that is not about people (a target)."""
    return shown / whole if isinstance(shown, int) and whole else None
