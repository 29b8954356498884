"""Small-number suppression: taskforce and MHCLG see it, leads see exact figures, and no
hidden cell can be recovered from a total."""

from datetime import date

import pytest

from app.clients.suppression import should_suppress, suppress_table
from tests.clients.conftest import BIRMINGHAM, COVENTRY


def _hidden_members_per_sum(table, rows, columns):
    """For each shown sum (each row with its total, each column with its total), how many
    of its members are hidden."""
    counts = []
    for r in range(rows):
        members = table.body[r] + ([table.row_totals[r]] if table.row_totals else [])
        if table.row_totals:
            counts.append(sum(1 for cell in members if cell.hidden))
    for c in range(columns):
        members = [table.body[r][c] for r in range(rows)] + [table.column_totals[c]]
        counts.append(sum(1 for cell in members if cell.hidden))
    if table.row_totals:
        counts.append(sum(1 for cell in table.column_totals + [table.grand_total] if cell.hidden))
    return counts


def test_a_single_small_cell_in_a_column_gets_a_partner(app):
    table = suppress_table([[3], [12], [40]], column_totals=True)
    shown = [str(row[0]) for row in table.body]
    assert shown == ["fewer than 5", "suppressed", "40"]
    assert str(table.column_totals[0]) == "55"
    # the total minus what is shown leaves two unknowns, not one
    assert _hidden_members_per_sum(table, 3, 1) == [2]


def test_no_hidden_cell_can_be_recovered_from_any_total(app):
    body = [[3, 0, 7, 12], [9, 2, 0, 30], [15, 11, 8, 1], [0, 0, 6, 20]]
    table = suppress_table(body, row_totals=True, column_totals=True)
    for count in _hidden_members_per_sum(table, 4, 4):
        assert count != 1
    small = [(r, c) for r in range(4) for c in range(4) if 1 <= body[r][c] < 5]
    assert all(table.body[r][c].hidden == "primary" for r, c in small)
    # every shown figure is the true one
    for r in range(4):
        for c in range(4):
            cell = table.body[r][c]
            assert cell.hidden or str(cell) == f"{body[r][c]:,}"


def test_a_total_that_would_reveal_a_small_cell_is_hidden(app):
    # the only other member of the row is zero: hiding the zero does not help, so the
    # total (which equals the small cell) must go... but it is small itself, so primary.
    table = suppress_table([[2, 0], [10, 10]], row_totals=True, column_totals=True)
    assert table.row_totals[0].hidden
    for count in _hidden_members_per_sum(table, 2, 2):
        assert count != 1


def test_zero_is_shown_and_exact_figures_when_not_suppressing(app):
    table = suppress_table([[0], [3]], column_totals=True, suppress=False)
    assert [str(row[0]) for row in table.body] == ["0", "3"]


def test_should_suppress_by_role(users):
    assert should_suppress(users["taskforce"]) and should_suppress(users["mhclg"])
    for role in ("admin", "finance", "lead"):
        assert not should_suppress(users[role])


@pytest.fixture
def small_numbers(make):
    # Birmingham houses 2 people in 2020-21 Q2, Coventry 7: a programme total of 9.
    for day in (5, 6):
        make(BIRMINGHAM, date(2020, 7, 1), [(date(2020, 7, day), None, None)])
    for day in range(1, 8):
        make(COVENTRY, date(2020, 7, 1), [(date(2020, 8, day), None, None)])


def _row(html: str, name: str) -> str:
    start = html.index(f'<th scope="row" class="govuk-table__header">{name}</th>')
    return html[start : html.index("</tr>", start)]


def test_taskforce_sees_fewer_than_5_and_a_partner_hidden(signed_in, small_numbers):
    page = signed_in("taskforce").get("/clients/outcomes?quarter=2020-21-Q2")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    birmingham, coventry, programme = (_row(html, n) for n in ("Birmingham", "Coventry", "Programme"))
    assert "fewer than 5" in birmingham and ">2<" not in birmingham
    # Coventry's 7 is hidden too, else 9 - 7 would give Birmingham's 2
    assert "suppressed" in coventry and ">7<" not in coventry
    assert ">9<" in programme


def test_taskforce_sees_the_same_suppression_on_an_authority_page(signed_in, small_numbers):
    html = signed_in("mhclg").get(f"/clients/outcomes/{COVENTRY}?quarter=2020-21-Q2").get_data(as_text=True)
    assert "suppressed" in _row(html, "Coventry") and ">7<" not in _row(html, "Coventry")


def test_the_lead_sees_exact_figures(signed_in, small_numbers):
    page = signed_in("lead").get(f"/clients/outcomes/{BIRMINGHAM}?quarter=2020-21-Q2")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "fewer than 5" not in html and "suppressed" not in html
    row = _row(html, "Birmingham")
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">2</td>' in row
