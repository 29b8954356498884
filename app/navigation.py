"""The header's navigation for each role."""

from flask import request, url_for

from app.accounts.models import ROLE_ADMIN

# (endpoint, text, roles that see it); later areas add their pages here.
NAVIGATION = [
    ("programme.home", "Home", None),
    ("programme.overview", "Programme", None),
    ("accounts.users", "Users", (ROLE_ADMIN,)),
    ("accounts.audit_log", "Audit log", (ROLE_ADMIN,)),
]


def navigation_for(user) -> list[dict]:
    if not user or not user.is_authenticated:
        return []
    items = []
    for endpoint, text, roles in NAVIGATION:
        if roles is not None and user.role not in roles:
            continue
        href = url_for(endpoint)
        items.append({"href": href, "text": text, "active": request.path == href})
    return items
