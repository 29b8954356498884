"""Migration 0014 creates analytics_spend and fills it from the returns already there."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, text

from app import create_app
from app.extensions import db
from app.returns import analytics
from app.returns.models import AnalyticsSpend, AnalyticsSpendYear
from tests.conftest import TEST_SETTINGS


def test_the_migration_fills_the_summary_from_existing_returns(tmp_path):
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}"})
    with app.app_context():
        upgrade(revision="0011")  # before the analytics layer
        connection = db.session.connection()
        connection.execute(
            text(
                "INSERT INTO authority (id, name, gss_code, prefix, units_per_year, hf_support_pence, "
                "other_support_pence, other_support_note) VALUES (1, 'A', 'E1', 'AAA', 10, 0, 0, '')"
            )
        )
        for return_id, month, status in ((1, "2019-05", "approved"), (2, "2019-06", "submitted")):
            connection.execute(
                text(
                    "INSERT INTO monthly_return (id, authority_id, month, status, progress_narrative, "
                    "issues_narrative, warnings_comment, returned_reason, reopened_reason, version, "
                    "created_at, updated_at) VALUES (:id, 1, :month, :status, '', '', '', '', '', 1, "
                    "'2019-06-01 00:00:00', '2019-06-01 00:00:00')"
                ),
                {"id": return_id, "month": month, "status": status},
            )
        lines = [
            (1, "hf_support", "", 100),
            (1, "other_support", "Nursing", 20),
            (1, "other_support", "Other", 3),
        ]
        lines.append((2, "hf_support", "", 7))
        for return_id, strand, category, pence in lines:
            connection.execute(
                text(
                    "INSERT INTO return_spend_line (return_id, strand, category, amount_pence) "
                    "VALUES (:r, :s, :c, :p)"
                ),
                {"r": return_id, "s": strand, "c": category, "p": pence},
            )
        db.session.commit()

        upgrade()
        rows = {
            (row.month, row.strand, row.status): (row.amount_pence, row.line_count)
            for row in db.session.scalars(select(AnalyticsSpend))
        }
        assert rows == {
            ("2019-05", "hf_support", "approved"): (100, 1),
            ("2019-05", "other_support", "approved"): (23, 2),
            ("2019-06", "hf_support", "submitted"): (7, 1),
        }
        years = {
            (row.year_start, row.strand, row.status): (row.amount_pence, row.line_count)
            for row in db.session.scalars(select(AnalyticsSpendYear))
        }
        assert years == {
            (2019, "hf_support", "approved"): (100, 1),
            (2019, "other_support", "approved"): (23, 2),
            (2019, "hf_support", "submitted"): (7, 1),
        }
        assert analytics.differences() == []
        db.session.commit()

        downgrade(revision="0011")
        tables = db.session.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars()
        assert "analytics_spend" not in set(tables)
        db.session.commit()
        upgrade()
        assert db.session.scalar(select(func.count()).select_from(AnalyticsSpend)) == 3
        db.session.remove()
        db.engine.dispose()
