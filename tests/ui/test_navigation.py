"""Navigation: at most seven top-level items for any role, exactly one current on each page."""

from __future__ import annotations

import re

import pytest

ITEM = re.compile(r'<li class="govuk-service-navigation__item([^"]*)"')


def _items(page: str) -> list[str]:
    nav = page[page.index('class="govuk-service-navigation__list"') :].split("</ul>")[0]
    return ITEM.findall(nav)


def _page(client, link: str) -> str:
    response = client.get(link)
    if response.status_code == 302:  # a lead's Returns opens their own authority's list
        response = client.get(response.headers["Location"])
    return response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["admin", "finance", "lead", "taskforce", "mhclg"])
def test_seven_items_at_most_and_exactly_one_current(signed_in, role):
    client = signed_in(role)
    home = client.get("/").get_data(as_text=True)
    nav = home[home.index('class="govuk-service-navigation__list"') :].split("</ul>")[0]
    links = re.findall(r'href="([^"]+)"', nav)
    assert 1 <= len(links) <= 7
    sub_links = set()
    for link in links:
        page = _page(client, link)
        assert sum("--active" in classes for classes in _items(page)) == 1, link
        if 'class="hfm-subnav' in page:
            subnav = page[page.index('class="hfm-subnav') :].split("</nav>")[0]
            sub_links.update(re.findall(r'href="([^"]+)"', subnav))
            assert subnav.count('aria-current="page"') == 1, link
    for link in sub_links:
        page = _page(client, link)
        assert sum("--active" in classes for classes in _items(page)) == 1, link


def test_the_review_page_is_under_returns_not_finance(signed_in):
    page = signed_in("finance").get("/finance/review/E08000025/2019-07").get_data(as_text=True)
    nav = page[page.index('class="govuk-service-navigation__list"') :].split("</ul>")[0]
    active = re.findall(r'--active">\s*<a[^>]*>\s*(?:<strong[^>]*>)?\s*([^<]+)', nav)
    assert [text.strip() for text in active] == ["Returns"]
