"""`hfm demo seed`: synthetic, clearly labelled demonstration data.

Each area adds its own part; running it twice adds nothing the second time.
"""

from __future__ import annotations

from flask import current_app

from app.accounts import service as accounts
from app.areas import area_modules
from app.finance import demo as finance_demo
from app.programme import service as programme

DEMO_PASSWORD = "demo-password-not-for-live-use"


def demo_accounts() -> list[tuple[str, str, str | None]]:
    """(email, role, authority GSS code) for one user per role and one lead per authority."""
    rows: list[tuple[str, str, str | None]] = [
        ("admin@demo.invalid", "admin", None),
        ("finance@demo.invalid", "finance", None),
        ("taskforce@demo.invalid", "taskforce", None),
        ("mhclg@demo.invalid", "mhclg", None),
    ]
    for authority in programme.authorities():
        rows.append((f"lead.{authority.prefix.lower()}@demo.invalid", "authority_lead", authority.gss_code))
    return rows


def seed() -> list[str]:
    if programme.get_programme() is None:
        programme.load_programme(current_app.config["PROGRAMME_FILE"])
    lines = []
    created = 0
    for email, role, gss in demo_accounts():
        if accounts.get_user_by_email(email) is None:
            accounts.create_user(email, role, gss, password=DEMO_PASSWORD, actor="hfm demo seed")
            created += 1
    # Finance's April 2021 re-profile comes first: the legacy years' spend follows it.
    lines += finance_demo.seed_legacy_profile()
    # Each area's demo.py adds its part, in AREAS order (returns before finance, ...).
    for area_demo in area_modules("demo"):
        lines += area_demo.seed()
    lines.append(f"Demo accounts ({created} new), all with the password {DEMO_PASSWORD!r}:")
    lines += [f"  {email:32} {role}" for email, role, _ in demo_accounts()]
    return lines
