"""Re-profiling and moving allocation: refused changes write nothing; accepted ones are new,
audited versions and the old ones are kept."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.extensions import db
from app.finance import profile as profile_changes
from app.programme import service as programme_service
from app.programme.models import ProfileLine, ProfileVersion
from tests.conftest import post_form
from tests.finance.conftest import BIR, COV

REPROFILE = f"/finance/profile/{BIR}/reprofile"
TRANCHES = {"2018-19": 144_000_000, "2019-20": 300_000_000, "2020-21": 516_000_000}


def _counts():
    return (
        db.session.scalar(select(func.count(ProfileVersion.id))),
        db.session.scalar(select(func.count(ProfileLine.id))),
        db.session.scalar(select(func.count(AuditEntry.id))),
    )


def _form_values(client) -> dict:
    import re

    html = client.get(REPROFILE).get_data(as_text=True)
    return dict(re.findall(r'name="((?:hf|other)_support__[^"]+)"[^>]*value="([^"]*)"', html))


def _year_totals(version=None):
    totals = {}
    for (_, quarter, _), pence in profile_changes.current_lines(version).items():
        totals[quarter[:7]] = totals.get(quarter[:7], 0) + pence
    return {year: total for year, total in totals.items() if total}  # legacy years may hold £0


def test_a_change_that_breaks_the_totals_is_refused_and_writes_nothing(signed_in):
    client = signed_in("finance")
    values = _form_values(client)
    assert len(values) == 40  # 2018-19 to 2022-23 (the legacy years too), two strands
    before = _counts()
    values["hf_support__2019_20_Q1"] = f"{float(values['hf_support__2019_20_Q1']) + 0.01:.2f}"
    response = post_form(client, REPROFILE, {**values, "reason": "More outreach"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert (
        "Birmingham&#39;s HF Support allocation would be £2,839,656.01 but it is £2,839,656.00 "
        "(difference £0.01)" in html
    )
    assert (
        "by the end of 2019-20 the profile would add up to £4,440,000.01 but only £4,440,000.00 of "
        "grant is released by then (difference £0.01)" in html
    )
    assert "difference £0.01)" in html and "the grant is £9,600,000.00" in html
    assert f'value="{values["hf_support__2019_20_Q1"]}"' in html  # keeps what they typed
    assert _counts() == before


def test_an_accepted_reprofile_is_a_new_audited_version_and_the_old_one_is_kept(signed_in):
    client = signed_in("finance")
    old_version = programme_service.current_profile_version()
    old_lines = profile_changes.current_lines(old_version)
    values = _form_values(client)
    q1, q2 = float(values["hf_support__2019_20_Q1"]), float(values["hf_support__2019_20_Q2"])
    values["hf_support__2019_20_Q1"] = f"{q1 - 100:.2f}"
    values["hf_support__2019_20_Q2"] = f"{q2 + 100:.2f}"
    response = post_form(client, REPROFILE, {**values, "reason": "Recruitment slipped to July"})
    assert response.status_code == 302
    new_version = programme_service.current_profile_version()
    assert new_version.number == old_version.number + 1
    assert new_version.reason == "Recruitment slipped to July"
    assert new_version.created_by == "finance@test.invalid"
    assert profile_changes.current_lines(old_version) == old_lines  # the old version is untouched
    new_lines = profile_changes.current_lines(new_version)
    bir = programme_service.authority_by_gss(BIR).id
    key = (bir, "2019-20-Q1", "hf_support")
    assert new_lines[key] == old_lines[key] - 10_000
    assert _year_totals(new_version) == TRANCHES
    audit_rows = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == "profile_version", AuditEntry.object_id == str(new_version.number)
        )
    ).all()
    assert {row.actor for row in audit_rows} == {"finance@test.invalid"}
    assert any(row.field == "reason" and row.new_value == "Recruitment slipped to July" for row in audit_rows)
    assert any(row.field == "Birmingham 2019-20-Q1 HF Support" for row in audit_rows)
    history = client.get("/finance/profile").get_data(as_text=True)
    assert "Recruitment slipped to July" in history and "Default profile from programme.toml" in history


def test_reprofile_needs_a_reason_and_valid_amounts(signed_in):
    client = signed_in("finance")
    values = _form_values(client)
    values["other_support__2020_21_Q4"] = "lots"
    before = _counts()
    html = post_form(client, REPROFILE, {**values, "reason": ""}).get_data(as_text=True)
    assert "Enter the reason for the change" in html
    assert "Enter Other Support 2020-21 Q4 in pounds and pence" in html
    assert 'value="lots"' in html
    assert _counts() == before


def test_move_allocation_keeps_every_year_and_is_a_new_version(signed_in):
    client = signed_in("admin")
    before = profile_changes.current_lines()
    response = post_form(
        client,
        "/finance/profile/move",
        {
            "from_authority": BIR,
            "to_authority": COV,
            "financial_year": "2019-20",
            "strand": "other_support",
            "amount": "1,000.03",
            "reason": "Coventry took over outreach",
        },
    )
    assert response.status_code == 302
    after = profile_changes.current_lines()
    bir, cov = (programme_service.authority_by_gss(g).id for g in (BIR, COV))
    moved = [
        before[(bir, f"2019-20-Q{n}", "other_support")] - after[(bir, f"2019-20-Q{n}", "other_support")]
        for n in (1, 2, 3, 4)
    ]
    assert moved == [25_001, 25_001, 25_001, 25_000]
    assert (
        sum(after[(cov, f"2019-20-Q{n}", "other_support")] for n in (1, 2, 3, 4))
        == sum(before[(cov, f"2019-20-Q{n}", "other_support")] for n in (1, 2, 3, 4)) + 100_003
    )
    assert _year_totals() == TRANCHES
    assert programme_service.current_profile_version().reason == "Coventry took over outreach"


def test_move_more_than_the_authority_has_is_refused(signed_in):
    client = signed_in("finance")
    before = _counts()
    html = post_form(
        client,
        "/finance/profile/move",
        {
            "from_authority": "E08000027",
            "to_authority": COV,
            "financial_year": "2019-20",
            "strand": "hf_support",
            "amount": "900000",
            "reason": "Too much",
        },
    ).get_data(as_text=True)
    assert "Dudley does not have £900,000.00 of HF Support to move in 2019-20" in html
    html = post_form(
        client,
        "/finance/profile/move",
        {
            "from_authority": COV,
            "to_authority": COV,
            "financial_year": "2019-20",
            "strand": "hf_support",
            "amount": "1",
            "reason": "Same",
        },
    ).get_data(as_text=True)
    assert "Select a different authority to move to" in html
    assert _counts() == before


def test_check_totals_names_each_difference(loaded):
    lines = profile_changes.current_lines()
    key = next(k for k in lines if k[1] == "2020-21-Q4")
    lines[key] -= 250
    with pytest.raises(profile_changes.ProfileChangeError) as error:
        profile_changes.check_totals(lines)
    assert str(error.value) == (
        "The profile was not changed: the profile would add up to £9,599,997.50 but the grant is "
        "£9,600,000.00 (difference -£2.50)."
    )
    assert "(difference -£2.50)" in str(error.value).split("; ")[-1]


def test_only_finance_and_admin_change_the_profile(signed_in):
    for role in ("lead", "taskforce", "mhclg"):
        client = signed_in(role)
        assert client.get(REPROFILE).status_code == 403
        assert client.get("/finance/profile/move").status_code == 403
        assert client.get("/finance/profile").status_code == 403


def test_finance_moves_money_into_a_legacy_year_and_each_allocation_still_reconciles(signed_in):
    client = signed_in("finance")
    values = _form_values(client)
    assert values["hf_support__2022_23_Q1"] == "0.00"
    moved = {
        "hf_support__2020_21_Q4": f"{float(values['hf_support__2020_21_Q4']) - 10_000:.2f}",
        "hf_support__2022_23_Q1": "10000.00",
    }
    response = post_form(client, REPROFILE, {**values, **moved, "reason": "Legacy support in 2022-23"})
    assert response.status_code == 302
    totals = _year_totals()
    assert totals["2020-21"] == TRANCHES["2020-21"] - 1_000_000
    assert totals["2022-23"] == 1_000_000
    assert sum(totals.values()) == 960_000_000
    assert programme_service.current_profile_version().reason == "Legacy support in 2022-23"


def test_money_is_never_profiled_before_the_tranche_is_released(signed_in):
    client = signed_in("finance")
    values = _form_values(client)
    earlier = {
        "hf_support__2020_21_Q1": f"{float(values['hf_support__2020_21_Q1']) - 0.01:.2f}",
        "hf_support__2018_19_Q4": f"{float(values['hf_support__2018_19_Q4']) + 0.01:.2f}",
    }
    before = _counts()
    html = post_form(client, REPROFILE, {**values, **earlier, "reason": "Earlier"}).get_data(as_text=True)
    assert (
        "by the end of 2018-19 the profile would add up to £1,440,000.01 but only £1,440,000.00 of "
        "grant is released by then (difference £0.01)" in html
    )
    assert _counts() == before
