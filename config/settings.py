"""Settings: defaults here, each overridable by an environment variable of the same name.

`load_settings()` returns a plain dict that create_app() puts into app.config.
"""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def _engine_options(url: str, pool_size: int, max_overflow: int) -> dict:
    """SQLAlchemy's pool for a server database; SQLite keeps Flask-SQLAlchemy's defaults."""
    if not url.startswith("postgresql"):
        return {}
    return {"pool_size": pool_size, "max_overflow": max_overflow}


class SettingsError(RuntimeError):
    """A setting is missing or wrong; the app refuses to start."""


def load_settings(overrides: dict | None = None) -> dict:
    overrides = overrides or {}
    env = overrides.get("ENV", os.environ.get("HFM_ENV", "production"))
    development = env in ("development", "test")
    settings = {
        "ENV": env,
        "TESTING": env == "test",
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{PROJECT_ROOT / 'instance' / 'hfm.sqlite'}"
        ),
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "REPORTS_DIR": os.environ.get("REPORTS_DIR", str(PROJECT_ROOT / "reports")),
        "PROGRAMME_FILE": os.environ.get("PROGRAMME_FILE", str(PROJECT_ROOT / "config" / "programme.toml")),
        "ASSETS_DIR": os.environ.get(
            "ASSETS_DIR", str(PROJECT_ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk")
        ),
        # Cookies: HttpOnly and SameSite=Lax always; Secure outside development.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not development,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": not development,
        "SESSION_IDLE_MINUTES": _env_int("SESSION_IDLE_MINUTES", 30),
        "SESSION_MAX_HOURS": _env_int("SESSION_MAX_HOURS", 12),  # from sign-in, however used
        "LOGIN_MAX_FAILURES": _env_int("LOGIN_MAX_FAILURES", 3),
        "LOGIN_LOCK_MINUTES": _env_int("LOGIN_LOCK_MINUTES", 15),  # each further failure restarts it
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # memory:// counts per process: N gunicorn workers would allow N times the login limit
        "RATELIMIT_ALLOW_PER_PROCESS": _env_bool("RATELIMIT_ALLOW_PER_PROCESS", False),
        # expensive figures (the audited published ones) kept in the database for every web
        # worker and the scheduler (app/figures_cache.py; PostgreSQL only)
        "FIGURES_CACHE_SHARED": _env_bool("FIGURES_CACHE_SHARED", True),
        "FIGURES_WARM_SECONDS": _env_int("FIGURES_WARM_SECONDS", 60),  # the scheduler's warm-up
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", "hfm"),
        # werkzeug's method string, deliberately not read from the environment: production
        # keeps scrypt. Only the test suite's own overrides (tests/conftest.py) pick a cheap one.
        "PASSWORD_HASH_METHOD": "scrypt",
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "MAX_CONTENT_LENGTH": _env_int("MAX_UPLOAD_BYTES", 5 * 1024 * 1024) + 64 * 1024,
        "MAX_UPLOAD_BYTES": _env_int("MAX_UPLOAD_BYTES", 5 * 1024 * 1024),
        # Programme rules (our rules, see shared/domain.md): both are settings.
        "RETURN_DUE_DAY": _env_int("RETURN_DUE_DAY", 10),
        "REPORT_DAY": _env_int("REPORT_DAY", 15),
        # The programme's last returns month: delivery 2018-21 plus two years of legacy support.
        "RETURNS_LAST_MONTH": os.environ.get("RETURNS_LAST_MONTH", "2023-03"),
        "REPORT_HOUR": _env_int("REPORT_HOUR", 7),
        "REMINDER_HOUR": _env_int("REMINDER_HOUR", 8),
        "REMINDER_DAYS_BEFORE": _env_int("REMINDER_DAYS_BEFORE", 3),
        "REMINDER_LOOKBACK_MONTHS": _env_int("REMINDER_LOOKBACK_MONTHS", 3),
        "SCHEDULER_TIMEZONE": os.environ.get("SCHEDULER_TIMEZONE", "Europe/London"),
        # A claim belongs to a live process: it beats every HEARTBEAT seconds and a claim
        # whose owner has not beaten for LEASE seconds is given up by the next scheduler.
        "SCHEDULER_HEARTBEAT_SECONDS": _env_int("SCHEDULER_HEARTBEAT_SECONDS", 2),
        "SCHEDULER_LEASE_SECONDS": _env_int("SCHEDULER_LEASE_SECONDS", 10),
        # The pages say no scheduler is running when none has reported in for this long.
        "SCHEDULER_ALIVE_SECONDS": _env_int("SCHEDULER_ALIVE_SECONDS", 30),
        # How often the scheduler looks for "Generate now" requests.
        "REQUEST_POLL_SECONDS": _env_int("REQUEST_POLL_SECONDS", 2),
        # Tests only (HFM_ENV=test): pause inside a report's file write, to kill it there.
        "REPORT_PAUSE_SECONDS_FOR_TESTS": _env_int("REPORT_PAUSE_SECONDS_FOR_TESTS", 0),
        # Warnings the lead confirms before submitting a return.
        "SPEND_WARNING_MULTIPLE": _env_int("SPEND_WARNING_MULTIPLE", 3),
        "OUTLIER_WARNING_MULTIPLE": _env_int("OUTLIER_WARNING_MULTIPLE", 3),
        # ...and at least this far above the average (people or workers; pounds for spend)
        "OUTLIER_MINIMUM_DIFFERENCE": _env_int("OUTLIER_MINIMUM_DIFFERENCE", 5),
        "OUTLIER_MINIMUM_DIFFERENCE_POUNDS": _env_int("OUTLIER_MINIMUM_DIFFERENCE_POUNDS", 1000),
        # Disclosure control for what leaves BCC (app/disclosure.py): counts of people from
        # 1 to threshold-1 are "fewer than <threshold>", others rounded to the base; rates
        # are shown only where their denominator is at least RATE_MIN_DENOMINATOR.
        "SUPPRESSION_THRESHOLD": _env_int("SUPPRESSION_THRESHOLD", 5),
        "SUPPRESSION_ROUNDING_BASE": _env_int("SUPPRESSION_ROUNDING_BASE", 5),
        "RATE_MIN_DENOMINATOR": _env_int("RATE_MIN_DENOMINATOR", 20),
        # RAG bands for spend against profile, in percent of profile to date.
        "RAG_GREEN_MAX_PERCENT": _env_int("RAG_GREEN_MAX_PERCENT", 10),
        "RAG_AMBER_MAX_PERCENT": _env_int("RAG_AMBER_MAX_PERCENT", 15),
        # Fidelity self-assessment (our rules): its period (6 months: April-September and
        # October-March, the only length offered), due so many days after the period ends,
        # the caseload ceiling (people per support worker FTE) and the longest wait for a home.
        "FIDELITY_PERIOD_MONTHS": _env_int("FIDELITY_PERIOD_MONTHS", 6),
        "FIDELITY_DUE_DAYS": _env_int("FIDELITY_DUE_DAYS", 30),
        "FIDELITY_CASELOAD_CEILING": _env_int("FIDELITY_CASELOAD_CEILING", 7),
        "FIDELITY_WAIT_DAYS": _env_int("FIDELITY_WAIT_DAYS", 90),
        "LEADS_MAY_DOWNLOAD_REPORTS": _env_bool("LEADS_MAY_DOWNLOAD_REPORTS", False),
        "SMTP_HOST": os.environ.get("SMTP_HOST", ""),
        "PASSWORD_RESET_HOURS": _env_int("PASSWORD_RESET_HOURS", 24),  # a reset link works this long
        "SHOW_SYNTHETIC_BANNER": _env_bool("SHOW_SYNTHETIC_BANNER", True),
        # Tables with a row per authority or per client show a page at a time (app/programme/paging.py).
        "AUTHORITIES_PER_PAGE": _env_int("AUTHORITIES_PER_PAGE", 25),
        "CLIENTS_PER_PAGE": _env_int("CLIENTS_PER_PAGE", 50),
    }
    settings.update(overrides)
    # The PostgreSQL pool of each web process: at least one connection per gunicorn thread
    # (config/gunicorn.conf.py sets DB_POOL_SIZE from its threads and DB_MAX_OVERFLOW to 2);
    # other processes (the scheduler, the CLI, tests with a dozen threads) keep SQLAlchemy's
    # own 5 + 10. SQLite keeps the defaults.
    settings.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS",
        _engine_options(
            str(settings["SQLALCHEMY_DATABASE_URI"]),
            _env_int("DB_POOL_SIZE", 5),
            _env_int("DB_MAX_OVERFLOW", 10),
        ),
    )
    if settings["ENV"] in ("development", "test") and not settings["SECRET_KEY"]:
        settings["SECRET_KEY"] = "development-only-not-secret"
    if not settings["SECRET_KEY"]:
        raise SettingsError(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or HFM_ENV=development on a developer's machine)."
        )
    if settings["SUPPRESSION_THRESHOLD"] < 2 or settings["SUPPRESSION_ROUNDING_BASE"] < 1:
        raise SettingsError(
            "SUPPRESSION_THRESHOLD must be at least 2 and SUPPRESSION_ROUNDING_BASE at least 1."
        )
    if settings["FIDELITY_PERIOD_MONTHS"] != 6:
        raise SettingsError(
            "FIDELITY_PERIOD_MONTHS must be 6: the fidelity self-assessment is half-yearly "
            "(April-September, October-March); no other length is offered yet."
        )
    if (
        settings["ENV"] not in ("development", "test")
        and str(settings["RATELIMIT_STORAGE_URI"]).startswith("memory://")
        and not settings["RATELIMIT_ALLOW_PER_PROCESS"]
    ):
        raise SettingsError(
            "RATELIMIT_STORAGE_URI is memory://, which counts sign-in attempts in each web worker "
            "separately, so several workers allow several times the login limit. Set "
            "RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379 (a Redis all workers share), or "
            "RATELIMIT_ALLOW_PER_PROCESS=true to accept per-worker counting (one worker only)."
        )
    return settings
