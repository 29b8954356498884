"""Right to erasure: the rows go; the audit log keeps only the reference and who erased it."""

from datetime import date

from sqlalchemy import func, select

from app.audit import AuditEntry
from app.clients import service
from app.clients.models import Client, ClientSupportNeed, Tenancy
from app.extensions import db
from tests.clients.conftest import BIRMINGHAM
from tests.conftest import ROLE_EMAILS, post_form


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_admin_erases_a_client(signed_in, make):
    client = make(BIRMINGHAM, date(2019, 5, 1), [(date(2019, 6, 1), date(2020, 1, 1), "prison")])
    reference = client.reference
    other = make(BIRMINGHAM, date(2019, 5, 1))
    response = post_form(signed_in("admin"), f"/clients/client/{reference}/erase", {})
    assert response.status_code == 302
    assert _count(Client) == 1 and _count(Tenancy) == 0 and _count(ClientSupportNeed) == 1

    rows = db.session.scalars(select(AuditEntry).where(AuditEntry.object_id == reference)).all()
    assert rows, "the erasure itself is recorded"
    assert all(row.old_value is None and row.new_value is None for row in rows)
    erase = [row for row in rows if row.action == "erase"]
    assert len(erase) == 1 and erase[0].actor == ROLE_EMAILS["admin"]
    # other clients' history is untouched
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.object_id == other.reference, AuditEntry.new_value.is_not(None))
        )
        > 0
    )

    # the reference is never given again
    again = make(BIRMINGHAM, date(2019, 5, 1))
    assert again.reference == "BIR-0003"
    assert service.client_by_reference(reference) is None


def test_a_lead_cannot_erase(signed_in, make):
    client = make(BIRMINGHAM, date(2019, 5, 1))
    lead = signed_in("lead")
    assert lead.get(f"/clients/client/{client.reference}/erase").status_code == 403
    assert _count(Client) == 1
