"""Every area's tables, imported in one place so Alembic and create_app see them all."""

from app.accounts.models import AuditEntry, User  # noqa: F401
from app.programme.models import (  # noqa: F401
    Authority,
    GrantTranche,
    ProfileLine,
    ProfileVersion,
    Programme,
)
