"""Monthly returns: entry, validation, submit/approve/return, import, reporting rate."""


def init_app(app) -> None:
    """Tell the programme's periods which months have returns (it cannot import this area);
    keep the spend summary exact on every flush (app/returns/analytics.py)."""
    import importlib

    from app.programme import periods
    from app.returns import service

    importlib.import_module("app.returns.analytics")  # registers the summary's flush listener

    periods.provide_latest_return_month(app, service.latest_return_month)
