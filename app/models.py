"""Every area's tables, imported in one place so Alembic and create_app see them all."""

from app.areas import area_modules


def import_all() -> None:
    import app.audit  # noqa: F401  (the core's own table)
    import app.figures_cache  # noqa: F401  (the core's data version)
    import app.mail  # noqa: F401  (the core's outbox)

    area_modules("models")
