"""Every page each role reaches from its navigation, in chromium: axe-core finds nothing
(any rule, any impact), exactly one navigation item is current, and the home page's figure
boxes never overlap from 320px up (their bounding boxes, measured by the browser)."""

from __future__ import annotations

import pytest

NAV_LINKS = ".govuk-service-navigation__list a, .hfm-subnav a"
CURRENT = ".govuk-service-navigation__item--active"


def _overlaps(boxes: list[dict]) -> list[tuple[int, int]]:
    found = []
    for i, a in enumerate(boxes):
        for j, b in enumerate(boxes[i + 1 :], start=i + 1):
            apart = (
                a["x"] + a["width"] <= b["x"]
                or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"]
                or b["y"] + b["height"] <= a["y"]
            )
            if not apart:
                found.append((i, j))
    return found


def _figures_do_not_overlap(page):
    for width in (320, 375, 768, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        # one snapshot, taken in the page once it has settled: boxes measured one round-trip at a
        # time can straddle a reflow (a web font or the frontend's script arriving in between)
        page.wait_for_load_state("load")
        page.evaluate("document.fonts.ready.then(() => new Promise(requestAnimationFrame))")
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('.hfm-figure')]
                .map(e => e.getBoundingClientRect())
                .filter(r => r.width > 0 && r.height > 0)
                .map(r => ({x: r.x, y: r.y + window.scrollY, width: r.width, height: r.height}))"""
        )
        assert boxes, "no headline figures on the home page"
        assert not _overlaps(boxes), f"figure boxes overlap at {width}px"
        for element in page.locator(".hfm-figure__value").all():
            inner = element.evaluate("e => [e.scrollWidth, e.clientWidth]")
            assert inner[0] <= inner[1] + 1, f"a figure spills out of its box at {width}px"
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("role", ["admin", "finance", "lead", "taskforce", "mhclg"])
def test_every_page_in_the_navigation(visitor, role):
    page = visitor.page
    visitor.sign_in(role)
    _figures_do_not_overlap(page)
    top = page.locator(".govuk-service-navigation__list a")
    assert 1 <= top.count() <= 7, f"{role} has {top.count()} top-level items"
    to_visit = [link.get_attribute("href") for link in page.locator(NAV_LINKS).all()]
    seen = {"/"}
    while to_visit:
        href = to_visit.pop(0)
        if href in seen:
            continue
        seen.add(href)
        visitor.goto(href)
        assert page.locator(CURRENT).count() == 1, f"{page.locator(CURRENT).count()} current items on {href}"
        for link in page.locator(".hfm-subnav a").all():  # the section's own pages
            to_visit.append(link.get_attribute("href"))
    for path in ("/accessibility", "/privacy", "/cookies"):
        visitor.goto(path)
    visitor.sign_out()
