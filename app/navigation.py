"""The header's navigation for the signed-in user's role.

Each area's views.py may define NAVIGATION: a list of (endpoint, text, roles or None for
every role, or a predicate of the user); they appear in AREAS order.
"""

from flask import request, url_for

from app.areas import area_modules


def navigation_for(user) -> list[dict]:
    if not user or not user.is_authenticated:
        return []
    items = []
    for views in area_modules("views"):
        for endpoint, text, roles in getattr(views, "NAVIGATION", []):
            if callable(roles):
                if not roles(user):
                    continue
            elif roles is not None and user.role not in roles:
                continue
            href = url_for(endpoint)
            items.append(
                {
                    "href": href,
                    "text": text,
                    "active": request.path == href or request.path.startswith(href + "/"),
                }
            )
    return items
