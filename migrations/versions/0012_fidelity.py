"""fidelity self-assessments and their scores

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 17:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'fidelity_assessment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('authority_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=10), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('first_submitted_at', sa.DateTime(), nullable=True),
        sa.Column('submitted_at', sa.DateTime(), nullable=True),
        sa.Column('submitted_by_id', sa.Integer(), nullable=True),
        sa.Column('agreed_at', sa.DateTime(), nullable=True),
        sa.Column('agreed_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['authority_id'], ['authority.id'], name=op.f('fk_fidelity_assessment_authority_id_authority')),
        sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'], name=op.f('fk_fidelity_assessment_submitted_by_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['agreed_by_id'], ['user.id'], name=op.f('fk_fidelity_assessment_agreed_by_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fidelity_assessment')),
        sa.UniqueConstraint('authority_id', 'period', name=op.f('uq_fidelity_assessment_authority_id_period')),
    )
    with op.batch_alter_table('fidelity_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fidelity_assessment_authority_id'), ['authority_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fidelity_assessment_period'), ['period'], unique=False)

    op.create_table(
        'fidelity_score',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assessment_id', sa.Integer(), nullable=False),
        sa.Column('principle', sa.Integer(), nullable=False),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('evidence', sa.Text(), nullable=False),
        sa.Column('moderated_score', sa.Integer(), nullable=True),
        sa.Column('moderation_reason', sa.Text(), nullable=False),
        sa.Column('moderated_at', sa.DateTime(), nullable=True),
        sa.Column('moderated_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('principle BETWEEN 1 AND 7', name=op.f('ck_fidelity_score_principle_1_to_7')),
        sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_fidelity_score_score_1_to_5')),
        sa.CheckConstraint('moderated_score IS NULL OR moderated_score BETWEEN 1 AND 5', name=op.f('ck_fidelity_score_moderated_1_to_5')),
        sa.ForeignKeyConstraint(['assessment_id'], ['fidelity_assessment.id'], name=op.f('fk_fidelity_score_assessment_id_fidelity_assessment'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['moderated_by_id'], ['user.id'], name=op.f('fk_fidelity_score_moderated_by_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fidelity_score')),
        sa.UniqueConstraint('assessment_id', 'principle', name=op.f('uq_fidelity_score_assessment_id_principle')),
    )
    with op.batch_alter_table('fidelity_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fidelity_score_assessment_id'), ['assessment_id'], unique=False)


def downgrade():
    with op.batch_alter_table('fidelity_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fidelity_score_assessment_id'))
    op.drop_table('fidelity_score')
    with op.batch_alter_table('fidelity_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fidelity_assessment_period'))
        batch_op.drop_index(batch_op.f('ix_fidelity_assessment_authority_id'))
    op.drop_table('fidelity_assessment')
