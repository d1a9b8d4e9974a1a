"""access: class teachers named in the calendar, server-side web sessions

Revision ID: 0020
Revises: 0005
Create Date: 2026-12-02 06:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import service.db_types


revision = "0020"
down_revision = "0005"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString
_TS = service.db_types.AwareDateTime


def upgrade() -> None:
    with op.batch_alter_table("school_calendars") as batch:
        batch.add_column(
            sa.Column("class_teachers", sa.JSON(), nullable=False, server_default="{}")
        )
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", _S(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("csrf", _S(), nullable=False),
        sa.Column("created_at", _TS(timezone=True), nullable=False),
        sa.Column("expires_at", _TS(timezone=True), nullable=False),
        sa.Column("ended_at", _TS(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_web_sessions_user_id", table_name="web_sessions")
    op.drop_table("web_sessions")
    with op.batch_alter_table("school_calendars") as batch:
        batch.drop_column("class_teachers")
