"""Monthly returns: entry, validation, submit/approve/return, import, reporting rate."""


def init_app(app) -> None:
    """Tell the programme's periods which months have returns (it cannot import this area)."""
    from app.programme import periods
    from app.returns import service

    periods.provide_latest_return_month(app, service.latest_return_month)
