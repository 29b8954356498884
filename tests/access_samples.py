"""The table behind tests/test_access_matrix.py: who may call each endpoint.

ROUTES maps "endpoint" (or "endpoint METHOD") to the roles that get access. Endpoints whose
URL names an authority's object are tried by the Birmingham lead on Coventry's object too,
and must answer 403 (set "scoped": False for a URL whose parameter is not an authority's).
SAMPLE_BUILDERS make objects for Birmingham ("own") and Coventry ("other") and give the
values for each URL parameter.
"""

from __future__ import annotations

ANON = "anonymous"
ROLES = ("admin", "finance", "lead", "taskforce", "mhclg")
EVERYONE = set(ROLES)
ADMIN = {"admin"}
BCC = {"admin", "finance"}

PUBLIC = {
    "accounts.login",
    "programme.health",
    "accounts.reset_password",
    "home.accessibility",
    "home.privacy",
    "home.cookies",
}

ROUTES: dict[str, dict] = {
    "home.home": {"roles": EVERYONE},
    "home.accessibility": {"roles": EVERYONE},
    "home.privacy": {"roles": EVERYONE},
    "home.cookies": {"roles": EVERYONE},
    "programme.overview": {"roles": EVERYONE},
    "programme.health": {"roles": EVERYONE},
    "accounts.login": {"roles": EVERYONE},
    "accounts.logout": {"roles": EVERYONE, "signs_out": True},
    "accounts.users": {"roles": ADMIN},
    "accounts.create_user": {"roles": ADMIN},
    "accounts.unlock_user": {"roles": ADMIN, "scoped": False},
    "accounts.audit_log": {"roles": ADMIN},
    "accounts.user_page": {"roles": ADMIN, "scoped": False},
    "accounts.change_role": {"roles": ADMIN, "scoped": False},
    "accounts.deactivate_user": {"roles": ADMIN, "scoped": False},
    "accounts.reactivate_user": {"roles": ADMIN, "scoped": False},
    "accounts.send_password_reset": {"roles": ADMIN, "scoped": False},
    "accounts.reset_password": {"roles": EVERYONE, "scoped": False},
    "returns.index": {"roles": BCC | {"lead"}},
    "returns.months": {"roles": BCC | {"lead"}},
    "returns.edit GET": {"roles": BCC | {"lead"}},
    "returns.edit POST": {"roles": {"lead"}},  # BCC read returns; only the lead types figures
    "returns.decide": {"roles": BCC},  # sample decision: approve
    "returns.template": {"roles": BCC | {"lead"}},
    "returns.upload": {"roles": {"lead"}},
    "returns.review": {"roles": BCC},
    "returns.check": {"roles": {"lead"}},
    "finance.review_return": {"roles": BCC},
    "returns.reporting_rate": {"roles": {"admin", "finance", "taskforce", "mhclg"}},
    "clients.register_home": {"roles": {"admin", "lead"}},
    "clients.register": {"roles": {"admin", "lead"}},
    "clients.add_client": {"roles": {"admin", "lead"}},
    "clients.show_client": {"roles": {"admin", "lead"}},
    "clients.edit_client": {"roles": {"admin", "lead"}},
    "clients.add_tenancy": {"roles": {"admin", "lead"}},
    "clients.end_tenancy": {"roles": {"admin", "lead"}},
    "clients.end_support": {"roles": {"admin", "lead"}},
    "clients.erase_client": {"roles": ADMIN},
    "clients.upload": {"roles": {"admin", "lead"}},
    "clients.download": {"roles": {"admin", "lead"}},
    "clients.programme_outcomes": {"roles": EVERYONE},
    "clients.authority_outcomes": {"roles": EVERYONE},
    "supply.register_home": {"roles": {"admin", "lead"}},
    "supply.register": {"roles": {"admin", "lead"}},
    "supply.add_property": {"roles": {"admin", "lead"}},
    "supply.show_property": {"roles": {"admin", "lead"}},
    "supply.edit_property": {"roles": {"admin", "lead"}},
    "supply.withdraw_property": {"roles": {"admin", "lead"}},
    "supply.link_tenancy": {"roles": {"admin", "lead"}},
    "supply.download": {"roles": {"admin", "lead"}},
    "supply.upload": {"roles": {"admin", "lead"}},
    "supply.figures_page": {"roles": EVERYONE},
    "registers.services": {"roles": EVERYONE},
    "registers.risks": {"roles": EVERYONE},
    "registers.risk": {"roles": EVERYONE},
    "registers.add_service": {"roles": {"admin", "lead"}},
    "registers.edit_service": {"roles": {"admin", "lead"}},
    "registers.add_risk": {"roles": {"admin", "lead"}},
    "registers.edit_risk": {"roles": {"admin", "lead"}},
    "registers.close_risk": {"roles": {"admin", "lead"}},
    "registers.reopen_risk": {"roles": {"admin", "lead"}},
    "fidelity.grid": {"roles": EVERYONE},
    "fidelity.indicators_page": {"roles": EVERYONE},
    "fidelity.authority_history": {"roles": EVERYONE},
    "fidelity.assessment GET": {"roles": EVERYONE},
    "fidelity.assessment POST": {"roles": {"lead"}},  # only the authority's lead scores it
    "fidelity.check": {"roles": {"lead"}},
    "fidelity.moderate": {"roles": ADMIN},
    "fidelity.agree": {"roles": ADMIN},
    "fidelity.template": {"roles": {"lead"}},
    "fidelity.upload": {"roles": {"lead"}},
    "finance.summary": {"roles": EVERYONE},
    "finance.authority": {"roles": BCC | {"lead"}},
    "finance.profile_history": {"roles": BCC},
    "finance.ledger_page": {"roles": BCC},
    "finance.forecast": {"roles": BCC},
    # a lead gets 403 without ?authority= (programme-level tables are not theirs)
    "finance.download": {"roles": {"admin", "finance", "taskforce", "mhclg"}, "scoped": False},
    "finance.reprofile": {"roles": BCC},
    "finance.move_allocation": {"roles": BCC},
    "finance.add_receipt": {"roles": BCC},
    "finance.add_payment": {"roles": BCC},
    "finance.edit_forecast": {"roles": BCC},
    "finance.clear_forecast": {"roles": BCC},
    # leads get no Reports pages unless LEADS_MAY_DOWNLOAD_REPORTS (false by default)
    "reporting.reports": {"roles": {"admin", "finance", "taskforce", "mhclg"}},
    "reporting.run_page": {"roles": {"admin", "finance", "taskforce", "mhclg"}, "scoped": False},
    "reporting.download": {"roles": {"admin", "finance", "taskforce", "mhclg"}, "scoped": False},
    "reporting.publish": {"roles": ADMIN, "scoped": False},
    "reporting.withdraw": {"roles": ADMIN, "scoped": False},
    "reporting.request_page": {"roles": BCC, "scoped": False},
    "reporting.generate": {"roles": ADMIN},
    "reporting.jobs_page": {"roles": ADMIN},
}


