"""Browser tests: the real app served on localhost, driven by Playwright in Debian's chromium.

Never downloads a browser: the launch uses /usr/bin/chromium (installed by `make setup`).
axe-core (from npm) runs on every page a test visits; screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from tests.conftest import TEMPLATE_CACHE, TEST_SETTINGS

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
PASSWORD = "correct-horse-battery-staple"
WIDTHS = (1280, 375)  # every page is photographed at both

E2E_USERS = {
    "admin": ("admin@e2e.invalid", "admin", None),
    "finance": ("finance@e2e.invalid", "finance", None),
    "lead": ("lead.bir@e2e.invalid", "authority_lead", "E08000025"),
    "taskforce": ("taskforce@e2e.invalid", "taskforce", None),
    "mhclg": ("mhclg@e2e.invalid", "mhclg", None),
}


def _require_browser():
    if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists():
        message = f"Debian's chromium is not installed at {CHROMIUM} (make setup installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app on a free localhost port, with its own migrated SQLite database."""
    from flask_migrate import upgrade

    from app.accounts.service import create_user
    from app.programme.service import load_programme

    folder = tmp_path_factory.mktemp("e2e")
    app = create_app(
        {
            "ENV": "test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'e2e.sqlite'}",
            "REPORTS_DIR": str(folder / "reports"),
            "LOGIN_RATE_LIMIT": "1000 per minute",
            "PASSWORD_HASH_METHOD": TEST_SETTINGS["PASSWORD_HASH_METHOD"],
        }
    )
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    with app.app_context():
        upgrade()
        load_programme(app.config["PROGRAMME_FILE"])
        for email, role, gss in E2E_USERS.values():
            create_user(email, role, gss, password=PASSWORD, actor="e2e")
        db.session.commit()  # the set-up is its own unit of work: services only flush
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "app": app}
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-quic",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class Visitor:
    """A person at a browser: every page they reach is checked with axe and photographed."""

    def __init__(self, page, base_url: str, test_name: str):
        self.page = page
        self.base_url = base_url
        self.test_name = test_name
        self.pages_checked: list[str] = []

    def goto(self, path: str):
        self.page.goto(self.base_url + path)
        self.check()

    def check(self, name: str | None = None):
        """axe-core on the page as it is now, every rule (WCAG and best practice, any impact),
        and a screenshot at each of WIDTHS."""
        self.page.add_script_tag(path=str(AXE_SCRIPT))
        result = self.page.evaluate("async () => await axe.run(document)")
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
            for v in result["violations"]
        ]
        url = self.page.url
        ARTIFACTS.mkdir(exist_ok=True)
        label = name or url.split("//", 1)[-1].split("/", 1)[-1].replace("/", "_").replace("?", "_") or "home"
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            shot = ARTIFACTS / f"{self.test_name}-{len(self.pages_checked):02d}-{label}-{width}.png"
            self.page.screenshot(path=str(shot), full_page=True)
        self.page.set_viewport_size({"width": 1280, "height": 900})
        self.pages_checked.append(url)
        assert not violations, f"axe found violations on {url}: {violations}"

    def sign_in(self, role: str):
        email = E2E_USERS[role][0]
        self.goto("/login")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password", exact=True).fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()
        assert "/login" not in self.page.url, f"{role} could not sign in"
        self.check()

    def sign_out(self):
        self.page.get_by_role("button", name="Sign out").click()
        self.page.wait_for_load_state()


@pytest.fixture
def visitor(browser, live_server, request):
    context = browser.new_context(
        bypass_csp=True, accept_downloads=True, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield Visitor(page, live_server["url"], request.node.name)
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"
