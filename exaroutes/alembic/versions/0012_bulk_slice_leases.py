"""bulk slices with leases: a crashed worker's slice is taken over within seconds

Revision ID: 0012
Revises: 0013
"""
import datetime

from alembic import op
import sqlalchemy as sa


revision = "0012"
down_revision = "0013"
branch_labels = None
depends_on = None

#: the slice size jobs still running at upgrade time were queued with (production.ini's default)
SLICE_SIZE = 100


def upgrade():
    op.create_table(
        "bulk_slices",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("stop", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=80), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["bulk_jobs.id"], name=op.f("fk_bulk_slices_job_id_bulk_jobs")),
        sa.PrimaryKeyConstraint("job_id", "start", name=op.f("pk_bulk_slices")),
    )
    with op.batch_alter_table("bulk_slices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bulk_slices_lease_until"), ["lease_until"], unique=False)
    # Jobs still running: their slices, as never claimed, so the workers' lease check queues them.
    connection = op.get_bind()
    long_ago = datetime.datetime(1970, 1, 1)
    rows = [{"job_id": job_id, "start": start, "stop": min(start + SLICE_SIZE, total), "queued_at": long_ago}
            for job_id, total in connection.execute(sa.text(
                "SELECT id, total FROM bulk_jobs WHERE status IN ('queued', 'processing')"))
            for start in range(0, total, SLICE_SIZE)]
    if rows:
        slices = sa.table("bulk_slices", sa.column("job_id"), sa.column("start"), sa.column("stop"),
                          sa.column("queued_at"))
        op.bulk_insert(slices, rows)


def downgrade():
    with op.batch_alter_table("bulk_slices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bulk_slices_lease_until"))
    op.drop_table("bulk_slices")
