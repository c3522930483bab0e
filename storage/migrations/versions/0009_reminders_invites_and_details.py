"""Reminders: invitations that can be shown again (derived token) and old links that explain themselves;
where/what to bring; the moment an occurrence is about. Invitations to a role may carry the person's name.

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('client_old_invites',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('why', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['client_links.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('client_old_invites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_old_invites_link_id'), ['link_id'], unique=False)
    with op.batch_alter_table('client_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invite_salt', sa.String(length=32), nullable=True))
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details', sa.Text(), nullable=True))
    with op.batch_alter_table('reminder_occurrences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.drop_column('name')
    with op.batch_alter_table('reminder_occurrences', schema=None) as batch_op:
        batch_op.drop_column('event_at')
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_column('details')
    with op.batch_alter_table('client_links', schema=None) as batch_op:
        batch_op.drop_column('invite_salt')
    with op.batch_alter_table('client_old_invites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_old_invites_link_id'))
    op.drop_table('client_old_invites')
