"""Which processes are alive, so a claim belongs to a live process (a lease with a heartbeat).

A scheduler (and `hfm report quarterly`) registers a SchedulerProcess row and a heartbeat
thread moves its heartbeat_at on every SCHEDULER_HEARTBEAT_SECONDS. Every claim (an edition,
a run, a job run, a requested run) records its owner's token. A claim whose owner has not
beaten within SCHEDULER_LEASE_SECONDS belongs to a dead process: the next scheduler gives it
up at once (no waiting an hour), while a live owner's claim is never taken. On the same
machine a process that is gone (its pid no longer exists) is dead at once, lease or not. Works the same on
SQLite and PostgreSQL. The web pages read the newest scheduler heartbeat to say whether a
scheduler is running at all.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from app.clock import utcnow
from app.extensions import db
from app.reporting.models import SchedulerProcess

KIND_SCHEDULER = "scheduler"
FORGET_DEAD_AFTER = timedelta(days=7)  # old process rows are only history

_token: str | None = None
_kind = KIND_SCHEDULER
_token_lock = threading.Lock()
_beat_lock = threading.Lock()


def token() -> str | None:
    """This process's token, once it has registered (None in a web worker)."""
    return _token


def ensure_token(kind: str = KIND_SCHEDULER) -> str:
    """Register this process if it has not (a job called directly, as tests do)."""
    global _token, _kind
    with _token_lock:
        if _token is None:
            _token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
            _kind = kind
    beat()
    return _token


def beat() -> None:
    """Move this process's heartbeat on (inserting its row if it is missing) and commit."""
    if _token is None:
        return
    with _beat_lock:  # threads of one process share its row
        now = utcnow()
        row = db.session.get(SchedulerProcess, _token)
        if row is None:
            db.session.add(
                SchedulerProcess(
                    token=_token,
                    kind=_kind,
                    hostname=socket.gethostname()[:254],
                    pid=os.getpid(),
                    started_at=now,
                    heartbeat_at=now,
                )
            )
        else:
            row.heartbeat_at = now
        try:
            db.session.commit()
        except IntegrityError:  # inserted by another session of this process a moment ago
            db.session.rollback()
            db.session.execute(
                update(SchedulerProcess).where(SchedulerProcess.token == _token).values(heartbeat_at=now)
            )
            db.session.commit()


def lease() -> timedelta:
    return timedelta(seconds=current_app.config["SCHEDULER_LEASE_SECONDS"])


def live_tokens() -> set[str]:
    """Tokens of processes whose heartbeat is within the lease (this process always counts),
    less those of this machine whose process is gone: a scheduler restarted after a kill
    takes over at once instead of waiting for the dead one's lease to run out."""
    cutoff = utcnow() - lease()
    here = socket.gethostname()[:254]
    rows = db.session.execute(
        select(SchedulerProcess.token, SchedulerProcess.hostname, SchedulerProcess.pid).where(
            SchedulerProcess.heartbeat_at >= cutoff
        )
    )
    tokens = {token for token, hostname, pid in rows if not (hostname == here and _gone(pid))}
    if _token is not None:
        tokens.add(_token)
    return tokens


def _gone(pid: int) -> bool:
    """No process with this id runs on this machine (a reused id counts as alive: the
    lease then decides, as for another machine's process)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:  # it exists, under another user
        return False
    return False


def is_live(owner: str | None) -> bool:
    return owner is not None and owner in live_tokens()


def last_scheduler_heartbeat() -> datetime | None:
    return db.session.scalar(
        select(func.max(SchedulerProcess.heartbeat_at)).where(SchedulerProcess.kind == KIND_SCHEDULER)
    )


def scheduler_is_running() -> bool:
    """A scheduler has reported in within SCHEDULER_ALIVE_SECONDS."""
    last = last_scheduler_heartbeat()
    limit = timedelta(seconds=current_app.config["SCHEDULER_ALIVE_SECONDS"])
    return last is not None and utcnow() - last <= limit


def _forget_long_dead() -> None:
    db.session.execute(
        delete(SchedulerProcess).where(SchedulerProcess.heartbeat_at < utcnow() - FORGET_DEAD_AFTER)
    )
    db.session.commit()


@contextmanager
def alive(app: Flask, kind: str = KIND_SCHEDULER) -> Iterator[str]:
    """Register this process and beat in a thread of its own until the block ends."""
    global _token
    registered = ensure_token(kind)
    _forget_long_dead()
    stop = threading.Event()
    interval = app.config["SCHEDULER_HEARTBEAT_SECONDS"]

    def heartbeat() -> None:
        while not stop.wait(interval):
            with app.app_context():
                try:
                    beat()
                except Exception:  # a busy database: the next beat tries again
                    app.logger.warning("Heartbeat not recorded; the next one tries again", exc_info=True)
                finally:
                    db.session.remove()  # closing rolls back whatever the failed beat left

    thread = threading.Thread(target=heartbeat, name="hfm-heartbeat", daemon=True)
    thread.start()
    try:
        yield registered
    finally:
        stop.set()
        thread.join(timeout=interval + 5)
        db.session.rollback()
        db.session.execute(delete(SchedulerProcess).where(SchedulerProcess.token == _token))
        db.session.commit()
        with _token_lock:
            _token = None
