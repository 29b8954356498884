"""Every form of the app takes hostile input without a server error (hypothesis).

The POST routes come from the URL map, so a new form is fuzzed without a change here. For
each, the form page is opened as a role allowed to use it, its input names are read from
the HTML, and random and hostile values are posted with a real CSRF token: huge and negative
numbers, unicode, NUL bytes, 10,000-character strings, lists where one value is expected,
partial dates, missing fields, random file contents. The answer must be a redirect, or the
page again with a GOV.UK error summary (200/400/409), or 403/413/429, never a 500; and a
post that was not accepted must leave every table exactly as it was.
"""

from __future__ import annotations

import io
import re
import threading
from html import unescape
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app import create_app
from tests.access_samples import SAMPLE_BUILDERS, expected_for
from tests.conftest import LEAD_GSS, PASSWORD, ROLE_EMAILS, login
from tests.hardening.conftest import changed_tables, db_snapshot
from tests.returns.conftest import post_and_confirm

# Roles for routes the shared table does not list yet (the lead keeps tests/access_samples.py).
EXTRA_ROLES: dict[str, set[str]] = {}  # every route is in tests/access_samples.py
# URL values of the shared samples changed for one route: decisions are tried on a
# submitted return (July 2019 stays open for the lead's form).
DECIDED_MONTH = "2019-08"
ENDPOINT_VALUES = {
    "returns.decide": {"month_text": DECIDED_MONTH},
    "finance.review_return": {"month_text": DECIDED_MONTH},
    # moderation needs a submitted self-assessment (tests/access_samples.py makes 2019-20 H2's)
    "fidelity.moderate": {"period_text": "2019-20-H2"},
    "fidelity.agree": {"period_text": "2019-20-H2"},
}
# POST-only routes and the page whose form posts to them.
FORM_PAGES = {
    "returns.decide": "/returns/{gss}/{month_text}",
    "accounts.unlock_user": "/users",
    "finance.clear_forecast": "/finance/forecast/{gss_code}/{year}",
    "registers.reopen_risk": "/registers/risks/{risk_id}",
    "fidelity.agree": "/fidelity/{gss}/{period_text}",
    # publish (a draft) and withdraw (a published version) are forms on the run page
    "reporting.publish": "/reports/runs/{run_id}",
    "reporting.withdraw": "/reports/runs/{run_id}",
    "accounts.change_role": "/users/{user_id}",
    "accounts.deactivate_user": "/users/{user_id}",
    "accounts.reactivate_user": "/users/{user_id}",
    "accounts.send_password_reset": "/users/{user_id}",
}
NOT_FUZZED = {
    "accounts.logout": "ends the session; it takes no input but the CSRF token",
    "returns.check": "confirms a saved draft (it sends only the version); returns.edit is fuzzed",
    "accounts.reset_password": "opens only from an emailed link (tests/accounts/test_user_admin.py)",
    "fidelity.check": "confirms a saved draft (it sends only the version); fidelity.assessment is fuzzed",
}
ROLE_PREFERENCE = ("lead", "finance", "admin", "taskforce", "mhclg")
ACCEPTED = {302, 303}
REFUSED_WITH_FORM = {200, 400, 409}
REFUSED_OTHERWISE = {403, 404, 413, 429}

HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "-0",
    "1.5",
    "0.001",
    "-999999999999999999999",
    "9" * 40,
    "2147483648",
    "9223372036854775808",
    "1e308",
    "-1e308",
    "NaN",
    "inf",
    "£1,000.50",
    "12,5",
    "1 000",
    "\x00",
    "abc\x00def",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "=1+1",
    "+44",
    "@SUM(A1)",
    "-",
    "ÿ€😀",
    "\u202egnp.exe",
    "١٢٣",
    "１２",
    "x" * 10_000,
    "é" * 10_000,
    "2019-02-30",
    "31",
    "32",
    "13",
    "0",
    "2019",
    "99999",
    "2019-07",
    "2019-20-Q3",
    "true",
    "None",
    "0x10",
    "\t=cmd",
    "\r\n",
    "../../etc/passwd",
    "%s%s%n",
    "{{7*7}}",
]


