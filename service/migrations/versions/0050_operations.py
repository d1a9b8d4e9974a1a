"""operations: backup runs, restores and the version ids a restore replaced

Revision ID: 0050
Revises: 0001
Create Date: 2026-12-01 10:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import service.db_types


revision = "0050"
down_revision = "0001"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString
_TS = service.db_types.AwareDateTime


def upgrade() -> None:
    op.create_table(
        "backup_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target", _S(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("running", "completed", "failed", "interrupted", name="backupstatus"),
            nullable=False,
        ),
        sa.Column("started_at", _TS(timezone=True), nullable=False),
        sa.Column("finished_at", _TS(timezone=True), nullable=True),
        sa.Column("started_by", sa.Integer(), nullable=True),
        sa.Column("started_by_name", _S(), nullable=False),
        sa.Column("versions", sa.Integer(), nullable=False),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.Column("bytes_total", sa.BigInteger(), nullable=False),
        sa.Column("bytes_copied", sa.BigInteger(), nullable=False),
        sa.Column("files_copied", sa.Integer(), nullable=False),
        sa.Column("manifest_sha256", _S(), nullable=True),
        sa.Column("error", _S(), nullable=True),
        sa.ForeignKeyConstraint(["started_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("backup_runs") as batch_op:
        batch_op.create_index("ix_backup_runs_finished_at", ["finished_at"])
    op.create_table(
        "restore_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", _S(), nullable=False),
        sa.Column("backup_id", sa.Integer(), nullable=True),
        sa.Column("manifest_sha256", _S(), nullable=False),
        sa.Column("backup_created_at", _TS(timezone=True), nullable=False),
        sa.Column("started_at", _TS(timezone=True), nullable=False),
        sa.Column("finished_at", _TS(timezone=True), nullable=True),
        sa.Column("versions", sa.Integer(), nullable=False),
        sa.Column("voided_reservations", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "restored_versions",
        sa.Column("restore_id", sa.Integer(), nullable=False),
        sa.Column("object_key", _S(), nullable=False),
        sa.Column("old_version_id", _S(), nullable=False),
        sa.Column("new_version_id", _S(), nullable=False),
        sa.ForeignKeyConstraint(["restore_id"], ["restore_runs.id"]),
        sa.PrimaryKeyConstraint("restore_id", "object_key", "old_version_id"),
    )


def downgrade() -> None:
    op.drop_table("restored_versions")
    op.drop_table("restore_runs")
    with op.batch_alter_table("backup_runs") as batch_op:
        batch_op.drop_index("ix_backup_runs_finished_at")
    op.drop_table("backup_runs")
    sa.Enum(name="backupstatus").drop(op.get_bind(), checkfirst=True)
