"""The performance benchmark (`make bench`): see bench/README.md.

In one run on this machine it
1. makes (or reuses) the databases: the pilot's demo data (bench/pilot.db) and synthetic
   national datasets (`hfm demo scale`) at two sizes, on SQLite (bench/national-N.db) and,
   when it is reachable, on PostgreSQL (databases hfm_bench_N);
2. measures the quarterly report on each: build time (median of --repeat runs, each a real
   run_quarterly: figures, freezing, workbook, atomic write), peak memory (peak RSS of the
   process, and the peak of Python allocations under tracemalloc in a separate process),
   and the comparison limit: the report's distinct SQL statements run alone (raw DB-API
   cursor, rows fetched) plus openpyxl write-only mode writing the same cells;
3. load-tests three pages (finance summary, a return form, an authority's finance table)
   with --concurrency clients for --duration seconds against gunicorn (2 workers) on the
   largest national dataset (PostgreSQL when reachable), counting errors;
4. writes bench/results.json and bench/results.md and prints the table.

Only loopback addresses are used. `python bench/run.py --quick` is a short run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BIN = Path(sys.executable).parent
HFM = str(BIN / "hfm")
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PASSWORD = "demo-password-not-for-live-use"
TARGETS = {
    "pilot_report_s": 1.0,
    "national_report_s": 20.0,
    "national_peak_mb": 300.0,
    "doubling_ratio": 2.2,
    "limit_ratio": 2.0,
    "p95_ms": 100.0,
    "p99_ms": 250.0,
}


# ---- databases -----------------------------------------------------------------------------


def hfm(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "HFM_ENV": "development"}
    done = subprocess.run([HFM, *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"hfm {' '.join(args)} failed on {url}:\n{done.stdout}{done.stderr}")
    return done.stdout


def postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=2):
            pass
        import psycopg

        psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3).close()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


def pg_database(name: str, rebuild: bool) -> bool:
    """Create the database if needed; True if it is new (empty)."""
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return not exists


def prepare(kind: str, clients: int, args) -> str:
    """The database URL for the pilot (clients 0) or a national dataset, made if missing."""
    name = "pilot" if kind == "pilot" else f"national-{clients}"
    if args.backend == "postgresql":
        url = f"{PG_SERVER}/hfm_bench_{name.replace('-', '_')}"
        new = pg_database(url.rsplit("/", 1)[1], args.rebuild)
    else:
        path = BENCH / f"{name}.db"
        if args.rebuild:
            path.unlink(missing_ok=True)
        new = not path.exists()
        url = f"sqlite:///{path}"
    hfm(url, "db", "upgrade", "heads")  # applies any new revision (indexes) to an old file
    if new:
        started = time.monotonic()
        if kind == "pilot":
            hfm(url, "programme", "load")
            hfm(url, "demo", "seed")
        else:
            hfm(
                url,
                "demo",
                "scale",
                "--authorities",
                str(args.authorities),
                "--years",
                str(args.years),
                "--clients",
                str(clients),
            )
        print(f"  made {name} on {args.backend} in {time.monotonic() - started:.1f} s", flush=True)
    return url


# ---- measuring the report (in a subprocess per database) -------------------------------------


def measure_report(url: str, repeat: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "_report", url, str(repeat)],
        env={**os.environ, "HFM_ENV": "development"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(f"measuring the report on {url} failed:\n{out.stderr}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    memory = subprocess.run(
        [sys.executable, __file__, "_memory", url],
        env={**os.environ, "HFM_ENV": "development"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if memory.returncode:
        raise SystemExit(f"measuring memory on {url} failed:\n{memory.stderr}")
    result.update(json.loads(memory.stdout.strip().splitlines()[-1]))
    return result


def _app(url: str, reports_dir: str):
    os.environ["DATABASE_URL"] = url
    os.environ["REPORTS_DIR"] = reports_dir
    sys.path.insert(0, str(ROOT))
    from app import create_app

    return create_app()


def _report_child(url: str, repeat: int) -> None:
    import resource

    from sqlalchemy import event

    with tempfile.TemporaryDirectory() as folder:
        app = _app(url, folder)
        with app.app_context():
            from app.extensions import db
            from app.reporting import service

            quarter = service.report_quarters()[0]
            statements: list = []

            def capture(conn, cursor, statement, parameters, context, executemany):
                statements.append((statement, parameters, executemany))

            times, counts = [], []
            for attempt in range(repeat):
                if attempt == 0:
                    event.listen(db.engine, "before_cursor_execute", capture)
                started = time.perf_counter()
                run = service.run_quarterly(quarter, "taskforce", "bench")
                times.append(time.perf_counter() - started)
                if attempt == 0:
                    event.remove(db.engine, "before_cursor_execute", capture)
                    counts.append(len(statements))
                assert run.status == "succeeded", run.error
                path = service.file_path(run)
            sql_seconds, distinct = _sql_alone(db.engine, statements)
            cells, write_seconds = _write_only_same_cells(path)
            rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "quarter": quarter.slug,
                "report_seconds": statistics.median(times),
                "report_seconds_all": times,
                "statements": counts[0],
                "distinct_selects": distinct,
                "sql_alone_seconds": sql_seconds,
                "cells": cells,
                "write_only_seconds": write_seconds,
                "limit_seconds": sql_seconds + write_seconds,
                "peak_rss_mb": rss_mb,
            }
        )
    )


def _sql_alone(engine, statements) -> tuple[float, int]:
    """Run each distinct SELECT the report issued once, on a raw DB-API cursor."""
    seen, selects = set(), []
    for statement, parameters, executemany in statements:
        key = (statement, repr(parameters))
        if executemany or not statement.lstrip().upper().startswith(("SELECT", "WITH")) or key in seen:
            continue
        seen.add(key)
        selects.append((statement, parameters))
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        started = time.perf_counter()
        for statement, parameters in selects:
            cursor.execute(statement, parameters)
            cursor.fetchall()
        elapsed = time.perf_counter() - started
        connection.rollback()
    finally:
        connection.close()
    return elapsed, len(selects)


def _write_only_same_cells(path) -> tuple[int, float]:
    """openpyxl write-only mode writing the report's own cell values, sheet by sheet."""
    from openpyxl import Workbook, load_workbook

    book = load_workbook(path, read_only=True)
    sheets = {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}
    book.close()
    cells = sum(1 for rows in sheets.values() for row in rows for value in row if value is not None)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        out = Workbook(write_only=True)
        for title, rows in sheets.items():
            sheet = out.create_sheet(title)
            for row in rows:
                sheet.append(row)
        out.save(Path(folder) / "same-cells.xlsx")
        elapsed = time.perf_counter() - started
    return cells, elapsed


