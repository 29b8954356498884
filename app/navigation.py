"""The header's navigation for the signed-in user's role.

Each area's views.py may define NAVIGATION: a list of (endpoint, text, predicate or None for
everyone), the predicate being one of app/accounts/access.py's; they appear in AREAS order.
"""

from flask import request, url_for

from app.areas import area_modules


def navigation_for(user) -> list[dict]:
    if not user or not user.is_authenticated:
        return []
    items = []
    for views in area_modules("views"):
        for endpoint, text, may_open in getattr(views, "NAVIGATION", []):
            if may_open is not None and not may_open(user):
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
