"""school profile: updated_by may be empty (set with `bylos school set`, no signed-in user)

Revision ID: 0030
Revises: 0007
Create Date: 2026-12-01 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0030"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("school_profile") as batch_op:
        batch_op.alter_column("updated_by", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("school_profile") as batch_op:
        batch_op.alter_column("updated_by", existing_type=sa.Integer(), nullable=False)
