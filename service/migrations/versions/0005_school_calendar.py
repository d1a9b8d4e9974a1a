"""school calendar: periods, classes and the journal transfer deadline of each school year

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-28 19:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import service.db_types


revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "school_calendars",
        sa.Column("school_year", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("periods", sa.JSON(), nullable=False),
        sa.Column("classes", sa.JSON(), nullable=False),
        sa.Column("journal_transfer_due", sa.Date(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=False),
        sa.Column("updated_at", service.db_types.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("school_year"),
    )


def downgrade() -> None:
    op.drop_table("school_calendars")
