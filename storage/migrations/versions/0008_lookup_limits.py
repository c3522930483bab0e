"""Status lookups: counters that hold under concurrency (lookup_limits replaces lookup_failures);
application numbers keyed with the Latin letters people type for the Cyrillic prefix ("CN" = «ЦН»)

Revision ID: 0008
Revises: 0007
"""
import re

from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# The number key as bot/features/status/store.py:normalize_number makes it since this revision
# (a migration keeps its own copy: it must not change when the code does).
_LOOKALIKE = str.maketrans("АВЕКМНОРСТХІУЗЦN", "ABEKMHOPCTXIY3CH")
_SEPARATORS = re.compile(r"[\s\-‐‑–—_/\\.,:;#№'\"`’ʼ]+")


def _norm(raw: str) -> str:
    return _SEPARATORS.sub("", (raw or "").upper()).translate(_LOOKALIKE)[:64]


def upgrade() -> None:
    op.create_table('lookup_limits',
    sa.Column('key', sa.String(length=96), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('lookup_limits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lookup_limits_last_at'), ['last_at'], unique=False)
    with op.batch_alter_table('lookup_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lookup_failures_key'))
        batch_op.drop_index(batch_op.f('ix_lookup_failures_created_at'))
    op.drop_table('lookup_failures')

    conn = op.get_bind()
    apps = sa.table('applications', sa.column('id', sa.Integer), sa.column('number', sa.String),
                    sa.column('number_norm', sa.String))
    rows = conn.execute(sa.select(apps.c.id, apps.c.number, apps.c.number_norm)).all()
    new_of = {row.id: _norm(row.number) for row in rows}
    taken = {row.number_norm for row in rows if new_of[row.id] == row.number_norm}
    for row in rows:
        new = new_of[row.id]
        if new == row.number_norm or new in taken:  # unchanged, or two numbers only the new key confuses
            continue
        taken.add(new)
        conn.execute(apps.update().where(apps.c.id == row.id).values(number_norm=new))


def downgrade() -> None:
    op.create_table('lookup_failures',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=96), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('lookup_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lookup_failures_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lookup_failures_key'), ['key'], unique=False)
    with op.batch_alter_table('lookup_limits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lookup_limits_last_at'))
    op.drop_table('lookup_limits')
