"""reminders

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 12:08:30.578229
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('delivery_pace',
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('next_at', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('channel')
    )
    op.create_table('client_links',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('worker_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('client_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('alias', sa.String(length=40), nullable=False),
    sa.Column('invite_hash', sa.String(length=64), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('consented_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['worker_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('invite_hash')
    )
    with op.batch_alter_table('client_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_links_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_links_worker_id'), ['worker_id'], unique=False)

    op.create_table('worker_profiles',
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('display_name', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('reminders',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('local_time', sa.String(length=5), nullable=False),
    sa.Column('repeat', sa.String(length=16), nullable=False),
    sa.Column('days_before', sa.Integer(), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['client_links.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_link_id'), ['link_id'], unique=False)

    op.create_table('reminder_occurrences',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('reminder_id', sa.Integer(), nullable=False),
    sa.Column('planned_for', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['reminder_id'], ['reminders.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reminder_id', 'planned_for', 'kind', name='uq_occurrence_slot')
    )
    with op.batch_alter_table('reminder_occurrences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_occurrences_reminder_id'), ['reminder_id'], unique=False)



def downgrade() -> None:
    op.drop_table('delivery_pace')
    with op.batch_alter_table('reminder_occurrences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_occurrences_reminder_id'))

    op.drop_table('reminder_occurrences')
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_link_id'))

    op.drop_table('reminders')
    op.drop_table('worker_profiles')
    with op.batch_alter_table('client_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_links_worker_id'))
        batch_op.drop_index(batch_op.f('ix_client_links_client_id'))

    op.drop_table('client_links')
