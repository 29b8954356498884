"""The return page shows the client register's figures for the month, read-only."""

from app.clients import service as clients_service
from tests.returns.conftest import URL


def test_panel_shows_month_figures_from_the_clients_area(signed_in, clock, monkeypatch):
    calls = []

    def fake(authority_id, month):
        calls.append((authority_id, str(month)))
        return {"accepted": 4, "housed": 3, "current_tenancies": 27, "exits": {"Evicted": 1}}

    monkeypatch.setattr(clients_service, "month_figures", fake)
    page = signed_in("lead").get(URL).get_data(as_text=True)
    assert calls and calls[0][1] == "2021-05"
    assert "Clients this month (from the client register)" in page
    assert "Current tenancies at month end" in page and ">27<" in page
    assert "Exits: Evicted" in page
    assert 'name="accepted"' not in page  # nobody types what the register knows


def test_panel_uses_the_real_function(signed_in, clock):
    page = signed_in("finance").get(URL).get_data(as_text=True)
    assert "Clients this month (from the client register)" in page
