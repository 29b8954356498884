"""The page measurements of bench/run.py, against gunicorn started with config/gunicorn.conf.py.

- each main page signed in as the role that uses it, one client at a time (p50, p95);
- the floor: the same HTML saved and served by the same gunicorn (bench/floor.py);
- locust headless (bench/locustfile.py): clients back to back (closed loop) and users with
  think time, with p50/p95/p99, requests per second and errors;
- the peak memory (VmHWM) of the gunicorn workers under that load;
- `--serving`: short closed-loop runs over several worker classes, workers and threads, the
  measurement config/gunicorn.conf.py's defaults were chosen from.

Only loopback addresses are used.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BIN = Path(sys.executable).parent
PASSWORD = "demo-password-not-for-live-use"
GSS = "E06900000"  # the first synthetic authority (app.demo.scale.gss_code(0))
LEAD = "lead.aaa@scale.invalid"  # its lead (app.demo.scale.lead_email(0))
MAIN_PAGES = {  # name: (path, who uses it)
    "dashboard": ("/", "finance@scale.invalid"),
    "finance summary": ("/finance", "finance@scale.invalid"),
    "authority finance": (f"/finance/authorities/{GSS}", LEAD),
    "return form": (f"/returns/{GSS}/2023-03", LEAD),
    "returns list": ("/returns", "finance@scale.invalid"),
    "review list": ("/returns/review", "finance@scale.invalid"),
    "reporting rate": ("/returns/reporting-rate", "taskforce@scale.invalid"),
    "client register": (f"/clients/{GSS}/", LEAD),
    "outcomes": ("/clients/outcomes", "taskforce@scale.invalid"),
    "reports list": ("/reports", "taskforce@scale.invalid"),
    "risks": ("/registers/risks", "taskforce@scale.invalid"),
    "services": ("/registers/services", LEAD),
}


def percentile(values: list[float], percent: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(percent / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(values: list[float]) -> dict:
    return {
        "requests": len(values),
        "p50_ms": percentile(values, 50),
        "p95_ms": percentile(values, 95),
        "p99_ms": percentile(values, 99),
        "mean_ms": statistics.fmean(values) if values else None,
    }


# ---- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with config/gunicorn.conf.py (its knobs from `serving`), app or floor."""

    def __init__(self, url: str, serving: dict | None = None, app_uri: str | None = None, env=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        serving = serving or {}
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "HFM_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "LOGIN_RATE_LIMIT": "10000 per minute",
            "RATELIMIT_ALLOW_PER_PROCESS": "true",  # the bench's sign-ins are not an attack
            "SHOW_SYNTHETIC_BANNER": "1",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_LOG_LEVEL": "warning",
            "GUNICORN_MAX_REQUESTS": "0",  # keep the workers: their peak memory is measured
            "GUNICORN_GRACEFUL_TIMEOUT": "10",
            **{f"GUNICORN_{key.upper()}": str(value) for key, value in serving.items()},
            **(env or {}),
        }
        command = [str(BIN / "gunicorn"), "-c", str(ROOT / "config" / "gunicorn.conf.py")]
        self.process = subprocess.Popen(command + ([app_uri] if app_uri else []), env=self.env, cwd=ROOT)
        for _ in range(300):
            try:
                urllib.request.urlopen(self.base + ("/login" if not app_uri else "/"), timeout=2).read()
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if self.process.poll() is not None:
                    raise SystemExit(f"gunicorn {app_uri or 'app'} did not start") from None
                time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        found = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout.split()
        return [int(pid) for pid in found]

    def worker_peak_mb(self) -> dict:
        """VmHWM (peak resident set) and VmRSS of each worker, in MB."""
        peaks = {}
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            fields = dict(re.findall(r"^(VmHWM|VmRSS):\s+(\d+) kB", status, re.M))
            peaks[pid] = {key: int(value) / 1024 for key, value in fields.items()}
        return {
            "workers": len(peaks),
            "peak_mb_per_worker": max((p["VmHWM"] for p in peaks.values()), default=None),
            "peak_mb_all_workers": sum(p["VmHWM"] for p in peaks.values()),
            "rss_mb_per_worker": [round(p["VmRSS"], 1) for p in peaks.values()],
        }

    def stop(self) -> None:
        """Stop gunicorn; a worker still busy with a slow page after 10 s is killed too, so
        none is left running (with its database queries) after the measurement."""
        workers = self.worker_pids()
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pid in workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# ---- one client at a time -------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A signed-in client: its own cookies (Secure cookies are sent on loopback too)."""

    def __init__(self, base: str):
        self.base, self.cookies = base, {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, path: str, data: dict | None = None) -> tuple[int, bytes]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=180)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.read()

    def sign_in(self, email: str) -> None:
        _, page = self.request("/login")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
        form = {"csrf_token": token.group(1).decode() if token else "", "email": email, "password": PASSWORD}
        status, _ = self.request("/login", form)
        if status != 302:
            raise SystemExit(f"signing in as {email} failed (status {status})")


