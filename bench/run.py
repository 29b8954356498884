"""The performance benchmark (`make bench`): see bench/README.md.

In one run on this machine it
1. makes (or reuses) the databases: the pilot's demo data (bench/pilot.db) and synthetic
   national datasets (`hfm demo scale`) at two sizes, on SQLite (bench/national-N.db) and,
   when it is reachable, on PostgreSQL (databases hfm_bench_N);
2. measures the quarterly report on each, per variant: build time (median of --repeat runs,
   each a real run_quarterly: figures, freezing, workbook, atomic write), peak memory (peak
   RSS of the process, and the peak of Python allocations under tracemalloc in a separate
   process); the report's own SQL run alone plus openpyxl write-only of the same cells; and
   the independent floor (bench/report_floor.py: one plain pass over each fact table grouped
   as the report needs, plus the same write-only cells);
3. on the largest national dataset (PostgreSQL when reachable), against gunicorn started with
   config/gunicorn.conf.py (bench/serving.py): each main page signed in as the role that uses
   it, one client at a time; the floor (the same HTML served by the same gunicorn,
   bench/floor.py); locust headless (bench/locustfile.py) with --concurrency clients back to
   back and --users users thinking --think seconds between pages; the workers' peak memory;
4. writes bench/results.json and bench/results.md and prints the table.

`--serving` instead measures a short closed loop per gunicorn worker class / workers /
threads (how config/gunicorn.conf.py was chosen). Only loopback addresses are used.
`python bench/run.py --quick` is a short run on small datasets.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import report_floor
import serving

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BIN = Path(sys.executable).parent
HFM = str(BIN / "hfm")
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
TARGETS = {  # issue 20's, on the national dataset on PostgreSQL
    "pilot_report_s": 1.0,
    "national_report_s": 1.0,  # each variant
    "national_peak_mb": 300.0,
    "doubling_ratio": 2.2,
    "floor_ratio": 2.0,  # report / its independent floor
    "page_p95_ms": 50.0,  # each main page, one client
    "think_p95_ms": 100.0,  # 200 users with 5 s think time, no errors
    "closed_p95_ms": 300.0,  # 20 clients back to back
    "closed_per_second": 70.0,
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
    if kind != "pilot" and (args.authorities, args.years) != (300, 10):  # --quick's are smaller
        name += f"-{args.authorities}x{args.years}"
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


def measure_report(url: str, repeat: int, timeout: float | None = None) -> dict:
    """The report child's figures; after `timeout` seconds it is stopped and what it had
    measured by then (the floor, the runs that finished) is kept, marked timed out."""
    env = {**os.environ, "HFM_ENV": "development"}
    command = [sys.executable, __file__, "_report", url, str(repeat)]
    try:
        out = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as stopped:
        text = stopped.stdout.decode() if isinstance(stopped.stdout, bytes) else stopped.stdout or ""
        partial = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
        return {"timed_out_after_s": timeout, "partial": partial}
    if out.returncode:
        raise SystemExit(f"measuring the report on {url} failed:\n{out.stderr}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    try:
        memory = subprocess.run(
            [sys.executable, __file__, "_memory", url],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        result["python_peak_mb"] = None  # tracemalloc's run did not finish in time
        return result
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
            from app.reporting.models import VARIANTS

            quarter = service.report_quarters()[0]
            floor_seconds, floor_rows = report_floor.plain_passes(db.engine, quarter)
            print(json.dumps({"plain_pass_seconds": floor_seconds}), flush=True)
            variants = {}
            for variant in VARIANTS:
                statements: list = []

                def capture(conn, cursor, statement, parameters, context, executemany):
                    statements.append((statement, parameters, executemany))  # noqa: B023

                times = []
                for attempt in range(repeat):
                    if attempt == 0:
                        event.listen(db.engine, "before_cursor_execute", capture)
                    started = time.perf_counter()
                    run = service.run_quarterly(quarter, variant, "bench")
                    times.append(time.perf_counter() - started)
                    print(json.dumps({"variant": variant, "report_seconds": times[-1]}), flush=True)
                    if attempt == 0:
                        event.remove(db.engine, "before_cursor_execute", capture)
                    assert run.status == "succeeded", run.error
                    path = service.file_path(run)
                sql_seconds, distinct = _sql_alone(db.engine, statements)
                cells, write_seconds = report_floor.write_only_same_cells(path)
                variants[variant] = {
                    "report_seconds": statistics.median(times),
                    "report_seconds_all": times,
                    "statements": len(statements),
                    "distinct_selects": distinct,
                    "sql_alone_seconds": sql_seconds,
                    "cells": cells,
                    "write_only_seconds": write_seconds,
                    "limit_seconds": sql_seconds + write_seconds,
                    "floor_seconds": floor_seconds + write_seconds,
                }
            rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    first = variants[VARIANTS[0]]  # the fields of earlier results.json: the taskforce variant
    print(
        json.dumps(
            {
                "quarter": quarter.slug,
                **first,
                "variants": variants,
                "plain_pass_seconds": floor_seconds,
                "plain_pass_rows": floor_rows,
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


def ensure_users(url: str, count: int, authorities: int) -> None:
    """Accounts for locust's users: a sign-in ends the user's other sessions, so each
    simulated user signs in with an account of its own (bench/locustfile.py names them)."""
    out = subprocess.run(
        [sys.executable, __file__, "_users", url, str(count), str(authorities)],
        env={**os.environ, "HFM_ENV": "development"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(f"making the bench's accounts on {url} failed:\n{out.stderr}")


def _users_child(url: str, count: int, authorities: int) -> None:
    from sqlalchemy import select, update

    with tempfile.TemporaryDirectory() as folder:
        app = _app(url, folder)
        with app.app_context():
            from app.accounts import service as accounts
            from app.accounts.models import User
            from app.demo.scale import gss_code
            from app.extensions import db
            from app.unit_of_work import unit_of_work

            with unit_of_work():
                # the demo password's hash, shared: hashing it 800 times would take minutes
                demo = select(User.password_hash).where(User.email == "finance@scale.invalid")
                known = db.session.scalar(demo)
                made = []
                for role in ("finance", "taskforce", "mhclg", "authority_lead"):
                    for index in range(count):
                        email = f"bench.{role.split('_')[-1]}.{index:03d}@scale.invalid"
                        if accounts.get_user_by_email(email):
                            continue
                        gss = gss_code(index % authorities) if role == "authority_lead" else None
                        made.append(accounts.create_user(email, role, gss, actor="bench").id)
                if made:
                    db.session.execute(update(User).where(User.id.in_(made)).values(password_hash=known))


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


# ---- the run ------------------------------------------------------------------------------------


def _ms(value) -> str:
    return "-" if value is None else f"{value:.0f}"


def _mb(value) -> str:
    return "-" if value is None else f"{value:.0f}"


def verdicts(results: dict) -> list[tuple[str, str, bool | None]]:
    rows = []
    reports = results["reports"]
    for backend in ("sqlite", "postgresql"):
        for name, report in reports.items():
            if name.startswith(backend) and "timed_out_after_s" in report:
                done = [p["report_seconds"] for p in report["partial"] if "report_seconds" in p]
                rows.append(
                    (
                        f"{name}: report measured within {report['timed_out_after_s']:.0f} s",
                        "stopped"
                        + (f" (finished runs: {', '.join(f'{t:.1f}' for t in done)} s)" * bool(done)),
                        False,
                    )
                )
        reports_done = {k: v for k, v in reports.items() if "timed_out_after_s" not in v}
        pilot = reports_done.get(f"{backend} pilot")
        if pilot:
            rows.append(
                (
                    f"{backend}: pilot report < 1 s",
                    f"{pilot['report_seconds']:.2f} s",
                    pilot["report_seconds"] < TARGETS["pilot_report_s"],
                )
            )
        sizes = sorted(int(k.rsplit(" ", 1)[1]) for k in reports_done if k.startswith(f"{backend} national"))
        if not sizes:
            continue
        big = reports_done[f"{backend} national {sizes[-1]}"]
        for variant, figures in big.get("variants", {}).items():
            rows += [
                (
                    f"{backend}: national {sizes[-1]:,} {variant} report < 1 s",
                    f"{figures['report_seconds']:.2f} s",
                    figures["report_seconds"] < TARGETS["national_report_s"],
                ),
                (
                    f"{backend}: national {sizes[-1]:,} {variant} report <= 2 x independent floor",
                    f"{figures['report_seconds'] / figures['floor_seconds']:.2f} x "
                    f"(floor {figures['floor_seconds']:.2f} s)",
                    figures["report_seconds"] <= TARGETS["floor_ratio"] * figures["floor_seconds"],
                ),
            ]
        rows.append(
            (
                f"{backend}: national {sizes[-1]:,} report peak memory < 300 MB",
                f"{big['peak_rss_mb']:.0f} MB RSS (Python allocations {_mb(big.get('python_peak_mb'))} MB)",
                big["peak_rss_mb"] < TARGETS["national_peak_mb"],
            )
        )
        if len(sizes) > 1:
            small = reports_done[f"{backend} national {sizes[0]}"]
            ratio = big["report_seconds"] / small["report_seconds"]
            rows.append(
                (
                    f"{backend}: doubling data <= 2.2 x report time",
                    f"{ratio:.2f} x",
                    ratio <= TARGETS["doubling_ratio"],
                )
            )
    pages = results.get("pages")
    if pages:
        for name, page in pages["one_client"].items():
            rows.append(
                (
                    f"{name}, one client: p95 < 50 ms",
                    f"{_ms(page['p95_ms'])} ms",
                    not page["errors"] and (page["p95_ms"] or 1e9) < TARGETS["page_p95_ms"],
                )
            )
    if pages and "load" in pages:
        closed, think = pages["load"]["closed_loop"]["all pages"], pages["load"]["think_time"]["all pages"]
        users = pages["load"]["think_time"]["users"]
        clients = pages["load"]["closed_loop"]["users"]
        rows += [
            (
                f"{users} users, think time: p95 < 100 ms",
                f"{_ms(think['p95_ms'])} ms",
                think["p95_ms"] is not None and think["p95_ms"] < TARGETS["think_p95_ms"],
            ),
            (f"{users} users, think time: no errors", str(think["errors"]), think["errors"] == 0),
            (
                f"{clients} clients back to back: p95 < 300 ms",
                f"{_ms(closed['p95_ms'])} ms",
                closed["p95_ms"] is not None and closed["p95_ms"] < TARGETS["closed_p95_ms"],
            ),
            (
                f"{clients} clients back to back: >= 70 requests/s",
                f"{closed['per_second']:.1f}/s",
                closed["per_second"] >= TARGETS["closed_per_second"],
            ),
            (f"{clients} clients back to back: no errors", str(closed["errors"]), closed["errors"] == 0),
        ]
    return rows


def markdown(results: dict) -> str:
    lines = [
        f"# Benchmark results ({results['finished_at']})",
        "",
        f"Machine: {results['machine']}"
        + (" (quick run: small datasets, short)" if results["options"]["quick"] else ""),
        "",
        "## Quarterly report",
        "",
        "Report: a real `run_quarterly` (median of the runs). SQL alone: the report's own distinct "
        "SELECTs on a raw cursor. Independent floor: one plain pass over each fact table grouped as "
        "the report needs (bench/report_floor.py) plus openpyxl write-only of the same cells.",
        "",
        "| Dataset | Quarter | Variant | Report (s) | SQL alone (s) | Plain passes (s) "
        "| Write-only cells (s) | Floor (s) | Report / floor | Cells | Statements | Peak RSS (MB) "
        "| Python peak (MB) |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in results["reports"].items():
        if "timed_out_after_s" in r:
            runs = [p for p in r["partial"] if "variant" in p]
            done = ", ".join(f"{p['variant']} {p['report_seconds']:.1f} s" for p in runs)
            lines.append(
                f"| {name} | | all | stopped after {r['timed_out_after_s']:.0f} s"
                + (f" (finished: {done})" if done else "")
                + " | | | | | | | | | |"
            )
            continue
        for variant, v in r.get("variants", {"taskforce": r}).items():
            lines.append(
                f"| {name} | {r['quarter']} | {variant} | {v['report_seconds']:.2f} "
                f"| {v['sql_alone_seconds']:.2f} "
                f"| {r.get('plain_pass_seconds', 0):.2f} | {v['write_only_seconds']:.2f} "
                f"| {v['floor_seconds']:.2f} | {v['report_seconds'] / v['floor_seconds']:.2f} "
                f"| {v['cells']:,} | {v['statements']} | {r['peak_rss_mb']:.0f} "
                f"| {_mb(r.get('python_peak_mb'))} |"
            )
    pages = results.get("pages")
    warm = results.get("warm_figures") or {}
    if pages:
        config = pages["serving"]
        lines += [
            "",
            f"## Pages, one client at a time ({pages['dataset']}, gunicorn {config})",
            "",
            f"{pages['requests_per_page']} requests per page after a warm-up (fewer when a page's "
            f"requests take more than {pages.get('page_budget_s', 30):.0f} s), signed in as the role that "
            "uses the page. Floor: the same HTML saved and served as a static answer by the same "
            "gunicorn (bench/floor.py).",
            "",
            f"Before the pages, the published figures were worked out and shared as the scheduler "
            f"does: {warm.get('output') or 'not run'}"
            + (f" ({warm['seconds']} s)." if warm.get("seconds") is not None else "."),
            "",
            "| Page | Role | Requests | p50 (ms) | p95 (ms) | Floor p50 (ms) | Floor p95 (ms) "
            "| p50 / floor | KB | Errors |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, p in pages["one_client"].items():
            f = pages.get("floor", {}).get(name) or {"p50_ms": 0.0, "p95_ms": 0.0}
            ratio = p["p50_ms"] / f["p50_ms"] if f["p50_ms"] else 0
            lines.append(
                f"| {name} | {p['role']} | {p['requests']} | {p['p50_ms']:.1f} | {p['p95_ms']:.1f} "
                f"| {f['p50_ms']:.1f} "
                f"| {f['p95_ms']:.1f} | {ratio:.0f} | {p['bytes'] / 1024:.0f} | {p['errors']} |"
            )
        for key, title in (("closed_loop", "back to back (closed loop)"), ("think_time", "with think time")):
            if "load" not in pages:
                break
            run = pages["load"][key]
            lines += [
                "",
                f"## Pages under load: {run['users']} users {title}"
                + (f", {run['wait_seconds']:.0f} s between pages" if run["wait_seconds"] else "")
                + f", locust headless, {run['measured_seconds']:.0f} s measured",
                "",
                "| Page | Requests | Per second | p50 (ms) | p95 (ms) | p99 (ms) | Errors |",
                "|---|---:|---:|---:|---:|---:|---:|",
            ]
            for name, p in [*run["pages"].items(), ("all pages", run["all pages"])]:
                lines.append(
                    f"| {name} | {p['requests']} | {p['per_second']:.1f} | {_ms(p['p50_ms'])} "
                    f"| {_ms(p['p95_ms'])} | {_ms(p['p99_ms'])} | {p['errors']} |"
                )
        memory = pages.get("load", {}).get("memory") or {"peak_mb_per_worker": 0, "peak_mb_all_workers": 0}
        memory.setdefault("workers", 0)
        lines += [
            "",
            f"Web workers' peak memory (VmHWM) after both loads: {memory['peak_mb_per_worker']:.0f} MB "
            f"per worker at most, {memory['peak_mb_all_workers']:.0f} MB for its "
            f"{memory['workers']} workers.",
        ]
    sweep = results.get("serving_sweep")
    if sweep:
        lines += [
            "",
            f"## gunicorn configurations ({sweep['dataset']}, {sweep['users']} clients back to back, "
            f"{sweep['seconds']:.0f} s each)",
            "",
            "| Worker class | Workers | Threads | Per second | p50 (ms) | p95 (ms) | p99 (ms) | Errors "
            "| Peak MB (all) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in sweep["rows"]:
            lines.append(
                f"| {row['worker_class']} | {row['workers']} | {row.get('threads', 1)} "
                f"| {row['per_second']:.1f} "
                f"| {_ms(row['p50_ms'])} | {_ms(row['p95_ms'])} | {_ms(row['p99_ms'])} | {row['errors']} "
                f"| {row['peak_mb_all_workers']:.0f} |"
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
    parser.add_argument("--repeat", type=int, default=3, help="report runs per dataset and variant (median)")
    parser.add_argument(
        "--report-timeout", type=float, default=300, help="seconds before a report measurement is stopped"
    )
    parser.add_argument("--page-requests", type=int, default=50, help="requests per page, one client")
    parser.add_argument(
        "--page-budget", type=float, default=30, help="seconds a page may take (at least one request)"
    )
    parser.add_argument("--duration", type=float, default=60, help="closed-loop seconds")
    parser.add_argument("--concurrency", type=int, default=20, help="closed-loop clients")
    parser.add_argument("--users", type=int, default=200, help="users with think time")
    parser.add_argument("--think", type=float, default=5, help="seconds between a user's pages")
    parser.add_argument("--think-duration", type=float, default=60, help="think-time seconds measured")
    parser.add_argument("--skip-pages", default="", help="main pages left out, by name, comma-separated")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite datasets")
    parser.add_argument("--no-load", action="store_true", help="skip the page measurements")
    parser.add_argument("--no-reports", action="store_true", help="skip the report measurements")
    parser.add_argument("--prepare-only", action="store_true", help="make the datasets, measure nothing")
    parser.add_argument("--serving", action="store_true", help="compare gunicorn configurations instead")
    parser.add_argument("--sweep-duration", type=float, default=20, help="seconds per configuration")
    parser.add_argument("--rebuild", action="store_true", help="remake the datasets")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small and short: 30 authorities, 12,500 and 25,000 clients, 1 run, short loads",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat, args.duration, args.think_duration = "12500,25000", 1, 10, 15
        args.authorities, args.page_requests, args.users = 30, 20, 50
    sizes = [int(size) for size in args.sizes.split(",")]
    backends = ([] if args.no_sqlite else ["sqlite"]) + (
        [] if args.no_postgres or not postgres_reachable() else ["postgresql"]
    )
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
            if args.prepare_only or args.no_reports or args.serving:
                continue
            print(f"{name}: measuring the report", flush=True)
            report = results["reports"][name] = measure_report(urls[name], args.repeat, args.report_timeout)
            if "timed_out_after_s" in report:
                print(f"  stopped after {args.report_timeout:.0f} s: {report['partial']}", flush=True)
            else:
                print(f"  {report['report_seconds']:.2f} s", flush=True)
    if args.prepare_only:
        return
    out = "serving" if args.serving else "results"
    if not args.serving:
        save(results, out, final=False)  # what is measured so far, should the rest not finish
    name = f"{backends[-1]} national {sizes[-1]}"
    if args.serving:
        print(f"gunicorn configurations on {name}", flush=True)
        ensure_users(urls[name], args.concurrency, args.authorities)
        results["serving_sweep"] = {
            "dataset": name,
            "users": args.concurrency,
            "seconds": args.sweep_duration,
            "rows": serving.serving_sweep(urls[name], args),
        }
    elif not args.no_load:
        chosen = serving_config()
        print(f"pages on {name}, gunicorn {chosen}: one client at a time", flush=True)
        skip = set(filter(None, args.skip_pages.split(",")))
        pages = {k: v for k, v in serving.MAIN_PAGES.items() if k not in skip}
        results["warm_figures"] = warm_figures(urls[name])
        with serving.Server(urls[name]) as server:
            one, saved = serving.one_client(server.base, pages, args.page_requests, args.page_budget)
        results["pages"] = {
            "dataset": name,
            "serving": chosen,
            "requests_per_page": args.page_requests,
            "page_budget_s": args.page_budget,
            "one_client": one,
        }
        print("  the floor", flush=True)
        results["pages"]["floor"] = serving.floor(urls[name], saved, pages, args.page_requests)
        save(results, out, final=False)
        ensure_users(urls[name], max(args.users, args.concurrency), args.authorities)
        print(
            f"  locust: {args.concurrency} clients back to back, {args.users} users thinking",
            flush=True,
        )
        results["pages"]["load"] = serving.load(urls[name], args)
    print(save(results, out, final=True))


def warm_figures(url: str) -> dict:
    """What the scheduler does in production before any page asks: the published figures of
    every quarter worked out and shared (`hfm report warm-figures`; PostgreSQL only)."""
    if not url.startswith("postgresql"):
        return {"seconds": None, "output": "not on SQLite (no shared figures)"}
    print("  the published figures, as the scheduler works them out", flush=True)
    started = time.monotonic()
    done = subprocess.run(
        [str(BIN / "hfm"), "report", "warm-figures"],
        env={**os.environ, "DATABASE_URL": url, "HFM_ENV": "development"},
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.monotonic() - started
    print(f"  {done.stdout.strip() or done.stderr.strip()[-300:]} ({took:.1f} s)", flush=True)
    return {"seconds": round(took, 1), "output": (done.stdout or done.stderr).strip()[-500:]}


def save(results: dict, out: str, final: bool) -> str:
    """Write bench/<out>.json and .md (a partial run says so); the table."""
    results["finished_at"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()) + (
        "" if final else ", partial: the run was still going"
    )
    results["verdicts"] = verdicts(results)
    (BENCH / f"{out}.json").write_text(json.dumps(results, indent=2) + "\n")
    table = markdown(results)
    (BENCH / f"{out}.md").write_text(table)
    return table


def serving_config() -> str:
    """What config/gunicorn.conf.py chooses (with this environment), in words."""
    import runpy

    before = dict(os.environ)
    values = runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
    pool = os.environ["DB_POOL_SIZE"]
    os.environ.clear()
    os.environ.update(before)
    threads = f" x {values['threads']} threads" if values["worker_class"] == "gthread" else ""
    return f"{values['worker_class']}, {values['workers']} workers{threads}, pool {pool}"


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_report":
        _report_child(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "_users":
        _users_child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif len(sys.argv) > 1 and sys.argv[1] == "_memory":
        _memory_child(sys.argv[2])
    else:
        main()
