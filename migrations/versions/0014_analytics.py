"""analytics: the spend summary table (authority x month x strand x return status)

Filled here from the existing returns; kept exact afterwards by app/returns/analytics.py.

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-03 17:45:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0011"
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
    op.execute(
        "INSERT INTO analytics_spend (authority_id, month, strand, status, amount_pence, line_count) "
        "SELECT r.authority_id, r.month, l.strand, r.status, SUM(l.amount_pence), COUNT(*) "
        "FROM monthly_return r JOIN return_spend_line l ON l.return_id = r.id "
        "GROUP BY r.authority_id, r.month, l.strand, r.status"
    )


def downgrade():
    op.drop_table("analytics_spend")
