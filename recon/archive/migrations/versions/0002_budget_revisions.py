"""frozen budget revisions and their report files

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('budget_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('frozen_by', sa.String(length=200), nullable=False),
    sa.Column('rules_version', sa.String(length=40), nullable=True),
    sa.Column('inputs', sa.Text(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('warnings', sa.Integer(), nullable=False),
    sa.Column('infos', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    op.create_table('report_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('budget_revision_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['budget_revision_id'], ['budget_revision.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('budget_revision_id', 'name', name='uq_report_file_name')
    )
    with op.batch_alter_table('report_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_file_budget_revision_id'), ['budget_revision_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('report_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_file_budget_revision_id'))
    op.drop_table('report_file')
    op.drop_table('budget_revision')
