"""protected and limited codes: password hash, expiry, scan cap, compliance lock, password attempts

Revision ID: 0009
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = "0009"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("qr_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("max_scans", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("scan_count", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("locked_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("lock_reason", sa.Text(), nullable=True))

    op.create_table(
        "password_attempts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("attempted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["code_id"], ["qr_codes.id"], ondelete="CASCADE",
                                name=op.f("fk_password_attempts_code_id_qr_codes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_attempts")),
    )
    with op.batch_alter_table("password_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_password_attempts_code_client", ["code_id", "client", "attempted_at"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("password_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_password_attempts_code_client")
    op.drop_table("password_attempts")
    with op.batch_alter_table("qr_codes", schema=None) as batch_op:
        batch_op.drop_column("lock_reason")
        batch_op.drop_column("locked_at")
        batch_op.drop_column("scan_count")
        batch_op.drop_column("max_scans")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("password_hash")