def _memory_child(url: str) -> None:
    import resource
    import tracemalloc

    with tempfile.TemporaryDirectory() as folder:
        app = _app(url, folder)
        with app.app_context():
            from app.reporting import service

            quarter = service.report_quarters()[0]
            before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            tracemalloc.start()
            run = service.run_quarterly(quarter, "taskforce", "bench")
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            assert run.status == "succeeded", run.error
    print(json.dumps({"python_peak_mb": peak / 2**20, "rss_before_report_mb": before_mb}))


# ---- page latency -----------------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A signed-in client: its own cookies (Secure cookies are sent on loopback too)."""

    def __init__(self, base: str):
        self.base, self.cookies = base, {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=15)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        text = response.read().decode("utf-8", "replace")
        return response.status, text

    def sign_in(self, email: str) -> None:
        _, page = self.request("/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
            r'name="csrf_token"[^>]*value="([^"]+)"', page
        )
        status, _ = self.request(
            "/login", {"csrf_token": token.group(1), "email": email, "password": PASSWORD}
        )
        if status != 302:
            raise SystemExit(f"signing in as {email} failed (status {status})")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_test(url: str, gss: str, month: str, duration: float, concurrency: int) -> dict:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "HFM_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "RATELIMIT_ALLOW_PER_PROCESS": "true",  # the bench does not sign in repeatedly
        "SHOW_SYNTHETIC_BANNER": "1",
    }
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "app:create_app()",
        ],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    pages = {
        "finance summary (dashboard)": "/finance",
        "return form": f"/returns/{gss}/{month}",
        "authority finance table": f"/finance/authorities/{gss}",
    }
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/login", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        browsers = [Browser(base) for _ in range(concurrency)]
        for browser in browsers:
            browser.sign_in("finance@scale.invalid")
        for name, path in pages.items():  # warm up, and fail fast on a wrong page
            status, _ = browsers[0].request(path)
            if status != 200:
                raise SystemExit(f"{name} {path} answered {status}")
        samples = {name: [] for name in pages}
        errors = {name: 0 for name in pages}
        lock = threading.Lock()
        stop_at = time.monotonic() + duration

        def client(index: int) -> None:
            browser, names, turn = browsers[index], list(pages), index
            while time.monotonic() < stop_at:
                name = names[turn % len(names)]
                turn += 1
                started = time.perf_counter()
                try:
                    status, _ = browser.request(pages[name])
                except Exception:  # noqa: BLE001 - a failed request is an error to count
                    status = 0
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    samples[name].append(elapsed)
                    if status != 200:
                        errors[name] += 1

        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(client, range(concurrency)))
    finally:
        server.terminate()
        server.wait(timeout=30)
    every = [value for values in samples.values() for value in values]
    result = {"duration_s": duration, "concurrency": concurrency, "pages": {}}
    for name, values in [*samples.items(), ("all pages", every)]:
        result["pages"][name] = {
            "path": pages.get(name, ""),
            "requests": len(values),
            "errors": errors.get(name, sum(errors.values())),
            "p50_ms": percentile(values, 50),
            "p95_ms": percentile(values, 95),
            "p99_ms": percentile(values, 99),
            "per_second": len(values) / duration,
        }
    return result


