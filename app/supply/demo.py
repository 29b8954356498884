"""Synthetic homes for `hfm demo seed` (deterministic): a property for every tenancy the
client demo made, with re-lets after realistic empty periods, some private rented homes
handed back to their landlords, and the September 2021 note's Next Steps Accommodation
Programme homes: 19 acquired in 2020/21, 15 of them occupied by Housing First clients at
the end of September 2021. It runs after the clients' demo (AREAS order) and changes no
client or tenancy but the property each tenancy is in, so the client figures (487 housed
by the end of September 2021) stay as they are. A second run adds nothing."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from app import clock
from app.clients.models import Client, Tenancy
from app.clients.properties import NSAP_FUNDING, Property
from app.clients.tenancy_homes import link_property
from app.extensions import db
from app.programme import service as programme_service
from app.programme.models import Authority
from app.supply import service

SEED = "housing-supply-demo"
ACTOR = "hfm demo seed"
NSAP_HOMES, NSAP_OCCUPIED = 19, 15
END_OF_SEPTEMBER_2021 = date(2021, 9, 30)
NSAP_ACQUIRED = (date(2020, 10, 1), date(2021, 3, 31))  # the 2020/21 acquisitions
EARLIEST = date(2018, 7, 1)
RELET_WINDOW_DAYS = 150  # a home free for longer than this is not re-let by the demo
BEDROOMS, BEDROOM_WEIGHTS = (0, 1, 2, 3), (20, 60, 15, 5)


@dataclass
class _Home:
    home: Property
    free_from: date | None  # None: let with no end


def _holds_on(tenancy: Tenancy, day: date) -> bool:
    return tenancy.start_date <= day and (tenancy.end_date is None or tenancy.end_date > day)


def _new_home(rng, authority_id: int, source: str, available: date, funding=None, cost=None) -> Property:
    authority = db.session.get(Authority, authority_id)
    assert authority is not None  # a tenancy's client's authority
    return service.create_property(
        authority,
        {
            "source": source,
            "funding": funding,
            "cost_pence": cost,
            "bedrooms": rng.choices(BEDROOMS, weights=BEDROOM_WEIGHTS)[0],
            "available_from": max(available, EARLIEST),
        },
        actor=ACTOR,
    )


def _nsap_cost(rng) -> int:
    return rng.randint(95_000, 165_000) * 100


def _nsap(rng, tenancies: list[Tenancy], pools: dict) -> set[int]:
    """The 19 NSAP homes: 15 let to tenancies holding at the end of September 2021, two
    whose first tenancy had ended by then, two not yet let; the four empty ones are re-let
    only from October 2021. Returns the ids of the tenancies placed."""
    first, last = NSAP_ACQUIRED
    holding = [
        t
        for t in tenancies
        if _holds_on(t, END_OF_SEPTEMBER_2021) and t.start_date >= first + timedelta(days=14)
    ]
    holding.sort(key=lambda t: (t.tenure != "programme_acquired", t.start_date, t.id))
    placed: set[int] = set()
    for tenancy in holding[:NSAP_OCCUPIED]:
        latest = min(last, tenancy.start_date - timedelta(days=7))
        available = first + timedelta(days=rng.randint(0, max(0, (latest - first).days)))
        home = _new_home(
            rng, tenancy.client.authority_id, "programme_acquired", available, NSAP_FUNDING, _nsap_cost(rng)
        )
        _link(tenancy, home)
        placed.add(tenancy.id)
        pools.setdefault((home.authority_id, home.source), []).append(_Home(home, tenancy.end_date))
    ended = [
        t
        for t in tenancies
        if t.id not in placed
        and t.start_date >= first + timedelta(days=30)
        and t.end_date is not None
        and t.end_date <= END_OF_SEPTEMBER_2021
    ]
    ended.sort(key=lambda t: (t.tenure != "programme_acquired", t.start_date, t.id))
    authorities = programme_service.authorities()
    for index in range(NSAP_HOMES - NSAP_OCCUPIED):
        earlier: Tenancy | None = ended[index] if index < 2 and index < len(ended) else None
        authority_id = earlier.client.authority_id if earlier else rng.choice(authorities).id
        latest = min(last, earlier.start_date - timedelta(days=7)) if earlier else last
        available = first + timedelta(days=rng.randint(0, max(0, (latest - first).days)))
        home = _new_home(rng, authority_id, "programme_acquired", available, NSAP_FUNDING, _nsap_cost(rng))
        if earlier is not None:
            _link(earlier, home)
            placed.add(earlier.id)
        free = max(earlier.end_date if earlier and earlier.end_date else available, date(2021, 10, 1))
        pools.setdefault((home.authority_id, home.source), []).append(_Home(home, free))
    return placed


def _link(tenancy: Tenancy, home: Property) -> None:
    errors = link_property(tenancy, home.id, actor=ACTOR)
    if errors:  # the demo's own plan broke a rule: a bug here, not bad data
        raise RuntimeError(f"demo supply: {errors}")


def seed() -> list[str]:
    if db.session.scalar(select(func.count()).select_from(Property)):
        return ["Housing supply: already seeded, nothing added"]
    tenancies = list(
        db.session.scalars(
            select(Tenancy)
            .join(Client, Tenancy.client_id == Client.id)
            .order_by(Tenancy.start_date, Tenancy.id)
        )
    )
    if not tenancies:
        return ["Housing supply: no tenancies to house, nothing added"]
    rng = random.Random(SEED)
    pools: dict[tuple[int, str], list[_Home]] = {}
    placed = _nsap(rng, tenancies, pools)
    withdrawals: list[tuple[Property, date]] = []
    today = clock.today()
    relets = 0
    for tenancy in tenancies:
        if tenancy.id in placed:
            continue
        key = (tenancy.client.authority_id, tenancy.tenure)
        pool = pools.setdefault(key, [])
        free = [
            entry
            for entry in pool
            if entry.free_from is not None
            and entry.free_from <= tenancy.start_date
            and (tenancy.start_date - entry.free_from).days <= RELET_WINDOW_DAYS
        ]
        if free and rng.random() < 0.8:
            entry = rng.choice(free)
            relets += 1
        else:
            available = tenancy.start_date - timedelta(days=rng.randint(0, 45))
            funding = None
            if tenancy.tenure == "programme_acquired":
                funding = "rsap_2021_24" if available >= date(2021, 4, 1) else "other"
            home = _new_home(rng, key[0], tenancy.tenure, available, funding)
            entry = _Home(home, None)
            pool.append(entry)
        _link(tenancy, entry.home)
        entry.free_from = tenancy.end_date
        if tenancy.end_date is not None and tenancy.tenure == "private_rented" and rng.random() < 0.2:
            withdrawn = tenancy.end_date + timedelta(days=rng.randint(14, 60))
            if withdrawn <= today:
                pool.remove(entry)
                withdrawals.append((entry.home, withdrawn))
    for home, withdrawn in withdrawals:
        service.withdraw_property(home, withdrawn, "returned", actor=ACTOR)
    db.session.flush()
    homes = db.session.scalar(select(func.count()).select_from(Property))
    return [
        f"Housing supply: {homes} homes for {len(tenancies)} tenancies ({relets} re-lets, "
        f"{len(withdrawals)} handed back to landlords), {NSAP_HOMES} NSAP 2020/21 homes of which "
        f"{NSAP_OCCUPIED} let at the end of September 2021 (synthetic)"
    ]
