"""pending scans: what the redirect writes, before the folder moves it into scans and the rollups

Revision ID: 0019
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa


revision = "0019"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pending_scans",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("scanned_at", sa.DateTime(), nullable=False),
        sa.Column("country", sa.String(length=16), nullable=False),
        sa.Column("device", sa.String(length=16), nullable=True),
        sa.Column("os", sa.String(length=64), nullable=True),
        sa.Column("browser", sa.String(length=64), nullable=True),
        sa.Column("referrer", sa.String(length=255), nullable=True),
        sa.Column("visitor", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_scans")),
    )


def downgrade():
    op.drop_table("pending_scans")
