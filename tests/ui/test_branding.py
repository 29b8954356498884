"""Birmingham City Council's own service: no GOV.UK crown, logotype, Royal Arms or Crown
copyright in any template, stylesheet or static file, and the footer's pages are there."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = (
    "crown copyright",
    "govuk-header__logotype",
    "govuk-logo",
    "govuk-footer__crown",
    "govuk-crest",
    "govuk-icon-mask",
    "gds transport",
)


def _files():
    app = ROOT / "app"
    for path in [*app.glob("**/templates/**/*.html"), *(app / "static").glob("**/*")]:
        if path.is_file():
            yield path


@pytest.mark.parametrize("needle", FORBIDDEN)
def test_no_file_carries_gov_uk_branding(needle):
    found = [str(p.relative_to(ROOT)) for p in _files() if needle in p.read_text(errors="ignore").lower()]
    assert not found, f"{needle!r} in {found}"


def test_the_page_names_the_council_and_the_service_and_links_the_footer_pages(client, loaded):
    page = client.get("/login").get_data(as_text=True)
    assert "Birmingham City Council" in page and "Housing First programme monitor" in page
    assert "crown" not in page.lower()
    for path, heading in (
        ("/accessibility", "Accessibility statement"),
        ("/privacy", "Privacy notice"),
        ("/cookies", "Cookies"),
    ):
        assert f'href="{path}"' in page
        assert heading in client.get(path).get_data(as_text=True)


def test_the_built_stylesheet_uses_a_system_font(client):
    css = ROOT / "app" / "static" / "build" / "main.css"
    if not css.exists():
        pytest.skip("make styles builds app/static/build/main.css")
    text = css.read_text()
    assert "system-ui" in text and "@font-face" not in text
