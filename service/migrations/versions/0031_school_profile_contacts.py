"""school profile: the office's phone and e-mail and the name in the genitive

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-01 11:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("school_profile") as batch_op:
        for column in ("phone", "email", "name_genitive"):
            batch_op.add_column(sa.Column(column, _S(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("school_profile") as batch_op:
        for column in ("phone", "email", "name_genitive"):
            batch_op.drop_column(column)
