"""data version: the counter every committed write of figure data raises (app/figures_cache.py)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 02:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "data_version",
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_data_version")),
    )
    op.bulk_insert(table, [{"scope": "figures", "version": 1}])


def downgrade():
    op.drop_table("data_version")
