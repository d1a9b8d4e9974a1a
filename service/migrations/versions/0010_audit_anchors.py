"""audit anchors: the chain's head written to the write-once store, indexed here

Revision ID: 0010
Revises: 0001
Create Date: 2026-12-02 03:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import service.db_types


revision = "0010"
down_revision = "0001"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString
_TS = service.db_types.AwareDateTime


def upgrade() -> None:
    op.create_table(
        "audit_anchors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("written_at", _TS(timezone=True), nullable=False),
        sa.Column("reason", _S(), nullable=False),
        sa.Column("from_event_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("event_hash", _S(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("key", _S(), nullable=False),
        sa.Column("version_id", _S(), nullable=False),
        sa.Column("sha256", _S(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("lock_until", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("audit_anchors") as batch_op:
        batch_op.create_index("ix_audit_anchors_event_id", ["event_id"])


def downgrade() -> None:
    op.drop_table("audit_anchors")
