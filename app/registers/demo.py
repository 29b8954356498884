"""Synthetic services and risks for `hfm demo seed`. Every provider name says "(synthetic)".

Idempotent: a service is known by (authority, provider, type) and a risk by its title, so
a second run adds nothing. Statuses describe the programme as at the September 2021
progress note; risk review dates are set relative to today so the register looks live
(two are deliberately overdue, to show the flag).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.formatting import parse_money
from app.registers import service
from app.registers.models import Risk, Service

ACTOR = "hfm demo seed"
SYNTHETIC_NOTE = " (Synthetic demonstration entry.)"

# (authority GSS, provider, type, value in pounds, start, end, capacity, status)
SERVICES = [
    (
        "E08000025",
        "Brindley Housing First Partnership (synthetic)",
        "housing_first_support",
        "2400000.00",
        date(2018, 10, 1),
        date(2023, 3, 31),
        100,
        "active",
    ),
    (
        "E08000025",
        "Canalside Outreach Trust (synthetic)",
        "street_outreach",
        "420000.00",
        date(2019, 1, 7),
        date(2023, 3, 31),
        60,
        "active",
    ),
    (
        "E08000025",
        "Digbeth Community Nursing CIC (synthetic)",
        "nursing",
        "185500.50",
        date(2019, 4, 1),
        date(2022, 3, 31),
        40,
        "active",
    ),
    (
        "E08000026",
        "Spires Housing First Service (synthetic)",
        "housing_first_support",
        "980000.00",
        date(2018, 11, 1),
        date(2023, 3, 31),
        40,
        "active",
    ),
    (
        "E08000026",
        "Three Spires Recovery (synthetic)",
        "substance_misuse",
        "210000.00",
        date(2019, 4, 1),
        date(2023, 3, 31),
        25,
        "active",
    ),
    (
        "E08000027",
        "Black Country Pathways (synthetic)",
        "housing_first_support",
        "110000.00",
        date(2019, 1, 1),
        date(2023, 3, 31),
        5,
        "active",
    ),
    (
        "E08000027",
        "Castle Hill Lettings Support (synthetic)",
        "accommodation_access",
        "60000.00",
        date(2019, 4, 1),
        date(2023, 3, 31),
        10,
        "active",
    ),
    (
        "E08000028",
        "Sandwell Housing First Collective (synthetic)",
        "housing_first_support",
        "500000.00",
        date(2018, 12, 1),
        date(2023, 3, 31),
        20,
        "active",
    ),
    (
        "E08000028",
        "Sandwell Crisis Response Network (synthetic)",
        "crisis",
        "95000.00",
        date(2019, 4, 1),
        date(2021, 3, 31),
        15,
        "ended",
    ),
    (
        "E08000029",
        "Blossomfield Support Services (synthetic)",
        "housing_first_support",
        "250000.00",
        date(2019, 1, 1),
        date(2023, 3, 31),
        10,
        "active",
    ),
    (
        "E08000029",
        "Solihull Street Link Outreach (synthetic)",
        "street_outreach",
        "80000.00",
        date(2019, 4, 1),
        date(2023, 3, 31),
        15,
        "active",
    ),
    (
        "E08000030",
        "Arboretum Housing First (synthetic)",
        "housing_first_support",
        "780000.00",
        date(2018, 11, 1),
        date(2023, 3, 31),
        32,
        "active",
    ),
    (
        "E08000030",
        "Walsall Recovery Alliance (synthetic)",
        "substance_misuse",
        "150000.00",
        date(2019, 4, 1),
        date(2023, 3, 31),
        20,
        "active",
    ),
    (
        "E08000030",
        "Leather Town Tenancy Access (synthetic)",
        "accommodation_access",
        "45000.00",
        date(2022, 4, 1),
        date(2023, 3, 31),
        12,
        "planned",
    ),
    (
        "E08000031",
        "Wulfrun Housing First Team (synthetic)",
        "housing_first_support",
        "450000.00",
        date(2019, 1, 1),
        date(2023, 3, 31),
        18,
        "active",
    ),
    (
        "E08000031",
        "West Park Outreach Service (synthetic)",
        "street_outreach",
        "120000.00",
        date(2019, 4, 1),
        date(2023, 3, 31),
        25,
        "active",
    ),
]

PROGRAMME_MANAGER = "Housing First programme manager, Birmingham City Council"

# (kind, authority GSS or None, title, description, likelihood, impact, owner, mitigation,
#  review in days from today, closure note or None for open)
RISKS = [
    (
        "risk",
        "E08000025",
        "Supply of one-bedroom homes in Birmingham",
        "Demand for one-bedroom social and private rented homes far exceeds supply, so people "
        "accepted onto Housing First wait longer to be housed.",
        4,
        5,
        "Birmingham Housing First lead",
        "Lettings agreement with registered providers for a share of one-bedroom voids; private "
        "rented sector landlord incentive scheme; voids reviewed monthly.",
        30,
        None,
    ),
    (
        "risk",
        None,
        "Recruitment and retention of support workers",
        "Vacancies in provider teams push caseloads above the fidelity ratio and delay new "
        "referrals across the region.",
        4,
        4,
        PROGRAMME_MANAGER,
        "Regional recruitment campaign with providers; shared induction and reflective practice; "
        "vacancies reported in each monthly return.",
        45,
        None,
    ),
    (
        "risk",
        None,
        "Funding after the legacy period ends in March 2023",
        "Without continued funding, clients' support would have to transfer to other services "
        "or end, against the principle of support for as long as it is needed.",
        3,
        5,
        PROGRAMME_MANAGER,
        "Joint lobbying with Greater Manchester and Liverpool City Region (op-ed published "
        "13 September 2021); evaluation evidence shared with MHCLG; exit plans per authority.",
        60,
        None,
    ),
    (
        "opportunity",
        None,
        "Next Steps Accommodation Programme properties",
        "19 properties were acquired under the Next Steps Accommodation Programme 2020/21; 15 are "
        "occupied by Housing First clients (September 2021 progress note).",
        4,
        3,
        PROGRAMME_MANAGER,
        "Let the remaining 4 properties to Housing First clients; use the model in future acquisition bids.",
        21,
        None,
    ),
    (
        "opportunity",
        None,
        "Rough Sleeper Accommodation Programme 2021/22",
        "Successful bids to the Rough Sleeper Accommodation Programme 2021/22 can add move-on "
        "homes with support for Housing First clients.",
        5,
        3,
        "Strategic housing partnerships officer",
        "Agree with each authority how many RSAP homes are offered to Housing First clients.",
        90,
        None,
    ),
    (
        "risk",
        None,
        "Monthly returns late or incomplete",
        "Late returns delay the quarterly report to the Homelessness Taskforce and the grant claim to MHCLG.",
        3,
        3,
        "Data and performance officer, Birmingham City Council",
        "Reminders three days before the due date; finance follows up late returns; returns "
        "reviewed at the monthly leads meeting.",
        -10,
        None,
    ),
    (
        "risk",
        "E08000026",
        "Caseloads above the fidelity ratio in Coventry",
        "Support workers are holding more than seven clients each while two posts are vacant.",
        3,
        4,
        "Coventry Housing First lead",
        "Agency cover agreed for two posts; referrals paced until the posts are filled.",
        14,
        None,
    ),
    (
        "risk",
        "E08000027",
        "Small team resilience in Dudley",
        "With a cohort of five places, one worker's absence leaves clients without their named worker.",
        3,
        3,
        "Dudley Housing First lead",
        "Cover arrangement with the neighbouring Sandwell team.",
        -3,
        None,
    ),
    (
        "risk",
        "E08000031",
        "Access to mental health services for dual diagnosis",
        "Clients with both mental health needs and substance misuse wait a long time for assessment.",
        3,
        4,
        "Wolverhampton Housing First lead",
        "Named link worker in the community mental health team; joint case reviews each month.",
        40,
        None,
    ),
    (
        "opportunity",
        "E08000030",
        "Move-on homes with a registered provider in Walsall",
        "A registered provider has offered a small number of one-bedroom homes each year.",
        2,
        3,
        "Walsall Housing First lead",
        "Draft a nominations agreement for Housing First clients.",
        75,
        None,
    ),
    (
        "risk",
        "E08000028",
        "Delay mobilising the Sandwell support contract",
        "The support contract started later than planned, delaying the first placements.",
        2,
        3,
        "Sandwell Housing First lead",
        "Interim support from the outreach team until the contract mobilised.",
        30,
        "The contract mobilised and the first clients were housed.",
    ),
]


def _seed_services(authority_ids: dict[str, int]) -> int:
    existing = set(
        db.session.execute(select(Service.authority_id, Service.provider_name, Service.service_type)).all()
    )
    added = 0
    for gss, provider, kind, pounds, start, end, capacity, status in SERVICES:
        if gss not in authority_ids or (authority_ids[gss], provider, kind) in existing:
            continue
        service.create_service(
            service.ServiceValues(
                authority_id=authority_ids[gss],
                provider_name=provider,
                service_type=kind,
                contract_value_pence=parse_money(pounds),
                start_date=start,
                end_date=end,
                capacity_people=capacity,
                status=status,
            ),
            actor=ACTOR,
        )
        added += 1
    return added


def _seed_risks(authority_ids: dict[str, int]) -> int:
    existing = set(db.session.scalars(select(Risk.title)))
    today = service.today()
    added = 0
    for kind, gss, title, description, likelihood, impact, owner, action, days, note in RISKS:
        if title in existing or (gss is not None and gss not in authority_ids):
            continue
        risk = service.create_risk(
            service.RiskValues(
                kind=kind,
                authority_id=authority_ids[gss] if gss else None,
                title=title,
                description=description + SYNTHETIC_NOTE,
                likelihood=likelihood,
                impact=impact,
                owner_role=owner,
                mitigation=action,
                review_date=today + timedelta(days=days),
            ),
            actor=ACTOR,
        )
        if note is not None:
            service.close_risk(risk, note, actor=ACTOR)
        added += 1
    return added


def seed() -> list[str]:
    from app.programme import service as programme

    authority_ids = {authority.gss_code: authority.id for authority in programme.authorities()}
    services_added = _seed_services(authority_ids)
    risks_added = _seed_risks(authority_ids)
    return [
        f"Registers: {services_added} services commissioned and {risks_added} risks and "
        "opportunities added (synthetic)"
    ]
