"""the message path: inbox of handled updates, the database's identity, outbox order, priority and
progress, per-chat pacing; ids are never handed out twice on SQLite (AUTOINCREMENT)

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# Tables whose integer id SQLite would hand out again after the highest row is deleted.
INTEGER_IDS = ('api_tokens', 'applications', 'application_events', 'checklists', 'client_links', 'feedback_responses',
               'invites', 'lookup_failures', 'outbox', 'reminder_occurrences', 'reminders', 'roles', 'search_misses',
               'subscriptions', 'users')


def upgrade() -> None:
    op.create_table('inbox',
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('event_key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('channel', 'event_key'),
    sqlite_autoincrement=True
    )
    op.create_table('meta',
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('value', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('key'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.SmallInteger(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('order_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('progress', sa.Integer(), server_default='0', nullable=False))
    op.execute('UPDATE outbox SET order_at = due_at')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('order_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_index('ix_outbox_user_open', ['user_id', 'state', 'order_at'], unique=False)
        batch_op.drop_index('ix_outbox_user_id')  # the new index starts with user_id: one fewer per row
    if op.get_bind().dialect.name == 'postgresql':
        # Answers are a few KB of text, written once and read once: not worth compressing on every insert.
        op.execute('ALTER TABLE outbox ALTER COLUMN payload SET STORAGE EXTERNAL')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('send_after', sa.Float(), nullable=True))

    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        # Rebuilt with AUTOINCREMENT (storage/db.py runs migrations with foreign keys off, so dropping
        # the old table cascades nothing).
        existing = dict(bind.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all())
        for name in INTEGER_IDS:
            if name in existing and 'AUTOINCREMENT' not in existing[name].upper():
                with op.batch_alter_table(name, recreate='always', table_kwargs={'sqlite_autoincrement': True}):
                    pass


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('send_after')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_user_open')
        batch_op.create_index('ix_outbox_user_id', ['user_id'], unique=False)
        batch_op.drop_column('progress')
        batch_op.drop_column('order_at')
        batch_op.drop_column('priority')
    op.drop_table('meta')
    op.drop_table('inbox')
