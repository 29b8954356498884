"""Hardening helpers: a snapshot of every table, peak memory of a call, hostile workbooks."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

from sqlalchemy import select

from app.extensions import db


def db_snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, as text, so any change at all shows as a difference."""
    db.session.rollback()
    snapshot = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table)).all()
        snapshot[table.name] = sorted(tuple(repr(value) for value in row) for row in rows)
    db.session.rollback()
    return snapshot


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))


def peak_memory(call):
    """(result, peak bytes allocated by Python while call() ran)."""
    tracemalloc.start()
    try:
        result = call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rezip(
    content: bytes,
    replace: dict[str, bytes] | None = None,
    add: dict[str, bytes] | None = None,
    big_part: tuple[str, int] | None = None,
) -> bytes:
    """A copy of an .xlsx with parts replaced or added; big_part=(name, size) streams a part
    of `size` bytes of XML padding (a zip bomb) without holding it in memory."""
    replace, add = replace or {}, add or {}
    source = zipfile.ZipFile(io.BytesIO(content))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            if big_part and item.filename == big_part[0]:
                _stream_padded(target, item.filename, source.read(item.filename), big_part[1])
                continue
            target.writestr(item.filename, replace.get(item.filename, source.read(item.filename)))
        for name, data in add.items():
            target.writestr(name, data)
    return target_buffer.getvalue()


def _stream_padded(target: zipfile.ZipFile, name: str, original: bytes, size: int) -> None:
    """The original XML with `size` bytes of spaces inside the root element."""
    split = original.index(b">", original.index(b"<worksheet")) + 1
    chunk = b" " * (1024 * 1024)
    with target.open(name, "w", force_zip64=True) as part:
        part.write(original[:split])
        for _ in range(size // len(chunk)):
            part.write(chunk)
        part.write(original[split:])