def one_client(
    base: str, pages: dict, requests: int, budget: float = 60, browsers: dict | None = None
) -> tuple[dict, dict]:
    """Each page `requests` times in turn after a warm-up, or as many as fit in `budget`
    seconds (at least one): its summary, and its HTML. A failed request is an error."""
    browsers = browsers if browsers is not None else {}
    results, saved = {}, {}
    for name, (path, email) in pages.items():
        if email and email not in browsers:
            browsers[email] = Browser(base)
            browsers[email].sign_in(email)
        browser = browsers.get(email) or Browser(base)
        try:
            status, body = browser.request(path)  # the warm-up
        except OSError:  # slower than the client's timeout: measured as an error
            status, body = 0, b""
        if status not in (0, 200):
            raise SystemExit(f"{name} {path} answered {status} for {email}")
        saved[path] = body
        times, errors, stop_at = [], 0, time.monotonic() + budget
        while len(times) < requests and (not times or time.monotonic() < stop_at):
            started = time.perf_counter()
            try:
                status, _ = browser.request(path)
            except OSError:  # a timeout or a refused connection
                status = 0
            times.append((time.perf_counter() - started) * 1000)
            errors += status != 200
        results[name] = {"path": path, "role": email.split("@")[0] if email else "", **summary(times)}
        results[name]["errors"] = errors
        results[name]["bytes"] = len(body)
        results[name]["within_budget"] = len(times) >= requests
        figures = results[name]
        print(
            f"    {name}: {len(times)} requests, "
            f"p50 {figures['p50_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms",
            flush=True,
        )
    return results, saved


def floor(url: str, saved: dict, pages: dict, requests: int, serving: dict | None = None) -> dict:
    """The same bytes served by the same gunicorn (bench/floor.py), one client at a time."""
    with tempfile.TemporaryDirectory() as folder:
        index = {}
        for number, (path, body) in enumerate(saved.items()):
            (Path(folder) / f"page-{number}.html").write_bytes(body)
            index[path] = f"page-{number}.html"
        (Path(folder) / "index.json").write_text(json.dumps(index))
        with Server(url, serving, "bench.floor:app", {"FLOOR_DIR": folder}) as server:
            plain = {name: (path, "") for name, (path, _) in pages.items()}
            results, _ = one_client(server.base, plain, requests)
    return results


# ---- locust -----------------------------------------------------------------------------------


def locust(base: str, users: int, wait_seconds: float, duration: float, authorities: int) -> dict:
    """locust headless with `users` users; percentiles over the answers after the ramp."""
    spawn_rate = users if wait_seconds == 0 else max(10, users // 5)
    with tempfile.TemporaryDirectory() as folder:
        samples = Path(folder) / "samples.jsonl"
        env = {
            **os.environ,
            "BENCH_WAIT_SECONDS": str(wait_seconds),
            "BENCH_SAMPLES": str(samples),
            "BENCH_AUTHORITIES": str(authorities),
            "BENCH_USERS": str(users),
            "BENCH_DURATION": str(duration),
        }
        ramp = users / spawn_rate
        command = [
            str(BIN / "locust"),
            "-f",
            str(BENCH / "locustfile.py"),
            "--headless",
            "--host",
            base,
            "-u",
            str(users),
            "-r",
            str(spawn_rate),
            "-t",
            f"{int(duration + ramp + 300)}s",  # a cap: the locustfile stops after `duration`
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--stop-timeout",
            "10",
        ]
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        if not samples.exists():
            raise SystemExit(f"locust wrote no samples (exit {done.returncode}):\n{done.stderr[-3000:]}")
        lines = samples.read_text().splitlines()
    window = json.loads(lines[0])
    seconds = max(0.001, (window["end"] or 0) - (window["start"] or 0))
    by_page: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    for line in lines[1:]:
        name, milliseconds, status = json.loads(line)
        by_page.setdefault(name, []).append(milliseconds)
        errors[name] = errors.get(name, 0) + (status != 200)
    every = [value for values in by_page.values() for value in values]
    result = {
        "users": users,
        "wait_seconds": wait_seconds,
        "measured_seconds": seconds,
        "all pages": {**summary(every), "errors": sum(errors.values()), "per_second": len(every) / seconds},
        "pages": {
            name: {**summary(values), "errors": errors[name], "per_second": len(values) / seconds}
            for name, values in sorted(by_page.items())
        },
    }
    return result


def load(url: str, args, serving: dict | None = None) -> dict:
    """Closed loop, then users with think time, on one server; the workers' peak memory."""
    with Server(url, serving) as server:
        closed = locust(server.base, args.concurrency, 0, args.duration, args.authorities)
        memory_closed = server.worker_peak_mb()
        thinking = locust(server.base, args.users, args.think, args.think_duration, args.authorities)
        memory = server.worker_peak_mb()
    return {
        "closed_loop": closed,
        "think_time": thinking,
        "memory": memory,
        "memory_after_closed": memory_closed,
    }


SERVING_CHOICES = [
    {"worker_class": "sync", "workers": 2},
    {"worker_class": "sync", "workers": 3},
    {"worker_class": "sync", "workers": 5},
    {"worker_class": "gthread", "workers": 2, "threads": 2},
    {"worker_class": "gthread", "workers": 2, "threads": 4},
    {"worker_class": "gthread", "workers": 3, "threads": 4},
]


def serving_sweep(url: str, args) -> list[dict]:
    """A short closed loop per configuration (the same users and pages)."""
    rows = []
    for choice in SERVING_CHOICES:
        with Server(url, choice) as server:
            result = locust(server.base, args.concurrency, 0, args.sweep_duration, args.authorities)
            memory = server.worker_peak_mb()
        every = result["all pages"]
        keys = ("p50_ms", "p95_ms", "p99_ms", "per_second", "errors")
        rows.append({**choice, **{key: every[key] for key in keys}})
        rows[-1]["peak_mb_all_workers"] = memory["peak_mb_all_workers"]
        print(f"  {choice}: {every['per_second']:.1f}/s p95 {every['p95_ms']} ms", flush=True)
    return rows
