"""analytics: the spend summary tables (authority x month or year x strand x return status)

Filled here from the existing returns; kept exact afterwards by app/returns/analytics.py.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 17:45:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"  # after the supply revision (the branches merged in this order)
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "analytics_spend",
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("strand", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authority.id"], name=op.f("fk_analytics_spend_authority_id_authority")
        ),
        sa.PrimaryKeyConstraint("authority_id", "month", "strand", "status", name=op.f("pk_analytics_spend")),
    )
    op.create_index(op.f("ix_analytics_spend_month"), "analytics_spend", ["month"], unique=False)
    op.execute(
        "INSERT INTO analytics_spend (authority_id, month, strand, status, amount_pence, line_count) "
        "SELECT r.authority_id, r.month, l.strand, r.status, SUM(l.amount_pence), COUNT(*) "
        "FROM monthly_return r JOIN return_spend_line l ON l.return_id = r.id "
        "GROUP BY r.authority_id, r.month, l.strand, r.status"
    )


    op.create_table(
        "analytics_spend_year",
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("year_start", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("strand", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authority.id"], name=op.f("fk_analytics_spend_year_authority_id_authority")
        ),
        sa.PrimaryKeyConstraint(
            "authority_id", "year_start", "strand", "status", name=op.f("pk_analytics_spend_year")
        ),
    )
    # the financial year of "YYYY-MM" (April to March), by its first calendar year
    year_start = (
        "CASE WHEN substr(month, 6, 2) >= '04' THEN CAST(substr(month, 1, 4) AS INTEGER) "
        "ELSE CAST(substr(month, 1, 4) AS INTEGER) - 1 END"
    )
    op.execute(
        "INSERT INTO analytics_spend_year (authority_id, year_start, strand, status, amount_pence, line_count) "
        f"SELECT authority_id, {year_start}, strand, status, SUM(amount_pence), SUM(line_count) "
        f"FROM analytics_spend GROUP BY authority_id, {year_start}, strand, status"
    )


def downgrade():
    op.drop_table("analytics_spend_year")
    op.drop_index(op.f("ix_analytics_spend_month"), table_name="analytics_spend")
    op.drop_table("analytics_spend")
