"""The quarterly report's independent floor, for bench/run.py.

Written plainly here, not with the report's own queries: one pass over each fact table,
grouped as the report needs its figures (per authority; spend per month, strand and return
status so the quarter, the year to date and the cumulative sums all fold from one pass;
clients per accepted month and their characteristics; tenancies per start and end month and
end reason; support needs; the profile per quarter and strand of its current version;
risks), rows fetched on a raw DB-API cursor and folded in Python; plus openpyxl write-only
writing the report's own cells. A report at most twice this floor is the target.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

# Each statement: one pass over one fact table (joined to its parent for the authority).
PASSES = {
    "spend lines": """
        SELECT r.authority_id, r.month, r.status, l.strand, SUM(l.amount_pence)
        FROM return_spend_line l JOIN monthly_return r ON r.id = l.return_id
        WHERE r.month <= %(last_month)s
        GROUP BY r.authority_id, r.month, r.status, l.strand""",
    "monthly returns": """
        SELECT authority_id, month, status, first_submitted_at, SUM(referrals_received),
               SUM(referrals_declined), SUM(support_workers_fte_tenths)
        FROM monthly_return WHERE month <= %(last_month)s
        GROUP BY authority_id, month, status, first_submitted_at""",
    "clients": """
        SELECT authority_id, SUBSTR(CAST(accepted_date AS TEXT), 1, 7), age_band, gender,
               rough_sleeping_band, support_end_reason,
               SUBSTR(CAST(support_ended_on AS TEXT), 1, 7), COUNT(*)
        FROM client WHERE accepted_date <= %(end)s
        GROUP BY 1, 2, 3, 4, 5, 6, 7""",
    "tenancies": """
        SELECT c.authority_id, SUBSTR(CAST(t.start_date AS TEXT), 1, 7),
               SUBSTR(CAST(t.end_date AS TEXT), 1, 7), t.end_reason, t.tenure, COUNT(*)
        FROM tenancy t JOIN client c ON c.id = t.client_id
        WHERE t.start_date <= %(end)s
        GROUP BY 1, 2, 3, 4, 5""",
    "support needs": """
        SELECT c.authority_id, n.need, COUNT(*)
        FROM client_support_need n JOIN client c ON c.id = n.client_id
        WHERE c.accepted_date <= %(end)s
        GROUP BY 1, 2""",
    "profile": """
        SELECT authority_id, quarter, strand, SUM(amount_pence) FROM profile_line
        WHERE version_id = (SELECT MAX(id) FROM profile_version)
        GROUP BY authority_id, quarter, strand""",
    "risks": "SELECT authority_id, kind, COUNT(*) FROM risk GROUP BY authority_id, kind",
}


def plain_passes(engine, quarter) -> tuple[float, dict]:
    """Seconds for every pass (rows fetched and folded per authority), and rows per pass."""
    parameters = {"last_month": str(quarter.months()[-1]), "end": quarter.end_date.isoformat()}
    sqlite = engine.dialect.name == "sqlite"
    connection = engine.raw_connection()
    rows = {}
    try:
        cursor = connection.cursor()
        started = time.perf_counter()
        for name, statement in PASSES.items():
            if sqlite:  # the DB-API's named style differs
                statement = statement.replace("%(last_month)s", ":last_month").replace("%(end)s", ":end")
            cursor.execute(statement, parameters)
            fetched = cursor.fetchall()
            folded: dict = {}
            for row in fetched:  # fold per authority, as the report's tables are
                folded[row[0]] = folded.get(row[0], 0) + (row[-1] or 0)
            rows[name] = len(fetched)
        elapsed = time.perf_counter() - started
        connection.rollback()
    finally:
        connection.close()
    return elapsed, rows


def write_only_same_cells(path) -> tuple[int, float]:
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
