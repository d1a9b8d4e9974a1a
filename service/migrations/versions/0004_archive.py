"""archive: rule sets, retention events, holds, disposals, destruction stubs, fixity, journals

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-28 16:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import service.db_types


revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString
_TS = service.db_types.AwareDateTime


def upgrade() -> None:
    op.create_table(
        "retention_rule_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rules_json", sa.Text(), nullable=False),
        sa.Column("source", _S(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _TS(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "retention_rule_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_set_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", _S(), nullable=False),
        sa.Column("change", _S(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("changed_by", sa.Integer(), nullable=True),
        sa.Column("changed_at", _TS(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["rule_set_id"], ["retention_rule_sets.id"]),
        sa.ForeignKeyConstraint(["changed_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("retention_rule_changes") as batch_op:
        batch_op.create_index("ix_retention_rule_changes_rule_set_id", ["rule_set_id"])
        batch_op.create_index("ix_retention_rule_changes_rule_id", ["rule_id"])
    op.create_table(
        "retention_events",
        sa.Column("document_id", _S(), nullable=False),
        sa.Column("event_on", sa.Date(), nullable=False),
        sa.Column("note", _S(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", _TS(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("document_id"),
    )
    op.create_table(
        "holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", _S(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("reason", _S(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _TS(timezone=True), nullable=False),
        sa.Column("released_at", _TS(timezone=True), nullable=True),
        sa.Column("released_by", sa.Integer(), nullable=True),
        sa.Column("release_reason", _S(), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["released_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("holds") as batch_op:
        batch_op.create_index("ix_holds_document_id", ["document_id"])
        batch_op.create_index("ix_holds_case_id", ["case_id"])
    op.create_table(
        "disposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", _S(), nullable=False),
        sa.Column("cases", sa.JSON(), nullable=False),
        sa.Column("document_ids", sa.JSON(), nullable=False),
        sa.Column("act_document_id", _S(), nullable=False),
        sa.Column("act_number", _S(), nullable=False),
        sa.Column("proposed_by", sa.Integer(), nullable=True),
        sa.Column("proposed_at", _TS(timezone=True), nullable=False),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("approved_at", _TS(timezone=True), nullable=True),
        sa.Column("executed_by", sa.Integer(), nullable=True),
        sa.Column("executed_at", _TS(timezone=True), nullable=True),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["act_document_id"], ["documents.id"]),
        sa.ForeignKeyConstraint(["proposed_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["approved_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["executed_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "destroyed_documents",
        sa.Column("document_id", _S(), nullable=False),
        sa.Column("disposal_id", sa.Integer(), nullable=False),
        sa.Column("act_document_id", _S(), nullable=False),
        sa.Column("act_number", _S(), nullable=False),
        sa.Column("sha256", _S(), nullable=False),
        sa.Column("destroyed_at", _TS(timezone=True), nullable=False),
        sa.Column("destroyed_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.ForeignKeyConstraint(["disposal_id"], ["disposals.id"]),
        sa.ForeignKeyConstraint(["act_document_id"], ["documents.id"]),
        sa.ForeignKeyConstraint(["destroyed_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("document_id"),
    )
    with op.batch_alter_table("destroyed_documents") as batch_op:
        batch_op.create_index("ix_destroyed_documents_disposal_id", ["disposal_id"])
    op.create_table(
        "fixity_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", _TS(timezone=True), nullable=False),
        sa.Column("finished_at", _TS(timezone=True), nullable=True),
        sa.Column("started_by", sa.Integer(), nullable=True),
        sa.Column("checked", sa.Integer(), nullable=False),
        sa.Column("ok", sa.Integer(), nullable=False),
        sa.Column("bytes_read", sa.BigInteger(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["started_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "journal_files",
        sa.Column("document_id", _S(), nullable=False),
        sa.Column("file_name", _S(), nullable=False),
        sa.Column("media_type", _S(), nullable=False),
        sa.Column("object_key", _S(), nullable=False),
        sa.Column("object_version_id", _S(), nullable=False),
        sa.Column("sha256", _S(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("created_at", _TS(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("document_id"),
    )


def downgrade() -> None:
    op.drop_table("journal_files")
    op.drop_table("fixity_runs")
    op.drop_table("destroyed_documents")
    op.drop_table("disposals")
    op.drop_table("holds")
    op.drop_table("retention_events")
    op.drop_table("retention_rule_changes")
    op.drop_table("retention_rule_sets")
