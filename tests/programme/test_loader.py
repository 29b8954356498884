"""hfm programme load: exact reference data, idempotent, refuses broken files."""

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.audit import AuditEntry
from app.extensions import db
from app.programme import service
from app.programme.models import Authority, ProfileLine, ProfileVersion

SEED_TABLE = {
    # name: (gss, units, hf pence, other pence, total pence), from shared/domain.md
    "Birmingham": ("E08000025", 100, 283965600, 119115000, 403080600),
    "Coventry": ("E08000026", 40, 114862500, 52510000, 167372500),
    "Dudley": ("E08000027", 5, 12762500, 12765000, 25527500),
    "Sandwell": ("E08000028", 20, 57431300, 38880000, 96311300),
    "Solihull": ("E08000029", 10, 28715600, 23815000, 52530600),
    "Walsall": ("E08000030", 32, 89337500, 44480000, 133817500),
    "Wolverhampton": ("E08000031", 18, 51050000, 30310000, 81360000),
}


def _snapshot() -> dict:
    """Every row of every table, to compare database content."""
    content = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        content[table.name] = [tuple(row) for row in rows]
    return content


def test_loaded_reference_data_reconciles_to_the_penny(loaded):
    programme = service.get_programme()
    assert programme.grant_total_pence == 960_000_000
    assert [(t.financial_year, t.amount_pence) for t in programme.tranches] == [
        ("2018-19", 144_000_000),
        ("2019-20", 300_000_000),
        ("2020-21", 516_000_000),
    ]
    authorities = {a.name: a for a in service.authorities()}
    assert set(authorities) == set(SEED_TABLE)
    for name, (gss, units, hf, other, total) in SEED_TABLE.items():
        authority = authorities[name]
        assert (
            authority.gss_code,
            authority.units_per_year,
            authority.hf_support_pence,
            authority.other_support_pence,
            authority.total_pence,
        ) == (gss, units, hf, other, total)
    assert sum(a.units_per_year for a in authorities.values()) == 225
    assert sum(a.hf_support_pence for a in authorities.values()) == 638_125_000
    assert sum(a.other_support_pence for a in authorities.values()) == 321_875_000
    assert sum(a.total_pence for a in authorities.values()) == programme.grant_total_pence


def test_running_the_loader_twice_changes_nothing(app, runner):
    first = runner.invoke(args=["programme", "load"])
    assert first.exit_code == 0, first.output
    assert "created profile version 1" in first.output
    before = _snapshot()
    second = runner.invoke(args=["programme", "load"])
    assert second.exit_code == 0, second.output
    assert "No changes" in second.output
    db.session.expire_all()
    assert _snapshot() == before


def _write(tmp_path: Path, source: str) -> Path:
    path = tmp_path / "programme.toml"
    path.write_text(source)
    return path


def _original(app) -> str:
    return Path(app.config["PROGRAMME_FILE"]).read_text()


def test_a_changed_value_is_updated_and_audited(loaded, tmp_path):
    source = _original(loaded).replace("units_per_year = 5\n", "units_per_year = 6\n")
    changes = service.load_programme(_write(tmp_path, source))
    assert any("units_per_year" in change for change in changes)
    assert service.authority_by_gss("E08000027").units_per_year == 6
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.field == "units_per_year"))
    assert (entry.object_id, entry.old_value, entry.new_value) == ("E08000027", "5", "6")
    # units do not move money: still one profile version
    assert db.session.scalar(select(func.count(ProfileVersion.id))) == 1


def test_a_changed_allocation_makes_a_new_profile_version(loaded, tmp_path):
    source = _original(loaded)
    source = source.replace('hf_support = "127625.00"', 'hf_support = "127725.00"')
    source = source.replace('hf_support = "2839656.00"', 'hf_support = "2839556.00"')
    service.load_programme(_write(tmp_path, source))
    version = service.current_profile_version()
    assert version.number == 2
    totals = db.session.execute(
        select(ProfileLine.authority_id, func.sum(ProfileLine.amount_pence))
        .where(ProfileLine.version_id == version.id)
        .group_by(ProfileLine.authority_id)
    ).all()
    by_id = {a.id: a.total_pence for a in service.authorities()}
    assert {authority_id: int(total) for authority_id, total in totals} == by_id


@pytest.mark.parametrize(
    "change, message",
    [
        (
            ('amount = "3000000.00"', 'amount = "3000001.00"'),
            "the grant profile adds up to £9,600,001.00 but the grant is £9,600,000.00 (difference £1.00)",
        ),
        (
            ('hf_support = "510500.00"', 'hf_support = "510400.00"'),
            "the authorities' allocations add up to £9,599,900.00 but the grant is £9,600,000.00 "
            "(difference -£100.00)",
        ),
        (('amount = "3000000.00"', 'amount = "three million"'), "is not an amount in pounds and pence"),
        (('gss_code = "E08000026"', 'gss_code = "E08000025"'), "GSS code repeated: E08000025"),
        (("[programme]", "[programme"), "is not valid TOML"),
        (('name = "Dudley"\n', ""), "missing 'name'"),
    ],
)
def test_a_broken_file_is_refused_and_writes_nothing(loaded, runner, tmp_path, change, message):
    before = _snapshot()
    path = _write(tmp_path, _original(loaded).replace(*change))
    result = runner.invoke(args=["programme", "load", "--file", str(path)])
    assert result.exit_code != 0
    assert message in result.output
    db.session.expire_all()
    assert _snapshot() == before


def test_a_broken_file_writes_nothing_into_an_empty_database(app, runner, tmp_path):
    path = _write(tmp_path, _original(app).replace('amount = "1440000.00"', 'amount = "1440000.01"'))
    result = runner.invoke(args=["programme", "load", "--file", str(path)])
    assert result.exit_code != 0
    assert "difference £0.01" in result.output
    assert db.session.scalar(select(func.count(Authority.id))) == 0
    assert db.session.execute(text("SELECT COUNT(*) FROM audit_entry")).scalar() == 0
