"""The one view helper for paging a table with a row per authority (or per client): ?page=.

A national programme has about 300 authorities, so their tables show a page at a time
(AUTHORITIES_PER_PAGE, CLIENTS_PER_PAGE) with the GOV.UK pagination component
(templates/_pagination.html); the programme totals stay on every page and downloads hold
every row. With one page nothing changes: no pagination, no "page 1 of 1". A missing or empty
?page= is page 1; one that is not a whole number or is beyond the last page is the house 404 with a
link to the first page (as pickers.py does for periods).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app, request, url_for
from werkzeug.exceptions import NotFound


class PageNotFound(NotFound):
    """404 for a page number a table does not have; `link` is (address, text) for the error page."""

    def __init__(self, first_url: str):
        super().__init__("There is no such page")
        self.link = (first_url, "See the first page instead")


def page_url(number: int | None) -> str:
    """This page's address with ?page=number (None: without ?page=), other arguments kept."""
    arguments: dict = {**(request.view_args or {}), **request.args.to_dict()}
    arguments.pop("page", None)
    if number is not None and number > 1:
        arguments["page"] = number
    return url_for(request.endpoint or "", **arguments)


@dataclass(frozen=True)
class Page:
    number: int
    size: int
    total: int  # rows over every page

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first_shown(self) -> int:
        return min(self.total, self.offset + 1)

    @property
    def last_shown(self) -> int:
        return min(self.total, self.offset + self.size)

    def slice(self, items: Sequence) -> list:
        return list(items[self.offset : self.offset + self.size])

    def pagination(self, label: str) -> dict | None:
        """govukPagination's parameters, or None when everything is on one page."""
        if self.pages == 1:
            return None
        items: list[dict] = []
        for number in range(1, self.pages + 1):
            if number in (1, self.pages) or abs(number - self.number) <= 2:
                items.append({"number": number, "href": page_url(number), "current": number == self.number})
            elif abs(number - self.number) == 3:
                items.append({"ellipsis": True})
        return {
            "previous": {"href": page_url(self.number - 1)} if self.number > 1 else None,
            "next": {"href": page_url(self.number + 1)} if self.number < self.pages else None,
            "items": items,
            "landmarkLabel": label,
        }


def chosen_page(total: int, setting: str = "AUTHORITIES_PER_PAGE") -> Page:
    """The page in ?page= of a table of `total` rows, `setting` rows a page."""
    size = max(1, int(current_app.config[setting]))
    page = Page(1, size, total)
    text = request.args.get("page")
    if not text:
        return page
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= page.pages:
        raise PageNotFound(page_url(None))
    return Page(int(text), size, total)
