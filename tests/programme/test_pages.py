"""The programme overview and the health check, through HTTP."""

import re


def _row(html: str, gss: str) -> str:
    match = re.search(rf'<tr class="govuk-table__row" data-gss="{gss}">(.*?)</tr>', html, re.S)
    assert match, gss
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def test_overview_shows_the_seed_table_to_the_penny(signed_in):
    html = signed_in("taskforce").get("/programme").get_data(as_text=True)
    assert _row(html, "E08000025") == "Birmingham E08000025 100 £2,839,656.00 £1,191,150.00 £4,030,806.00"
    assert _row(html, "E08000027") == "Dudley E08000027 5 £127,625.00 £127,650.00 £255,275.00"
    assert _row(html, "E08000031") == "Wolverhampton E08000031 18 £510,500.00 £303,100.00 £813,600.00"
    total = re.search(r'data-row="total">(.*?)</tr>', html, re.S).group(1)
    total_text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", total)).strip()
    assert total_text == "Total 225 £6,381,250.00 £3,218,750.00 £9,600,000.00"
    for amount in ("£1,440,000.00", "£3,000,000.00", "£5,160,000.00"):
        assert amount in html


def test_every_role_sees_the_overview(signed_in):
    for role in ("admin", "finance", "lead", "taskforce", "mhclg"):
        assert signed_in(role).get("/programme").status_code == 200


def test_anonymous_users_are_sent_to_login(client, loaded):
    for path in ("/", "/programme", "/users", "/audit"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_health_needs_no_login(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_security_headers_on_every_response(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    # the template's one inline script carries the nonce
    assert f'<script nonce="{nonce}">' in response.get_data(as_text=True)


def test_govuk_assets_are_served_from_the_npm_package(client):
    css = client.get("/assets/govuk-frontend.min.css")
    assert css.status_code == 200
    assert b"govuk" in css.data
    assert client.get("/assets/images/favicon.svg").status_code == 200
    assert client.get("/assets/../config/programme.toml").status_code == 404
