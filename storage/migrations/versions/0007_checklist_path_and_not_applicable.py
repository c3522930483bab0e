"""checklists.path and checklists.not_applicable: the person's case and the documents that are not for them

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('checklists', schema=None) as batch_op:
        batch_op.add_column(sa.Column('path', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('not_applicable', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('checklists', schema=None) as batch_op:
        batch_op.drop_column('not_applicable')
        batch_op.drop_column('path')
