"""custom domains: a workspace's hostnames (pending, verified) and the domain a code is printed on

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa


revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

VERIFIED = sa.text("verified_at IS NOT NULL")


def upgrade():
    op.create_table(
        "domains",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("hostname", sa.String(length=253), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("verified_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"],
                                name=op.f("fk_domains_workspace_id_workspaces")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domains")),
        sa.UniqueConstraint("workspace_id", "hostname", name="uq_domains_workspace_id_hostname"),
    )
    op.create_index("uq_domains_verified_hostname", "domains", ["hostname"], unique=True,
                    sqlite_where=VERIFIED, postgresql_where=VERIFIED)
    op.create_index("ix_domains_workspace_created", "domains", ["workspace_id", "created_at", "hostname"])
    # ADD COLUMN, never a table copy: SQLite copies a table to add a constraint, and dropping the old
    # qr_codes would fail on the rows of scans (and others) that point at it.
    op.add_column("qr_codes", sa.Column("domain", sa.String(length=253), nullable=True))
    op.create_index("ix_qr_codes_workspace_domain", "qr_codes", ["workspace_id", "domain"])
    if op.get_bind().dialect.name == "sqlite":
        # The same guarantee as the foreign key below, without copying qr_codes: a domain that codes
        # are printed on cannot be deleted (RAISE(ABORT) is a constraint error, like the key's).
        op.execute("CREATE TRIGGER domains_in_use BEFORE DELETE ON domains "
                   "WHEN EXISTS (SELECT 1 FROM qr_codes WHERE qr_codes.workspace_id = OLD.workspace_id "
                   "AND qr_codes.domain = OLD.hostname) "
                   "BEGIN SELECT RAISE(ABORT, 'codes are printed on this domain'); END")
    else:
        op.create_foreign_key("fk_qr_codes_domain_domains", "qr_codes", "domains", ["workspace_id", "domain"],
                              ["workspace_id", "hostname"])


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER domains_in_use")
    else:
        op.drop_constraint("fk_qr_codes_domain_domains", "qr_codes", type_="foreignkey")
    op.drop_index("ix_qr_codes_workspace_domain", table_name="qr_codes")
    op.drop_column("qr_codes", "domain")     # SQLite 3.35+ drops a column in place, without a copy
    op.drop_index("ix_domains_workspace_created", table_name="domains")
    op.drop_index("uq_domains_verified_hostname", table_name="domains")
    op.drop_table("domains")
