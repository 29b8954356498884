"""The registers' demo data: realistic, labelled synthetic, and idempotent."""

from collections import Counter

from app.audit import AuditEntry
from app.extensions import db
from app.programme import service as programme
from app.registers import demo, service
from app.registers.models import Risk, Service
from tests.registers.builders import count


def test_demo_seed_is_realistic_synthetic_and_idempotent(loaded):
    lines = demo.seed()
    assert lines == ["Registers: 16 services commissioned and 11 risks and opportunities added (synthetic)"]
    per_authority = Counter(s.authority.name for s in service.services_commissioned())
    assert set(per_authority) == {a.name for a in programme.authorities()}
    assert all(2 <= number <= 3 for number in per_authority.values())
    assert all("(synthetic)" in s.provider_name for s in service.services_commissioned())
    entries = db.session.query(Risk).all()
    assert 8 <= len(entries) <= 12
    assert {e.kind for e in entries} == {"risk", "opportunity"}
    nsap = next(e for e in entries if "Next Steps" in e.title)
    assert nsap.kind == "opportunity" and "19 properties" in nsap.description
    assert "15 are occupied" in nsap.description
    assert any(e.authority is None for e in entries) and any(e.authority for e in entries)
    assert any(e.status == "closed" for e in entries)
    assert any(e.review_overdue(service.today()) for e in entries)
    before = (count(Service), count(Risk), count(AuditEntry))
    assert demo.seed() == [
        "Registers: 0 services commissioned and 0 risks and opportunities added (synthetic)"
    ]
    assert (count(Service), count(Risk), count(AuditEntry)) == before