def _post_endpoints() -> list[str]:
    app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods})


POST_ENDPOINTS = _post_endpoints()


class _Fields(HTMLParser):
    """Input names per form action, with the values the page offers (options, buttons)."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict[str, set]] = {}
        self.action = None
        self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs.get("action") or ""
            self.forms.setdefault(self.action, {})
            return
        if self.action is None:
            return
        fields = self.forms[self.action]
        name = attrs.get("name")
        if tag in ("input", "textarea", "button", "select") and name and name != "csrf_token":
            kind = {"file": "file", "checkbox": "checkbox"}.get(attrs.get("type"), tag)
            offered = fields.setdefault(name, {"kind": kind, "values": set()})["values"]
            if attrs.get("value") is not None:
                offered.add(attrs["value"])
            if tag == "select":
                self.select = name
        elif tag == "option" and self.select and attrs.get("value") is not None:
            fields[self.select]["values"].add(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.action = None
        elif tag == "select":
            self.select = None


def form_fields(page: str, target: str, form_page: str) -> dict[str, dict]:
    parser = _Fields()
    parser.feed(page)
    actions = [target] + ([""] if form_page == target else [])
    found: dict[str, dict] = {}
    for action, fields in parser.forms.items():
        if unescape(action).split("?")[0] in actions:
            found.update(fields)
    return found


def _role_for(endpoint: str) -> str:
    if endpoint == "accounts.login":
        return "anonymous"
    table = expected_for(endpoint, "POST")
    roles = table["roles"] if table else EXTRA_ROLES.get(endpoint)
    assert roles, f"{endpoint}: add it to tests/access_samples.py (or EXTRA_ROLES here)"
    return next(role for role in ROLE_PREFERENCE if role in roles)


def _url(app, endpoint: str, values: dict) -> str:
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    url = rule.rule
    for name in rule.arguments:
        url = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(values[name]), url)
    return url


@pytest.fixture
def world(app, users, signed_in):
    """Sample objects of Birmingham (the lead's), and a submitted return to decide on."""
    from tests.returns.conftest import good_figures

    values = dict(SAMPLE_BUILDERS["own"](), decision="send-back")
    lead = signed_in("lead")
    month_url = f"/returns/{LEAD_GSS}/{DECIDED_MONTH}"
    response = post_and_confirm(lead, month_url, good_figures(submit_return="Submit"))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    clients = {"lead": lead}

    def client_for(role: str):
        if role not in clients:
            if role == "anonymous":
                clients[role] = app.test_client()
            else:
                clients[role] = signed_in(role)
        return clients[role]

    return {"app": app, "values": values, "client_for": client_for, "forms": {}}


def _form(world, endpoint: str):
    """(client, target url, fields) for an endpoint, read once from its form page."""
    if endpoint not in world["forms"]:
        role = _role_for(endpoint)
        client = world["client_for"](role)
        values = {**world["values"], **ENDPOINT_VALUES.get(endpoint, {})}
        target = _url(world["app"], endpoint, values)
        form_page = FORM_PAGES.get(endpoint, "").format(**values) or target
        page = client.get(form_page)
        assert page.status_code == 200, f"{endpoint}: {form_page} gave {page.status_code} to {role}"
        html = page.get_data(as_text=True)
        fields = form_fields(html, target, form_page)
        # The token lives as long as the session, so the first one stays good even when an
        # accepted post has closed the form (a closed risk has no close form).
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        assert token, f"{endpoint}: no CSRF token on {form_page}"
        world["forms"][endpoint] = (client, target, form_page, fields, token.group(1))
    return world["forms"][endpoint]


def _value_strategy(field: dict):
    if field["kind"] == "file":
        return st.tuples(st.binary(max_size=300), st.sampled_from(["x.xlsx", "x.csv", "", "../x.xlsx"]))
    offered = sorted(field["values"])
    one = st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=30),
        st.integers(min_value=-(10**20), max_value=10**20).map(str),
        *([st.sampled_from(offered)] if offered else []),
    )
    if field["kind"] == "checkbox" and len(offered) > 1:
        # several boxes ticked: sets that overlap, grow or shrink what is saved (issue 15.1)
        ticked = st.lists(st.sampled_from(offered), unique=True, max_size=len(offered))
        return st.one_of(ticked, ticked, ticked, one, st.lists(one, min_size=2, max_size=3))
    return st.one_of(one, one, one, st.lists(one, min_size=2, max_size=3))  # lists: a name sent twice


