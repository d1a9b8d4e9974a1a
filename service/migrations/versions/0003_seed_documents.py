"""seed documents: notification events and change-act links to summaries

Revision ID: 0003
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import service.db_types

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.String(), nullable=False),
        sa.Column("recipient_role", sa.String(), nullable=False),
        sa.Column("recipient_name", sa.String(), nullable=False),
        sa.Column("message", sa.String(), nullable=False),
        sa.Column("created_at", service.db_types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", service.db_types.AwareDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_document_id"), ["document_id"])
        batch_op.create_index(batch_op.f("ix_notifications_delivered_at"), ["delivered_at"])

    op.create_table(
        "summary_corrections",
        sa.Column("act_id", sa.String(), nullable=False),
        sa.Column("summary_id", sa.String(), nullable=False),
        sa.Column("created_at", service.db_types.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["act_id"], ["documents.id"]),
        sa.ForeignKeyConstraint(["summary_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("act_id"),
    )
    with op.batch_alter_table("summary_corrections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_summary_corrections_summary_id"), ["summary_id"])


def downgrade() -> None:
    op.drop_table("summary_corrections")
    op.drop_table("notifications")
