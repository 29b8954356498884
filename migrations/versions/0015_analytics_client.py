"""analytics: the client summary (one row per client: first tenancy, sustained at 6 and 12 months)

Filled here from the existing clients and tenancies; kept exact afterwards by
app/clients/analytics.py. The fill is written against this revision's columns (plain table
definitions, not the app's models) with the outcome definitions of app/clients/outcomes.py.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 02:00:00

"""

from alembic import op
import sqlalchemy as sa

from app.clients.dates import month_index, on_or_before_anniversary


# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _fill():
    client = sa.table(
        "client",
        sa.column("id", sa.Integer),
        sa.column("authority_id", sa.Integer),
        sa.column("accepted_date", sa.Date),
        sa.column("support_ended_on", sa.Date),
    )

    def tenancy_table(name):
        return sa.table(
            "tenancy",
            sa.column("client_id", sa.Integer),
            sa.column("start_date", sa.Date),
            sa.column("end_date", sa.Date),
            sa.column("end_reason", sa.String),
        ).alias(name)

    tenancies, housing, moved_on, later = (tenancy_table(n) for n in ("t", "housing", "moved_on", "later"))
    first = (
        sa.select(tenancies.c.client_id, sa.func.min(tenancies.c.start_date).label("first_start"))
        .group_by(tenancies.c.client_id)
        .subquery("first_tenancy")
    )
    first_start = first.c.first_start

    def sustained(months):
        housed = (
            sa.exists()
            .where(
                housing.c.client_id == client.c.id,
                on_or_before_anniversary(housing.c.start_date, first_start, months),
                sa.or_(
                    housing.c.end_date.is_(None),
                    sa.not_(on_or_before_anniversary(housing.c.end_date, first_start, months)),
                ),
            )
            .correlate_except(housing)
        )
        planned = (
            sa.exists()
            .where(
                moved_on.c.client_id == client.c.id,
                moved_on.c.end_reason == "planned_move_on",
                moved_on.c.end_date.is_not(None),
                on_or_before_anniversary(moved_on.c.end_date, first_start, months),
                ~sa.exists()
                .where(
                    later.c.client_id == client.c.id,
                    later.c.start_date > moved_on.c.start_date,
                    on_or_before_anniversary(later.c.start_date, first_start, months),
                )
                .correlate_except(later),
            )
            .correlate_except(moved_on)
        )
        return sa.case((sa.and_(first_start.is_not(None), sa.or_(housed, planned)), True), else_=False)

    return (
        sa.select(
            client.c.id,
            client.c.authority_id,
            client.c.accepted_date,
            client.c.support_ended_on,
            first_start,
            sa.cast(month_index(first_start), sa.Integer),
            sustained(6),
            sustained(12),
        )
        .select_from(client)
        .outerjoin(first, first.c.client_id == client.c.id)
    )


def upgrade():
    summary = op.create_table(
        "analytics_client",
        sa.Column("client_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("accepted_date", sa.Date(), nullable=False),
        sa.Column("support_ended_on", sa.Date(), nullable=True),
        sa.Column("first_start", sa.Date(), nullable=True),
        sa.Column("first_start_month", sa.Integer(), nullable=True),
        sa.Column("sustained_6", sa.Boolean(), nullable=False),
        sa.Column("sustained_12", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_analytics_client")),
    )
    op.create_index(
        op.f("ix_analytics_client_authority_id"), "analytics_client", ["authority_id"], unique=False
    )
    columns = [
        "client_id",
        "authority_id",
        "accepted_date",
        "support_ended_on",
        "first_start",
        "first_start_month",
        "sustained_6",
        "sustained_12",
    ]
    op.execute(summary.insert().from_select(columns, _fill()))


def downgrade():
    op.drop_index(op.f("ix_analytics_client_authority_id"), table_name="analytics_client")
    op.drop_table("analytics_client")
