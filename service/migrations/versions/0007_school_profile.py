"""school profile: the admin's saved letterhead and signature block (wins over BYLOS_SCHOOL_*)

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-28 20:30:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import service.db_types


revision = "0007"
down_revision = "0001"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "school_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", _S(), nullable=False),
        sa.Column("code", _S(), nullable=False),
        sa.Column("address", _S(), nullable=False),
        sa.Column("city", _S(), nullable=False),
        sa.Column("director_name", _S(), nullable=False),
        sa.Column("director_title", _S(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=False),
        sa.Column("updated_at", service.db_types.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("school_profile")
