"""The pseudonymised client register, tenancies and outcomes."""


def init_app(app) -> None:
    """Keep the client summary exact on every flush (app/clients/analytics.py)."""
    import importlib

    importlib.import_module("app.clients.analytics")  # registers the summary's flush listener
