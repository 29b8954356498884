"""Figures worked out from the data, kept per process until the data they come from changes.

Issue 20.3: figures may be cached keyed by a data version that every write bumps; a page of
a signed-in user is never cached (pages keep Cache-Control: no-store). The key is:

- the data version: a counter in the database (table data_version), raised in the same
  transaction as every ORM write of a watched model (an area names its models with
  watch()), just before that transaction commits; so every process sees a new version the
  moment the new data is visible, and reading it is one primary-key lookup;
- this process's generation, raised by every flush of a watched model and by the rollback
  of a transaction that wrote one: a figure worked out inside a transaction that wrote (and
  might yet roll back) is never served to anyone after it.

Writes that bypass the ORM (Core statements, `hfm demo scale`) call bump() themselves.
The version is taken before the figures are read, so a figure is never stored under a
version newer than its data. Values are stored pickled (only what this process worked out
itself): each caller gets its own copy.
"""

from __future__ import annotations

import json
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from typing import cast as typed

from flask import current_app
from sqlalchemy import String, Table, Text, delete, event, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.extensions import Model, db

SCOPE = "figures"
MAX_ENTRIES = 512  # per process; the oldest go first

_watched: tuple[type, ...] = ()
_lock = threading.Lock()
_generation = 0
_entries: OrderedDict[tuple, bytes] = OrderedDict()


class DataVersion(Model):
    """One counter per scope, raised by every committed write of the data it covers."""

    __tablename__ = "data_version"

    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    version: Mapped[int]


def watch(*models: type) -> None:
    """Writes of these models change cached figures."""
    global _watched
    _watched = tuple(dict.fromkeys((*_watched, *models)))


def current_version() -> tuple[str, int, int]:
    """(the database, its data version, this process's generation): a process may hold apps
    on several databases (the tests do)."""
    version = db.session.scalar(select(DataVersion.version).where(DataVersion.scope == SCOPE))
    return (str(db.engine.url), version or 0, _generation)


def cached(name: str, arguments: tuple, compute: Callable[[], Any]) -> Any:
    """compute()'s answer, from this process's cache while the data is unchanged."""
    return cached_each(name, [arguments], lambda _missing: {arguments: compute()})[arguments]


def cached_each(
    name: str,
    arguments: list[tuple],
    compute: Callable[[list[tuple]], dict[tuple, Any]],
    shared: bool = False,
) -> dict[tuple, Any]:
    """The answer for each of `arguments`; compute(missing) works out those not cached,
    together (one pass can serve several: a chart's quarters). With `shared` (plain JSON
    data only), answers are also kept in the database for every process (see _shared)."""
    version = current_version()
    with _lock:
        found = {each: _entries.get((name, each, version)) for each in arguments}
        for each, stored in found.items():
            if stored is not None:
                _entries.move_to_end((name, each, version))
    missing = [each for each, stored in found.items() if stored is None]
    shareable = shared and _shareable()
    made: dict[tuple, Any] = _read_shared(name, missing, version[1]) if shareable and missing else {}
    missing = [each for each in missing if each not in made]
    if missing:
        worked_out = compute(missing)
        if shareable:
            _write_shared(name, worked_out, version[1])
        made.update(worked_out)
    if made:
        pickled = {each: pickle.dumps(value) for each, value in made.items()}
        found.update(pickled)
        with _lock:
            _entries.update({(name, each, version): stored for each, stored in pickled.items()})
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
    return {each: pickle.loads(typed(bytes, found[each])) for each in arguments}


# ---- the shared tier: figures in the database, for every process -----------------------------
# Worked out once, by whichever process asks first, and read by the others and after a
# restart: what the national programme's published figures need (minutes of audit). Only on
# PostgreSQL (SQLite is the single-process default, and a second writer there would wait for
# the request's own reader), only when FIGURES_CACHE_SHARED is on, and only from a session
# that has written nothing watched (the figures then rest on committed data alone). Rows of
# older versions of the same figures are deleted as new ones are written.


class SharedFigures(Model):
    __tablename__ = "shared_figures"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    arguments: Mapped[str] = mapped_column(String(200), primary_key=True)  # JSON of the arguments
    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    payload: Mapped[str] = mapped_column(Text)  # JSON (never pickle: the database is not this process)


def sharing() -> bool:
    """Whether figures asked for now would be shared (see above)."""
    return _shareable()


def _shareable() -> bool:
    session = db.session
    return bool(
        current_app.config.get("FIGURES_CACHE_SHARED")
        and db.engine.dialect.name == "postgresql"
        and not session.info.get("figures_changed")
        and not (session.new or session.dirty or session.deleted)
    )


def _argument_text(arguments: tuple) -> str:
    return json.dumps(list(arguments), default=str)


def _read_shared(name: str, wanted: list[tuple], version: int) -> dict[tuple, Any]:
    by_text = {_argument_text(each): each for each in wanted}
    rows = db.session.execute(
        select(SharedFigures.arguments, SharedFigures.payload).where(
            SharedFigures.name == name,
            SharedFigures.version == version,
            SharedFigures.arguments.in_(list(by_text)),
        )
    )
    return {by_text[text]: json.loads(payload) for text, payload in rows}


def _write_shared(name: str, made: dict[tuple, Any], version: int) -> None:
    table = typed(Table, SharedFigures.__table__)
    rows = [
        {"name": name, "arguments": _argument_text(each), "version": version, "payload": json.dumps(value)}
        for each, value in made.items()
    ]
    # its own short transaction: the request's own one is read-only and rolled back
    with db.engine.begin() as connection:
        connection.execute(delete(table).where(table.c.name == name, table.c.version < version))
        connection.execute(postgresql_insert(table).values(rows).on_conflict_do_nothing())


def bump(session: Session | None = None) -> None:
    """Raise the data version in this transaction (for writes the listener does not see)."""
    _new_generation()
    connection = session.connection() if session is not None else db.session.connection()
    table = typed(Table, DataVersion.__table__)
    dialect = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = dialect(table).values(scope=SCOPE, version=1)
    # one statement, so two first writers cannot both insert the row
    connection.execute(
        statement.on_conflict_do_update(index_elements=["scope"], set_={"version": table.c.version + 1})
    )


def clear() -> None:
    with _lock:
        _entries.clear()


def _new_generation(*_args, **_kwargs) -> None:
    global _generation
    with _lock:
        _generation += 1


def _after_flush(session: Session, _context) -> None:
    for objects in (session.new, session.dirty, session.deleted):
        if any(isinstance(thing, _watched) for thing in objects):
            _new_generation()
            session.info["figures_changed"] = True
            return


def _before_commit(session: Session) -> None:
    # raised once, last, so the counter's row lock is held only while the transaction commits
    if session.info.pop("figures_changed", False):
        bump(session)


def _orm_statement(state) -> None:
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete or state.is_insert) and mapper is not None:
        if issubclass(mapper.class_, _watched):
            _new_generation()
            state.session.info["figures_changed"] = True


def _rolled_back(session: Session, previous_transaction) -> None:
    # what this transaction (or savepoint) wrote is gone: figures worked out since are stale
    if session.info.get("figures_changed"):
        _new_generation()
        if previous_transaction.parent is None:
            session.info.pop("figures_changed", None)


event.listen(Session, "after_flush", _after_flush)
event.listen(Session, "before_commit", _before_commit)
event.listen(Session, "do_orm_execute", _orm_statement)
event.listen(Session, "after_soft_rollback", _rolled_back)
