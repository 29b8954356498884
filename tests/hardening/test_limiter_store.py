"""The login limit holds in total across web workers (issue 15.7): production refuses to start
with the per-process memory:// store unless RATELIMIT_ALLOW_PER_PROCESS says so, and two real
app processes sharing the local Redis together accept no more attempts from one address than
the limit."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis

from app import create_app
from config.settings import SettingsError, load_settings

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
GUNICORN = Path(sys.executable).with_name("gunicorn")


def test_production_refuses_the_per_process_store(monkeypatch):
    # The settings alone, not create_app(): an app made here with the Redis store would bind
    # the one Limiter of this test process to Redis, and every later test's limiter.reset()
    # would then empty the Redis the two-process test below is counting in (CI saw 24 of 24
    # attempts accepted and no keys left).
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-for-this-test-only")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.delenv("RATELIMIT_ALLOW_PER_PROCESS", raising=False)
    production = {"ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    with pytest.raises(SettingsError, match="RATELIMIT_STORAGE_URI is memory://.*redis://127.0.0.1:6379"):
        load_settings(production)
    with pytest.raises(SettingsError, match="RATELIMIT_STORAGE_URI is memory://"):
        create_app(production)  # the app refuses to start, through the same settings
    allowed = load_settings({**production, "RATELIMIT_ALLOW_PER_PROCESS": True})
    assert allowed["RATELIMIT_STORAGE_URI"] == "memory://"
    shared = load_settings({**production, "RATELIMIT_STORAGE_URI": REDIS_URL})
    assert shared["RATELIMIT_STORAGE_URI"] == REDIS_URL


def test_development_and_tests_keep_memory(app):
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def _redis_answers() -> bool:
    host, port = REDIS_URL.split("//", 1)[1].split(":")
    try:
        with socket.create_connection((host, int(port.split("/")[0])), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Browser:
    """One visitor to one process: keeps its session cookie (the app marks it Secure in
    production; over this loopback test it is sent back by hand)."""

    def __init__(self, port: int):
        self.port, self.cookie = port, ""

    def request(self, method: str, path: str, body: str = "") -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        connection.close()
        return response.status, text

    def try_to_sign_in(self, attempt: int) -> int:
        _, page = self.request("GET", "/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        # a different unknown email each time: only the per-address limit applies
        body = f"csrf_token={token}&email=nobody{attempt}%40test.invalid&password=not-the-password"
        return self.request("POST", "/login", body)[0]


def _start(port: int, database_url: str, storage: str, prefix: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "HFM_ENV": "production",
        "SECRET_KEY": "a-real-secret-for-this-test-only",
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": storage,
        "RATELIMIT_KEY_PREFIX": prefix,
        "RATELIMIT_ALLOW_PER_PROCESS": "true" if storage.startswith("memory") else "",
        "LOGIN_RATE_LIMIT": "10 per hour",  # a window no slow machine straddles in 24 attempts
    }
    return subprocess.Popen(
        [str(GUNICORN), "-w", "1", "-b", f"127.0.0.1:{port}", "app:create_app()"],
        env=env,
        cwd=str(Path(__file__).resolve().parents[2]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_until_up(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the app process stopped: {process.stderr.read().decode()[-2000:]}")
        try:
            if _Browser(port).request("GET", "/health")[0] == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("the app process did not answer within 60 s")


def _two_free_ports() -> list[int]:
    ports: list[int] = []
    while len(ports) < 2:  # a port closed and asked for again can come back
        port = _free_port()
        if port not in ports:
            ports.append(port)
    return ports


def _attempts_accepted(database_url: str, storage: str, prefix: str) -> list[int]:
    ports = _two_free_ports()
    processes = [_start(port, database_url, storage, prefix) for port in ports]
    try:
        for process, port in zip(processes, ports, strict=True):
            _wait_until_up(process, port)
        browsers = [_Browser(port) for port in ports]
        # the same address (127.0.0.1) alternating between the two processes
        return [browsers[attempt % 2].try_to_sign_in(attempt) for attempt in range(24)]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


@pytest.mark.commits
def test_the_login_limit_holds_in_total_across_two_processes_sharing_redis(_migrated):
    if not _redis_answers():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required in CI and did not answer at {REDIS_URL}")
        pytest.skip(f"Redis did not answer at {REDIS_URL}")
    prefix = f"hfm-test-{uuid.uuid4().hex}"  # this run's own keys in the shared Redis
    statuses = _attempts_accepted(_migrated, REDIS_URL, prefix)
    # what the processes left in Redis, said when the count is wrong (a count with no keys
    # means the processes never reached the shared store)
    store = redis.Redis.from_url(REDIS_URL)
    stored = {key.decode(): store.get(key) for key in store.keys(f"*{prefix}/127.0.0.1*")}
    assert statuses.count(200) == 10, (statuses, stored)  # the limit, in total: 10 per window per address
    assert statuses[10:] == [429] * 14, statuses


@pytest.mark.commits
def test_with_the_per_process_store_two_processes_double_the_limit(_migrated):
    """Why production refuses memory://: the same attempts, each process counting alone."""
    statuses = _attempts_accepted(_migrated, "memory://", f"hfm-test-{uuid.uuid4().hex}")
    assert statuses.count(200) == 20, statuses