def _payload(data, fields: dict) -> dict:
    strategy = st.fixed_dictionaries(
        {}, optional={name: _value_strategy(field) for name, field in fields.items()}
    )
    drawn = data.draw(strategy)
    payload = {}
    for name, value in drawn.items():
        if fields[name]["kind"] == "file":
            content, filename = value
            payload[name] = (io.BytesIO(content), filename)
        else:
            payload[name] = value
    return payload


def _is_error_page(page: str) -> bool:
    """The GOV.UK 400 page (what was sent held control characters, see test_control_characters)."""
    return "govuk-template" in page and "There is a problem with what was sent" in page


def _wait_for_background_work() -> None:
    """A report asked for on the page is produced in a thread; let it finish, so its audit
    entries do not land in the next example's before/after comparison."""
    for thread in threading.enumerate():
        if thread.name.startswith("report-run-"):
            thread.join(timeout=60)


def test_every_post_route_is_fuzzed_or_has_a_reason():
    for endpoint in NOT_FUZZED:
        assert endpoint in POST_ENDPOINTS, f"{endpoint} is no longer a route; drop it from NOT_FUZZED"
    assert len(POST_ENDPOINTS) >= 20


# Generate now produces the report in a thread, which must see the test's committed data.
IN_A_THREAD = {"reporting.generate"}


@pytest.mark.parametrize(
    "endpoint",
    [
        pytest.param(e, marks=pytest.mark.commits) if e in IN_A_THREAD else e
        for e in POST_ENDPOINTS
        if e not in NOT_FUZZED
    ],
)
@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_hostile_input_never_breaks_a_form(world, endpoint, data):
    client, target, form_page, fields, token = _form(world, endpoint)
    assert fields or endpoint in FORM_PAGES, f"{endpoint}: no inputs found on {form_page}"
    payload = _payload(data, fields)
    payload["csrf_token"] = token
    before = db_snapshot()
    response = client.post(target, data=payload)
    status = response.status_code
    event(f"status {status}")  # pytest --hypothesis-show-statistics shows the mix
    page = response.get_data(as_text=True)
    assert status < 500, f"{endpoint}: server error for {payload!r}"
    assert status in ACCEPTED | REFUSED_WITH_FORM | REFUSED_OTHERWISE, f"{endpoint}: {status}"
    if status in ACCEPTED:
        _wait_for_background_work()
        return
    if status in REFUSED_WITH_FORM and not _is_error_page(page):
        assert "govuk-error-summary" in page, f"{endpoint}: {status} without an error summary"
    assert changed_tables(before, db_snapshot()) == [], f"{endpoint}: refused, yet the data changed"


@pytest.mark.parametrize("endpoint", ["accounts.login"])
def test_login_keeps_its_password_check_under_fuzzing(world, endpoint):
    """The fuzzing above must not have weakened login: the right password still works."""
    client = world["client_for"]("anonymous")
    assert login(client, ROLE_EMAILS["finance"], PASSWORD).status_code == 302


def test_found_by_fuzzing_a_huge_forecast_is_refused_not_a_server_error(world):
    """PostgreSQL refused 10**40 pence in an integer column (a 500) before the finance money
    fields got a maximum (now £10m a line, app/bounds.py; the columns are 64-bit)."""
    from tests.hardening.conftest import db_snapshot as snapshot

    client, target, _, _, token = _form(world, "finance.edit_forecast")
    before = snapshot()
    for amount in ("9" * 40, "9" * 5000, "10000000.01"):
        response = client.post(target, data={"csrf_token": token, "forecast": amount, "note": ""})
        assert response.status_code == 200
        page = unescape(response.get_data(as_text=True))
        assert "Enter an amount of £10,000,000.00 or less" in page
    assert changed_tables(before, snapshot()) == []
    response = client.post(target, data={"csrf_token": token, "forecast": "10000000", "note": ""})
    assert response.status_code == 302


