"""One place commits. Services add and flush; the end of a request, a CLI command or a job
commits everything it did together, or rolls all of it back on any error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps

from app.extensions import db


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit what the block did, or roll it all back if it raises."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def committing(function):
    """Decorator form of unit_of_work() for CLI commands and scheduled jobs."""

    @wraps(function)
    def wrapped(*args, **kwargs):
        with unit_of_work():
            return function(*args, **kwargs)

    return wrapped


def end_request(response_status: int | None, error: BaseException | None) -> None:
    """At the end of a request: commit a successful one, roll back anything else."""
    try:
        if error is None and response_status is not None and response_status < 400:
            db.session.commit()
        else:
            db.session.rollback()
    except Exception:
        db.session.rollback()
        raise
