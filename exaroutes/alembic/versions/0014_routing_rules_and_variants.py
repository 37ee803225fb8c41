"""routing rules and A/B variants: the code's rules and variants, and which one sent each scan

Revision ID: 0014
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


revision = "0014"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    # NULL means "none": existing codes keep leading to their destination, and no row is rewritten.
    # batch mode only adds columns, which SQLite's ALTER TABLE does in place (no table copy of `scans`).
    # pending_scans (0019) holds the same columns until a scan is folded into `scans`.
    with op.batch_alter_table("qr_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rules", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("variants", sa.JSON(), nullable=True))
    for table in ("scans", "pending_scans"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("rule", sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column("variant", sa.String(length=64), nullable=True))


def downgrade():
    for table in ("pending_scans", "scans"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("variant")
            batch_op.drop_column("rule")
    with op.batch_alter_table("qr_codes", schema=None) as batch_op:
        batch_op.drop_column("variants")
        batch_op.drop_column("rules")
