"""server-side dashboard sessions, spent unlock cookies, stored logos

Revision ID: 0011
Revises: 0019
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dashboard_sessions',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('key_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['key_id'], ['api_keys.id'], name=op.f('fk_dashboard_sessions_key_id_api_keys'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_dashboard_sessions'))
    )
    with op.batch_alter_table('dashboard_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dashboard_sessions_created_at'), ['created_at'], unique=False)
    op.create_table('spent_unlocks',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('spent_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_spent_unlocks'))
    )
    with op.batch_alter_table('spent_unlocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spent_unlocks_spent_at'), ['spent_at'], unique=False)
    op.create_table('code_logos',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=71), nullable=False),
    sa.Column('image', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_code_logos_workspace_id_workspaces')),
    sa.PrimaryKeyConstraint('workspace_id', 'digest', name=op.f('pk_code_logos'))
    )


def downgrade():
    op.drop_table('code_logos')
    with op.batch_alter_table('spent_unlocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spent_unlocks_spent_at'))
    op.drop_table('spent_unlocks')
    with op.batch_alter_table('dashboard_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dashboard_sessions_created_at'))
    op.drop_table('dashboard_sessions')
