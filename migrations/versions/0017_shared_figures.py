"""shared figures: expensive figures kept for every process under the data version

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 03:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "shared_figures",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("arguments", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", "arguments", "version", name=op.f("pk_shared_figures")),
    )


def downgrade():
    op.drop_table("shared_figures")
