"""scan rollups: daily counts per code and dimension, and the visitors seen per code and day

Revision ID: 0006
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "scan_rollups",
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.Column("scans", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["code_id"], ["qr_codes.id"], name=op.f("fk_scan_rollups_code_id_qr_codes")),
        sa.PrimaryKeyConstraint("code_id", "day", "dimension", "value", name=op.f("pk_scan_rollups")),
    )
    op.create_table(
        "scan_visitors",
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("visitor", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["code_id"], ["qr_codes.id"], name=op.f("fk_scan_visitors_code_id_qr_codes")),
        sa.PrimaryKeyConstraint("code_id", "day", "visitor", name=op.f("pk_scan_visitors")),
    )
    # SQLite stores datetimes as text, where CAST(... AS DATE) would yield the year alone.
    day = "date(scanned_at)" if op.get_bind().dialect.name == "sqlite" else "CAST(scanned_at AS DATE)"
    # Existing raw scans become rollups, so analytics keep their history across the upgrade.
    for dimension, column in (("scans", "''"), ("country", "country"), ("device", "coalesce(device, 'unknown')"),
                              ("os", "coalesce(os, 'unknown')"), ("browser", "coalesce(browser, 'unknown')"),
                              ("referrer", "coalesce(referrer, 'unknown')")):
        op.execute(
            f"INSERT INTO scan_rollups (code_id, day, dimension, value, scans) "
            f"SELECT code_id, {day}, '{dimension}', {column}, COUNT(*) FROM scans "
            f"GROUP BY code_id, {day}" + ("" if dimension == "scans" else f", {column}"))
    op.execute(
        "INSERT INTO scan_rollups (code_id, day, dimension, value, scans) "
        "SELECT code_id, day, 'unique', '', "
        "COUNT(DISTINCT visitor) + SUM(CASE WHEN visitor IS NULL THEN 1 ELSE 0 END) "
        f"FROM (SELECT code_id, {day} AS day, visitor FROM scans) AS s GROUP BY code_id, day")


def downgrade():
    op.drop_table("scan_visitors")
    op.drop_table("scan_rollups")
