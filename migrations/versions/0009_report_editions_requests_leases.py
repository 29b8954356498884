"""report editions (publish/withdraw), requested runs, process leases, publication emails

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:10:00

Runs made before this revision become draft editions (one per quarter and version), so
nothing already produced reaches Taskforce or MHCLG until the programme manager publishes it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "scheduler_process",
        sa.Column("token", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("hostname", sa.String(length=254), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_scheduler_process")),
    )
    with op.batch_alter_table("scheduler_process", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scheduler_process_heartbeat_at"), ["heartbeat_at"], unique=False)

    op.create_table(
        "report_edition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=10), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("triggered_by", sa.String(length=254), nullable=False),
        sa.Column("scheduled_key", sa.String(length=40), nullable=True),
        sa.Column("owner", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("published_by", sa.String(length=254), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=254), nullable=False),
        sa.Column("withdrawn_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_edition")),
        sa.UniqueConstraint("quarter", "number", name=op.f("uq_report_edition_quarter_number")),
        sa.UniqueConstraint("scheduled_key", name=op.f("uq_report_edition_scheduled_key")),
    )
    with op.batch_alter_table("report_edition", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_edition_quarter"), ["quarter"], unique=False)

    op.create_table(
        "report_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=10), nullable=False),
        sa.Column("requested_by", sa.String(length=254), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("owner", sa.String(length=80), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["edition_id"], ["report_edition.id"], name=op.f("fk_report_request_edition_id_report_edition")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_request")),
    )
    with op.batch_alter_table("report_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_request_status"), ["status"], unique=False)

    with op.batch_alter_table("report_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edition_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("owner", sa.String(length=80), nullable=True))
        batch_op.create_index(batch_op.f("ix_report_run_edition_id"), ["edition_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_report_run_edition_id_report_edition"), "report_edition", ["edition_id"], ["id"]
        )
        batch_op.drop_constraint(batch_op.f("uq_report_run_scheduled_key"), type_="unique")
        batch_op.drop_column("scheduled_key")

    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner", sa.String(length=80), nullable=True))

    with op.batch_alter_table("reminder_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edition_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("subject", sa.String(length=200), nullable=False, server_default=""))
        batch_op.alter_column("authority_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("month", existing_type=sa.String(length=7), nullable=True)
        batch_op.alter_column("due_date", existing_type=sa.Date(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_reminder_outbox_edition_id_report_edition"), "report_edition", ["edition_id"], ["id"]
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_reminder_outbox_to_address_edition_id_kind"), ["to_address", "edition_id", "kind"]
        )
    with op.batch_alter_table("reminder_outbox", schema=None) as batch_op:
        batch_op.alter_column("subject", existing_type=sa.String(length=200), server_default=None)

    # Existing runs: one draft edition per quarter and version.
    op.execute(
        "INSERT INTO report_edition (quarter, number, triggered_by, created_at, status, "
        "published_by, withdrawn_by, withdrawn_reason) "
        "SELECT quarter, version, MIN(triggered_by), MIN(started_at), 'draft', '', '', '' "
        "FROM report_run GROUP BY quarter, version"
    )
    op.execute(
        "UPDATE report_run SET edition_id = (SELECT report_edition.id FROM report_edition "
        "WHERE report_edition.quarter = report_run.quarter "
        "AND report_edition.number = report_run.version)"
    )


def downgrade():
    op.execute("DELETE FROM reminder_outbox WHERE edition_id IS NOT NULL")
    with op.batch_alter_table("reminder_outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_reminder_outbox_to_address_edition_id_kind"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_reminder_outbox_edition_id_report_edition"), type_="foreignkey")
        batch_op.alter_column("due_date", existing_type=sa.Date(), nullable=False)
        batch_op.alter_column("month", existing_type=sa.String(length=7), nullable=False)
        batch_op.alter_column("authority_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("subject")
        batch_op.drop_column("edition_id")
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.drop_column("owner")
    with op.batch_alter_table("report_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scheduled_key", sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_report_run_scheduled_key"), ["scheduled_key"])
        batch_op.drop_constraint(batch_op.f("fk_report_run_edition_id_report_edition"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_report_run_edition_id"))
        batch_op.drop_column("owner")
        batch_op.drop_column("edition_id")
    with op.batch_alter_table("report_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_request_status"))
    op.drop_table("report_request")
    with op.batch_alter_table("report_edition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_edition_quarter"))
    op.drop_table("report_edition")
    with op.batch_alter_table("scheduler_process", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduler_process_heartbeat_at"))
    op.drop_table("scheduler_process")