def test_found_by_fuzzing_a_decision_with_a_version_that_is_not_a_number_is_refused(world):
    """A hand-made decision post with version " " was a ValueError (a 500) in _transition."""
    from tests.hardening.conftest import db_snapshot as snapshot

    client, target, form_page, _, token = _form(world, "returns.decide")
    before = snapshot()
    for version in (" ", "x", "1e3", "-"):
        response = client.post(target, data={"csrf_token": token, "version": version, "reason": "Why"})
        assert response.status_code == 302
        page = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
        assert "The return changed while you were looking at it" in page
    assert changed_tables(before, snapshot()) == []


class _Shown(HTMLParser):
    """What a browser would send back unchanged: each input's value, the checked boxes and
    radios, the selected options, per form action."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict[str, list[str]]] = {}
        self.action = None
        self.select = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs.get("action") or ""
            self.forms.setdefault(self.action, {})
        elif self.action is None:
            return
        elif tag == "input" and attrs.get("name") and attrs.get("type") not in ("submit", "file"):
            sent = self.forms[self.action].setdefault(attrs["name"], [])
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    sent.append(attrs.get("value") or "on")
            else:
                sent.append(attrs.get("value") or "")
        elif tag == "select":
            self.select = attrs.get("name")
            self.forms[self.action].setdefault(self.select, [])
        elif tag == "option" and self.select and "selected" in attrs:
            self.forms[self.action][self.select].append(attrs.get("value") or "")
        elif tag == "textarea":
            self.textarea = attrs.get("name")
            self.forms[self.action][self.textarea] = [""]

    def handle_data(self, data):
        if self.textarea and self.action is not None:
            self.forms[self.action][self.textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.action = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


MULTI_SELECT_ENDPOINTS = ["clients.edit_client"]  # the forms with a multi-select (checkboxes)


@pytest.mark.parametrize("endpoint", MULTI_SELECT_ENDPOINTS)
@settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_multi_select_posted_with_overlapping_and_shrinking_sets(world, endpoint, data):
    """The form as the page shows it, only the ticked boxes changed: each post overlaps, grows
    or shrinks the set saved by the one before. Every one must be saved (issue 15.1)."""
    client, target, form_page, fields, token = _form(world, endpoint)
    page_now = client.get(form_page).get_data(as_text=True)
    shown = _Shown()
    shown.feed(page_now)
    sent = next(
        values for action, values in shown.forms.items() if unescape(action).split("?")[0] in (target, "")
    )
    boxes = {name: sorted(field["values"]) for name, field in fields.items() if field["kind"] == "checkbox"}
    assert boxes, f"{endpoint}: no checkboxes on {form_page}"
    payload = {name: values for name, values in sent.items() if name not in boxes and name != "csrf_token"}
    for name, offered in boxes.items():
        before = set(sent.get(name, []))
        ticked = data.draw(st.lists(st.sampled_from(offered), unique=True, max_size=len(offered)))
        event("overlapping" if before & set(ticked) else "disjoint")
        event("shrinking" if set(ticked) < before else "not shrinking")
        payload[name] = ticked
    payload["csrf_token"] = token
    response = client.post(target, data=payload)
    assert response.status_code in ACCEPTED, f"{endpoint}: {response.status_code} for {payload!r}"
    shown_after = _Shown()
    shown_after.feed(client.get(form_page).get_data(as_text=True))
    after = next(v for a, v in shown_after.forms.items() if unescape(a).split("?")[0] in (target, ""))
    for name in boxes:
        assert sorted(after.get(name, [])) == sorted(payload[name])
