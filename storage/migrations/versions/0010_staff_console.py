"""staff console: sessions, sign-in links and attempts, uploads, audit log; anonymous activity counts; feedback per day

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 00:28:18.234876
"""
from alembic import op
import sqlalchemy as sa

import storage.types


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('activity_daily',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('metric', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'metric', 'key')
    )
    with op.batch_alter_table('activity_daily', schema=None) as batch_op:
        batch_op.create_index('ix_activity_daily_metric_day', ['metric', 'day', 'key', 'n'], unique=False)

    op.create_table('activity_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('metric', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('activity_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_events_day'), ['day'], unique=False)

    op.create_table('console_signin_attempts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('console_signin_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_console_signin_attempts_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_console_signin_attempts_key'), ['key'], unique=False)

    op.create_table('feedback_daily',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('office_id', sa.String(length=64), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('window', sa.String(length=8), nullable=False),
    sa.Column('survey_id', sa.String(length=40), nullable=False),
    sa.Column('question_id', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=64), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'office_id', 'service_id', 'window', 'survey_id', 'question_id', 'value')
    )
    with op.batch_alter_table('feedback_daily', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_daily_slice', ['service_id', 'window', 'office_id', 'day', 'survey_id', 'question_id', 'value', 'n'], unique=False)

    op.create_table('feedback_rolled_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('day')
    )
    op.create_table('console_audit',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('actor_roles', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('subject_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subject_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('console_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_console_audit_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_console_audit_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_console_audit_subject_id'), ['subject_id'], unique=False)

    op.create_table('console_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('csrf', sa.String(length=64), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('notice', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('console_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_console_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('console_signin_links',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('used_at', storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('console_signin_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_console_signin_links_user_id'), ['user_id'], unique=False)

    op.create_table('console_uploads',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('session_hash', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=120), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_hash'], ['console_sessions.token_hash'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('console_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_console_uploads_session_hash'), ['session_hash'], unique=False)




def downgrade() -> None:
    
    with op.batch_alter_table('console_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_console_uploads_session_hash'))

    op.drop_table('console_uploads')
    with op.batch_alter_table('console_signin_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_console_signin_links_user_id'))

    op.drop_table('console_signin_links')
    with op.batch_alter_table('console_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_console_sessions_user_id'))

    op.drop_table('console_sessions')
    with op.batch_alter_table('console_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_console_audit_subject_id'))
        batch_op.drop_index(batch_op.f('ix_console_audit_at'))
        batch_op.drop_index(batch_op.f('ix_console_audit_actor_id'))

    op.drop_table('console_audit')
    op.drop_table('feedback_rolled_days')
    with op.batch_alter_table('feedback_daily', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_daily_slice')

    op.drop_table('feedback_daily')
    with op.batch_alter_table('console_signin_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_console_signin_attempts_key'))
        batch_op.drop_index(batch_op.f('ix_console_signin_attempts_created_at'))

    op.drop_table('console_signin_attempts')
    with op.batch_alter_table('activity_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_events_day'))

    op.drop_table('activity_events')
    with op.batch_alter_table('activity_daily', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_daily_metric_day')

    op.drop_table('activity_daily')

