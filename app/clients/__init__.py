"""The pseudonymised client register, tenancies and outcomes."""


def init_app(app) -> None:
    """Keep the client summary exact on every flush (app/clients/analytics.py); a write of a
    client, tenancy, support need or authority changes the cached outcome figures."""
    import importlib

    from app import figures_cache
    from app.clients.models import Client, ClientSupportNeed, Tenancy
    from app.programme.models import Authority

    importlib.import_module("app.clients.analytics")  # registers the summary's flush listener
    figures_cache.watch(Client, Tenancy, ClientSupportNeed, Authority)
