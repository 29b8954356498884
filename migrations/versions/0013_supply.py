"""housing supply: the property register, and the property a tenancy is in

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 17:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'  # after the fidelity revision (the branches merged in this order)
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'property_reference_counter',
        sa.Column('authority_id', sa.Integer(), nullable=False),
        sa.Column('last_number', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['authority_id'], ['authority.id'],
                                name=op.f('fk_property_reference_counter_authority_id_authority')),
        sa.PrimaryKeyConstraint('authority_id', name=op.f('pk_property_reference_counter')),
    )
    op.create_table(
        'property',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('authority_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=12), nullable=False),
        sa.Column('local_reference', sa.String(length=20), nullable=True),
        sa.Column('source', sa.String(length=30), nullable=False),
        sa.Column('funding', sa.String(length=30), nullable=True),
        sa.Column('cost_pence', sa.BigInteger(), nullable=True),
        sa.Column('bedrooms', sa.Integer(), nullable=False),
        sa.Column('available_from', sa.Date(), nullable=False),
        sa.Column('withdrawn_on', sa.Date(), nullable=True),
        sa.Column('withdrawal_reason', sa.String(length=30), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['authority_id'], ['authority.id'], name=op.f('fk_property_authority_id_authority')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_property')),
        sa.UniqueConstraint('authority_id', 'number', name=op.f('uq_property_authority_id_number')),
        sa.UniqueConstraint('reference', name=op.f('uq_property_reference')),
    )
    with op.batch_alter_table('property', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_property_authority_id'), ['authority_id'], unique=False)
    with op.batch_alter_table('tenancy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('property_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_tenancy_property_id'), ['property_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_tenancy_property_id_property'), 'property',
                                    ['property_id'], ['id'])


def downgrade():
    with op.batch_alter_table('tenancy', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tenancy_property_id_property'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_tenancy_property_id'))
        batch_op.drop_column('property_id')
    with op.batch_alter_table('property', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_property_authority_id'))
    op.drop_table('property')
    op.drop_table('property_reference_counter')