def percentile(values: list[float], percent: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(percent / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


# ---- the run ------------------------------------------------------------------------------------


def verdicts(results: dict) -> list[tuple[str, str, bool | None]]:
    rows = []
    reports = results["reports"]
    for backend in ("sqlite", "postgresql"):
        pilot = reports.get(f"{backend} pilot")
        if pilot:
            rows.append(
                (
                    f"{backend}: pilot report < 1 s",
                    f"{pilot['report_seconds']:.2f} s",
                    pilot["report_seconds"] < TARGETS["pilot_report_s"],
                )
            )
        sizes = sorted(int(k.rsplit(" ", 1)[1]) for k in reports if k.startswith(f"{backend} national"))
        if not sizes:
            continue
        big = reports[f"{backend} national {sizes[-1]}"]
        rows += [
            (
                f"{backend}: national {sizes[-1]:,} report < 20 s",
                f"{big['report_seconds']:.2f} s",
                big["report_seconds"] < TARGETS["national_report_s"],
            ),
            (
                f"{backend}: national {sizes[-1]:,} peak memory < 300 MB",
                f"{big['peak_rss_mb']:.0f} MB RSS (Python allocations {big['python_peak_mb']:.0f} MB)",
                big["peak_rss_mb"] < TARGETS["national_peak_mb"],
            ),
            (
                f"{backend}: report <= 2 x limit",
                f"{big['report_seconds'] / big['limit_seconds']:.2f} x",
                big["report_seconds"] <= TARGETS["limit_ratio"] * big["limit_seconds"],
            ),
        ]
        if len(sizes) > 1:
            small = reports[f"{backend} national {sizes[0]}"]
            ratio = big["report_seconds"] / small["report_seconds"]
            rows.append(
                (
                    f"{backend}: doubling data <= 2.2 x time",
                    f"{ratio:.2f} x",
                    ratio <= TARGETS["doubling_ratio"],
                )
            )
    load = results.get("pages")
    if load:
        every = load["pages"]["all pages"]
        for name, page in load["pages"].items():
            if name == "all pages":
                continue
            rows.append(
                (f"{name}: p95 < 100 ms", f"{page['p95_ms']:.0f} ms", page["p95_ms"] < TARGETS["p95_ms"])
            )
            rows.append(
                (f"{name}: p99 < 250 ms", f"{page['p99_ms']:.0f} ms", page["p99_ms"] < TARGETS["p99_ms"])
            )
        rows.append(("pages: no errors", str(every["errors"]), every["errors"] == 0))
    return rows


def markdown(results: dict) -> str:
    lines = [
        f"# Benchmark results ({results['finished_at']})",
        "",
        f"Machine: {results['machine']}",
        "",
        "## Quarterly report",
        "",
        "| Dataset | Quarter | Report (s) | SQL alone (s) | Write-only cells (s) | Limit (s) "
        "| Report / limit | Cells | Statements | Peak RSS (MB) | Python peak (MB) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in results["reports"].items():
        lines.append(
            f"| {name} | {r['quarter']} | {r['report_seconds']:.2f} | {r['sql_alone_seconds']:.2f} "
            f"| {r['write_only_seconds']:.2f} | {r['limit_seconds']:.2f} "
            f"| {r['report_seconds'] / r['limit_seconds']:.2f} | {r['cells']:,} | {r['statements']} "
            f"| {r['peak_rss_mb']:.0f} | {r['python_peak_mb']:.0f} |"
        )
    load = results.get("pages")
    if load:
        lines += [
            "",
            f"## Pages ({load['concurrency']} concurrent clients, {load['duration_s']:.0f} s, "
            f"gunicorn 2 workers, {load['dataset']})",
            "",
            "| Page | Requests | Per second | p50 (ms) | p95 (ms) | p99 (ms) | Errors |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name, p in load["pages"].items():
            lines.append(
                f"| {name} | {p['requests']} | {p['per_second']:.1f} | {p['p50_ms']:.0f} "
                f"| {p['p95_ms']:.0f} | {p['p99_ms']:.0f} | {p['errors']} |"
            )
    lines += ["", "## Targets", "", "| Target | Measured | Met |", "|---|---|---|"]
    for target, measured, met in results["verdicts"]:
        lines.append(f"| {target} | {measured} | {'yes' if met else 'NO'} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="125000,250000", help="national client counts")
    parser.add_argument("--authorities", type=int, default=300)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="report runs per dataset (median)")
    parser.add_argument("--duration", type=float, default=60, help="load test seconds")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-load", action="store_true", help="skip the page load test")
    parser.add_argument("--rebuild", action="store_true", help="remake the datasets")
    parser.add_argument(
        "--quick", action="store_true", help="small and short: 12,500 and 25,000 clients, 1 run, 10 s of load"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat, args.duration = "12500,25000", 1, 10
    sizes = [int(size) for size in args.sizes.split(",")]
    backends = ["sqlite"] + ([] if args.no_postgres or not postgres_reachable() else ["postgresql"])
    results = {
        "machine": f"{platform.node()} {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
        "started_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "options": vars(args),
        "targets": TARGETS,
        "reports": {},
    }
    urls = {}
    for backend in backends:
        args.backend = backend
        for kind, clients in [("pilot", 0)] + [("national", size) for size in sizes]:
            name = f"{backend} {kind}" + (f" {clients}" if clients else "")
            print(f"{name}: preparing", flush=True)
            urls[name] = prepare(kind, clients, args)
            print(f"{name}: measuring the report", flush=True)
            results["reports"][name] = measure_report(urls[name], args.repeat)
            print(f"  {results['reports'][name]['report_seconds']:.2f} s", flush=True)
    if not args.no_load:
        backend = backends[-1]
        name = f"{backend} national {sizes[-1]}"
        print(f"load test on {name}: {args.concurrency} clients, {args.duration:.0f} s", flush=True)
        gss = "E06900000"  # the first synthetic authority (app.demo.scale.gss_code(0))
        results["pages"] = {
            "dataset": name,
            **load_test(urls[name], gss, "2023-03", args.duration, args.concurrency),
        }
    results["finished_at"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    results["verdicts"] = verdicts(results)
    (BENCH / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    table = markdown(results)
    (BENCH / "results.md").write_text(table)
    print(table)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_report":
        _report_child(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "_memory":
        _memory_child(sys.argv[2])
    else:
        main()
