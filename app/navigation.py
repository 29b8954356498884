"""The header's navigation for the signed-in user's role: at most seven top-level sections,
each with its pages as sub-navigation, and exactly one section current on every page.

A section's link is its first page the user may open; each page names the predicate of
app/accounts/access.py that opens it (None: everyone signed in). The current section is the
one whose address prefixes match the page's path most closely (the longest prefix wins), so
/finance/review/... is under Returns although /finance is Finance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import request, url_for

from app.accounts import access

EVERYONE = None


@dataclass(frozen=True)
class Section:
    text: str
    pages: tuple[tuple[str, str, Callable[..., bool] | None], ...]  # (endpoint, text, predicate)
    prefixes: tuple[str, ...]  # the paths that belong to the section


SECTIONS = (
    Section("Home", (("home.home", "Home", EVERYONE),), ()),
    Section(
        "Returns",
        (
            ("returns.index", "Monthly returns", access.may_read_returns),
            ("returns.review", "Review returns", access.may_review_returns),
            ("returns.reporting_rate", "Reporting rate", access.may_see_reporting_rate),
        ),
        ("/returns", "/finance/review"),
    ),
    Section(
        "Clients",
        (
            ("clients.register_home", "Client register", access.may_use_client_register),
            ("clients.programme_outcomes", "Outcomes", access.may_see_outcomes),
            ("supply.register_home", "Property register", access.may_manage_properties),
            ("supply.figures_page", "Housing supply", access.may_see_supply_figures),
        ),
        ("/clients", "/supply"),
    ),
    Section("Finance", (("finance.summary", "Finance", access.may_see_finance),), ("/finance",)),
    Section(
        "Programme",
        (
            ("programme.overview", "Programme", EVERYONE),
            ("registers.services", "Services", EVERYONE),
            ("registers.risks", "Risks", EVERYONE),
            ("fidelity.grid", "Fidelity", access.may_see_fidelity),
        ),
        ("/programme", "/registers", "/fidelity"),
    ),
    Section(
        "Reports",
        (
            ("reporting.reports", "Reports", access.may_use_reports),
            ("reporting.jobs_page", "Jobs", access.may_see_jobs),
        ),
        ("/reports",),
    ),
    Section(
        "Users",
        (
            ("accounts.users", "Users", access.may_manage_users),
            ("accounts.audit_log", "Audit log", access.may_see_audit_log),
        ),
        ("/users", "/audit"),
    ),
)


def _allowed(may_open, user) -> bool:
    return may_open is None or bool(may_open(user))


def _match(path: str, prefix: str) -> int:
    """How closely a prefix matches the path (its length), or -1."""
    return len(prefix) if path == prefix or path.startswith(prefix.rstrip("/") + "/") else -1


def _visible_sections(user) -> list[tuple[Section, list[dict]]]:
    found = []
    for section in SECTIONS:
        pages = [
            {"href": url_for(endpoint), "text": text}
            for endpoint, text, may_open in section.pages
            if _allowed(may_open, user)
        ]
        if pages:
            found.append((section, pages))
    return found


def _current_index(sections, path: str) -> int | None:
    best, best_score = None, -1
    for index, (section, pages) in enumerate(sections):
        prefixes = list(section.prefixes) + [page["href"] for page in pages]
        score = max(
            (_match(path, prefix) if prefix != "/" else (1 if path == "/" else -1)) for prefix in prefixes
        )
        if score > best_score:
            best, best_score = index, score
    return best if best_score >= 0 else None


def navigation_for(user) -> list[dict]:
    """Top-level items for govukServiceNavigation; the current one carries its sub-pages."""
    if not user or not user.is_authenticated:
        return []
    sections = _visible_sections(user)
    current = _current_index(sections, request.path)
    items = []
    for index, (section, pages) in enumerate(sections):
        # a section with one page is named after it (a reader's Returns is the reporting rate)
        text = pages[0]["text"] if len(pages) == 1 and section.text != "Finance" else section.text
        items.append({"href": pages[0]["href"], "text": text, "active": index == current, "pages": pages})
    return items


def sub_navigation(items: list[dict]) -> list[dict]:
    """The current section's pages (when it has more than one), the current page marked."""
    current = next((item for item in items if item["active"]), None)
    if current is None or len(current["pages"]) < 2:
        return []
    path = request.path
    scores = [_match(path, page["href"]) for page in current["pages"]]
    best = max(range(len(scores)), key=lambda i: scores[i])
    return [dict(page, active=(i == best and scores[i] >= 0)) for i, page in enumerate(current["pages"])]
