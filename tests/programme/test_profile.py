"""The default profile: exact to the penny by year, by authority, by strand and quarter."""

from collections import defaultdict
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from app.programme.apportion import apportion_matrix, largest_remainder
from app.programme.service import default_profile, read_programme_file


def _spec(app):
    return read_programme_file(Path(app.config["PROGRAMME_FILE"]))


def test_default_profile_sums_exactly_by_year_authority_and_strand(app):
    spec = _spec(app)
    rows = default_profile(spec)
    by_year, by_authority, by_strand = defaultdict(int), defaultdict(int), defaultdict(int)
    for gss, quarter, strand, pence in rows:
        assert pence >= 0
        by_year[quarter[:7]] += pence
        by_authority[gss] += pence
        by_strand[(gss, strand)] += pence
    assert dict(by_year) == {"2018-19": 144_000_000, "2019-20": 300_000_000, "2020-21": 516_000_000}
    for authority in spec.authorities:
        assert by_authority[authority.gss_code] == authority.total_pence
        assert by_strand[(authority.gss_code, "hf_support")] == authority.hf_support_pence
        assert by_strand[(authority.gss_code, "other_support")] == authority.other_support_pence
    assert len(rows) == 7 * 3 * 4 * 2


def test_each_year_is_the_authoritys_share_of_the_tranche(app):
    """Birmingham holds 4,030,806/9,600,000 of the grant: 2018-19 is that share of £1.44m."""
    rows = default_profile(_spec(app))
    birmingham_2018 = sum(p for gss, q, _, p in rows if gss == "E08000025" and q.startswith("2018-19"))
    exact = 144_000_000 * 403_080_600 / 960_000_000
    assert abs(birmingham_2018 - exact) < 1
    quarters = [
        sum(p for gss, q, _, p in rows if gss == "E08000025" and q == f"2019-20-Q{n}") for n in (1, 2, 3, 4)
    ]
    assert max(quarters) - min(quarters) <= 2  # split evenly, to the penny per strand


@given(
    st.integers(min_value=0, max_value=10**12),
    st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=12),
)
def test_largest_remainder_is_exact_and_fair(total, weights):
    shares = largest_remainder(total, weights)
    assert sum(shares) == total
    weight_sum = sum(weights)
    for share, weight in zip(shares, weights, strict=True):
        assert abs(share - total * weight / weight_sum) < 1


@given(
    st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=5),
    st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=8),
)
def test_apportion_matrix_rows_and_columns_are_exact(row_weights, column_totals):
    total = sum(column_totals)
    row_totals = largest_remainder(total, row_weights)
    table = apportion_matrix(row_totals, column_totals)
    assert [sum(row) for row in table] == row_totals
    assert [sum(column) for column in zip(*table, strict=True)] == column_totals
