"""Every URL rule x every method x every role, against one table of expected answers.

The rules come from the app's URL map, so a new page without an entry here fails the
suite. A lead (Birmingham) is tried on their own authority's objects and on another
authority's (Coventry): the second must always be 403, whether or not it exists.
"""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from tests.access_samples import ANON, PUBLIC, ROLES, SAMPLE_BUILDERS, expected_for

# Endpoints that are not pages of ours (Flask's and GOV.UK Frontend's files).
FILES = {"static", "assets"}


def _rules(app):
    # Signing out is tried last, so it does not end the session the others use.
    rules = sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint == "accounts.logout")
    for rule in rules:
        if rule.endpoint in FILES:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _url(rule, values: dict) -> str:
    url = rule.rule
    for name in rule.arguments:
        if name not in values:
            raise AssertionError(f"no sample value for <{name}> in {rule.rule}")
        url = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(values[name]), url)
    return url


def _token(client) -> str:
    page = client.get("/").get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    return match.group(1) if match else ""


def _call(client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": _token(client)})


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def _check(
    response, expectation: str, who: str, method: str, url: str, signs_out: bool = False
) -> str | None:
    status = response.status_code
    if status >= 500:
        return f"{who} {method} {url}: server error {status}"
    if expectation == "deny" and status != 403:
        return f"{who} {method} {url}: expected 403, got {status}"
    if expectation == "login" and not _is_login_redirect(response):
        # an anonymous POST has no session, so its CSRF token is refused first: also safe
        if not (method != "GET" and status == 400):
            return f"{who} {method} {url}: expected a redirect to login, got {status}"
    if expectation == "allow" and (
        status in (401, 403, 404) or (_is_login_redirect(response) and not signs_out)
    ):
        return f"{who} {method} {url}: expected access, got {status}"
    return None


def test_every_rule_has_an_entry(app):
    missing = sorted(
        {
            f"{method} {rule.endpoint}"
            for rule, method in _rules(app)
            if expected_for(rule.endpoint, method) is None
        }
    )
    assert not missing, f"add these routes to tests/access_samples.py: {missing}"


@pytest.mark.parametrize("role", [ANON, *ROLES])
def test_route_role_matrix(app, users, signed_in, role):
    samples = {name: build() for name, build in SAMPLE_BUILDERS.items()}
    db.session.commit()  # the test is the unit of work: the requests read the samples
    client = app.test_client() if role == ANON else signed_in(role)
    problems = []
    for rule, method in _rules(app):
        table = expected_for(rule.endpoint, method)
        scopes = ["own", "other"] if any(a in samples["own"] for a in rule.arguments) else ["own"]
        for scope in scopes:
            values = samples[scope]
            url = _url(rule, values)
            if role == ANON:
                expectation = "public" if rule.endpoint in PUBLIC else "login"
            elif scope == "other" and role == "lead" and table.get("scoped", True):
                expectation = "deny"
            else:
                expectation = "allow" if role in table["roles"] else "deny"
            if expectation == "public":
                continue
            problem = _check(
                _call(client, method, url),
                expectation,
                role,
                method,
                url,
                signs_out=table.get("signs_out", False),
            )
            if problem:
                problems.append(problem)
    assert not problems, "\n".join(problems)
