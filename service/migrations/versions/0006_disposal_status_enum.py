"""disposals.status as the enum type the model declares (0004 made it VARCHAR on PostgreSQL)

On SQLite an Enum is a VARCHAR either way; on PostgreSQL the model's type is the native
``disposalstatus`` enum, which the schema comparison test found missing.

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-28 20:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None

_STATUS = sa.Enum(
    "proposed", "approved", "partially_executed", "executed", name="disposalstatus"
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    _STATUS.create(bind, checkfirst=True)
    op.alter_column(
        "disposals",
        "status",
        type_=_STATUS,
        existing_nullable=False,
        postgresql_using="status::disposalstatus",
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.alter_column(
        "disposals",
        "status",
        type_=sa.String(),
        existing_nullable=False,
        postgresql_using="status::text",
    )
    _STATUS.drop(bind, checkfirst=True)
