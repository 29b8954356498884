"""published(quarter) of the new disclosure code against the frozen old one, and their times.

    .venv/bin/python bench/disclosure_identity.py sqlite:////tmp/pilot.db sqlite:////tmp/s40.db

For each database (made with `hfm demo seed` or `hfm demo scale`) and each rule (the
settings' one, and --rules such as 10/10), every quarter of the programme's life is published
by the old implementation (the frozen copies tests/clients/reference_disclosure.py and
reference_protected.py: app/disclosure.py and app/clients/protected.py before the speed-ups)
and by the new one, uncached, and json.dumps(..., sort_keys=True) of the two must be equal.
Prints the CPU time (this process) of the latest quarter and of all quarters for each.
--new-only times the new code alone (the old one takes minutes at 300 authorities);
--old-limit skips the old code's remaining quarters once it has taken that many seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _app(url: str, threshold: int | None, base: int | None):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("HFM_ENV", "development")
    sys.path.insert(0, str(ROOT))
    from app import create_app

    app = create_app()
    if threshold is not None:
        app.config["SUPPRESSION_THRESHOLD"] = threshold
    if base is not None:
        app.config["SUPPRESSION_ROUNDING_BASE"] = base
    return app


def _timed(function, quarter) -> tuple[str, float]:
    started = time.process_time()
    text = json.dumps(function(quarter), sort_keys=True)
    return text, time.process_time() - started


def check(url: str, threshold: int | None, base: int | None, args) -> bool:
    new_only, old_limit, verbose, latest_only = args.new_only, args.old_limit, args.verbose, args.latest_only
    app = _app(url, threshold, base)
    with app.app_context():
        from app.clients import protected
        from app.programme import periods
        from tests.clients import reference_protected

        quarters = periods.quarters()
        latest = periods.default_quarter()
        order = [latest] + ([] if latest_only else [quarter for quarter in quarters if quarter != latest])
        new_times, old_times, same, compared = {}, {}, True, 0
        old_texts: dict = {}
        old_spent = 0.0
        for quarter in order:
            new_text, new_times[quarter] = _timed(protected.published_uncached, quarter)
            if verbose:
                print(f"  {quarter.slug} new {new_times[quarter]:.3f} s", flush=True)
            if new_only or old_spent > old_limit:
                continue
            old_text, old_times[quarter] = _timed(reference_protected.published, quarter)
            old_texts[quarter] = old_text
            if verbose:
                print(f"  {quarter.slug} old {old_times[quarter]:.3f} s", flush=True)
            old_spent += old_times[quarter]
            compared += 1
            if old_text != new_text:
                same = False
                print(f"  DIFFERENT: {quarter.slug}", flush=True)
        started = time.process_time()
        together = protected.published_many(quarters)  # the home chart's: one pass for all
        together_time = time.process_time() - started
        texts = {quarter: json.dumps(together[quarter], sort_keys=True) for quarter in quarters}
        if not new_only:
            for quarter, text in texts.items():
                if quarter in old_texts and old_texts[quarter] != text:
                    same = False
                    print(f"  DIFFERENT (all in one pass): {quarter.slug}", flush=True)
        rule = protected.rule()
        label = f"{url.rsplit('/', 1)[-1]} rule {rule.threshold}/{rule.base}"
        print(
            f"{label}: {len(quarters)} quarters, latest {latest.slug}; "
            f"new: latest {new_times[latest]:.3f} s, {len(new_times)} one by one "
            f"{sum(new_times.values()):.3f} s, all in one pass {together_time:.3f} s",
            flush=True,
        )
        if not new_only:
            verdict = "IDENTICAL" if same else "DIFFERENT"
            print(
                f"  old: latest {old_times[latest]:.3f} s, "
                f"{len(old_times)} one by one {sum(old_times.values()):.3f} s "
                f"({compared} of {len(quarters)} quarters compared): {verdict}",
                flush=True,
            )
        return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+", help="database URLs (sqlite:////path or postgresql+psycopg://...)")
    parser.add_argument("--rules", nargs="*", default=[], help="extra rules THRESHOLD/BASE: 10/10 3/1")
    parser.add_argument("--new-only", action="store_true", help="time the new code alone")
    parser.add_argument("--old-limit", type=float, default=float("inf"), help="seconds of old code per run")
    parser.add_argument("--latest-only", action="store_true", help="one by one: the latest quarter only")
    parser.add_argument("--verbose", action="store_true", help="each quarter's time as it goes")
    args = parser.parse_args()
    rules: list[tuple[int | None, int | None]] = [(None, None)]
    rules += [(int(t), int(b)) for t, b in (text.split("/") for text in args.rules)]
    same = True
    for url in args.urls:
        for threshold, base in rules:
            same = check(url, threshold, base, args) and same
    raise SystemExit(0 if same else 1)


if __name__ == "__main__":
    main()
