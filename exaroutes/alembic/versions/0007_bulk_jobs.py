"""bulk jobs: jobs, their done items (one row per item, the idempotency key) and one-shot archives

Revision ID: 0007
Revises: 0010
Create Date: 2026-11-25 02:48:52.784356
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bulk_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bulk_id', sa.String(length=16), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('touched_at', sa.DateTime(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_bulk_jobs_workspace_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulk_jobs')),
    sa.UniqueConstraint('bulk_id', name=op.f('uq_bulk_jobs_bulk_id'))
    )
    with op.batch_alter_table('bulk_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulk_jobs_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_bulk_jobs_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('bulk_archives',
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('archive', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['bulk_jobs.id'], name=op.f('fk_bulk_archives_job_id_bulk_jobs')),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_bulk_archives_workspace_id_workspaces')),
    sa.PrimaryKeyConstraint('job_id', name=op.f('pk_bulk_archives'))
    )
    with op.batch_alter_table('bulk_archives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulk_archives_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_bulk_archives_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('bulk_items',
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['code_id'], ['qr_codes.id'], name=op.f('fk_bulk_items_code_id_qr_codes')),
    sa.ForeignKeyConstraint(['job_id'], ['bulk_jobs.id'], name=op.f('fk_bulk_items_job_id_bulk_jobs')),
    sa.PrimaryKeyConstraint('job_id', 'position', name=op.f('pk_bulk_items'))
    )


def downgrade():
    op.drop_table('bulk_items')
    with op.batch_alter_table('bulk_archives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bulk_archives_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_bulk_archives_expires_at'))

    op.drop_table('bulk_archives')
    with op.batch_alter_table('bulk_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bulk_jobs_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_bulk_jobs_status'))

    op.drop_table('bulk_jobs')