def expected_for(endpoint: str, method: str) -> dict | None:
    return ROUTES.get(f"{endpoint} {method}") or ROUTES.get(endpoint)


def _own():
    from tests.conftest import LEAD_GSS

    return _values(LEAD_GSS)


def _other():
    from tests.conftest import OTHER_GSS

    return _values(OTHER_GSS)


def _values(gss: str) -> dict:
    from app.accounts.service import get_user_by_email

    return {
        "gss": gss,
        "user_id": get_user_by_email("finance@test.invalid").id,
        "month_text": "2019-07",
        "token": "not-a-valid-link",
        "decision": "approve",
        "gss_code": gss,
        "year": "2019-20",
        "name": "spend-against-profile",
        "file_format": "csv",
        **_report_samples(),
        **_client_sample(gss),
        **_register_samples(gss),
        **_property_sample(gss),
        **_fidelity_samples(gss),
    }


def _property_sample(gss: str) -> dict:
    """A property of the authority (URL value property_ref)."""
    from datetime import date

    from app.programme.service import authority_by_gss
    from app.supply import service

    home = service.create_property(
        authority_by_gss(gss), {"source": "council", "bedrooms": 1, "available_from": date(2019, 4, 1)}
    )
    return {"property_ref": home.reference}


def _register_samples(gss: str) -> dict:
    from datetime import date

    from app.programme.service import authority_by_gss
    from app.registers import service

    authority_id = authority_by_gss(gss).id
    entry = service.create_service(
        service.ServiceValues(
            authority_id=authority_id,
            provider_name=f"Sample provider {gss}",
            service_type="nursing",
            contract_value_pence=100,
            start_date=date(2020, 4, 1),
            end_date=date(2021, 3, 31),
            capacity_people=1,
            status="active",
        ),
        actor="test",
    )
    risk = service.create_risk(
        service.RiskValues(
            kind="risk",
            authority_id=authority_id,
            title=f"Sample risk {gss}",
            description="d",
            likelihood=1,
            impact=1,
            owner_role="Lead",
            mitigation="m",
            review_date=date(2030, 1, 1),
        ),
        actor="test",
    )
    return {"service_id": entry.id, "risk_id": risk.id}


def _fidelity_samples(gss: str) -> dict:
    """A submitted self-assessment for 2019-20 H2 (the moderation forms need one); the URL
    value is 2019-20 H1, which has none (the lead's form opens empty)."""
    from app.fidelity import service
    from app.periods import HalfYear
    from app.programme.service import authority_by_gss

    authority = authority_by_gss(gss)
    answers = {principle: (3, "Sample evidence") for principle in range(1, 8)}
    assessment = service.save_draft(authority, HalfYear.parse("2019-20-H2"), answers, 0, None)
    service.submit(assessment, assessment.version, None)
    return {"period_text": "2019-20-H1"}


def _client_sample(gss: str) -> dict:
    """A client with an open tenancy in the authority: URL values reference, tenancy_id."""
    from datetime import date

    from app.clients import service
    from app.programme.service import authority_by_gss

    client = service.create_client(
        authority_by_gss(gss),
        {
            "referral_date": date(2019, 5, 1),
            "accepted_date": date(2019, 5, 1),
            "age_band": "25_34",
            "gender": "male",
            "rough_sleeping_band": "1_2y",
        },
    )
    service.add_tenancy(client, date(2019, 6, 1), "council")
    return {"reference": client.reference, "tenancy_id": client.tenancies[0].id}


SAMPLE_BUILDERS = {"own": _own, "other": _other}


def _report_samples() -> dict:
    """A published MHCLG report run (every reader may open and download it; leads neither)
    and a queued "Generate now" request."""
    from app.periods import Quarter
    from app.reporting import editions, requests, service

    quarter = Quarter.parse("2019-20-Q2")
    edition = service.produce_quarter(quarter, "test")
    editions.publish(edition, "test", {"taskforce": "http://t.invalid", "mhclg": "http://m.invalid"})
    mhclg = next(run for run in service.edition_runs(edition) if run.variant == "mhclg")
    request = requests.request_report(quarter, "test")
    return {"run_id": mhclg.id, "request_id": request.id}
