"""feedback

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:14:22.982508
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feedback_receipts',
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('key_hash')
    )
    with op.batch_alter_table('feedback_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_receipts_day'), ['day'], unique=False)

    op.create_table('feedback_responses',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('survey_id', sa.String(length=40), nullable=False),
    sa.Column('survey_version', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.String(length=64), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=True),
    sa.Column('window', sa.String(length=8), nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('low', sa.Boolean(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('feedback_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_responses_day'), ['day'], unique=False)
        batch_op.create_index('ix_feedback_responses_office_day', ['office_id', 'day'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('feedback_responses', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_responses_office_day')
        batch_op.drop_index(batch_op.f('ix_feedback_responses_day'))

    op.drop_table('feedback_responses')
    with op.batch_alter_table('feedback_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_receipts_day'))

    op.drop_table('feedback_receipts')
