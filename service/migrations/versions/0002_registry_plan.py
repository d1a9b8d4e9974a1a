"""documentation plan: plans, activity areas, plan changes; the registers a case takes

Revision ID: 0002
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import service.db_types


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documentation_plans",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum("draft", "approved", name="planstatus"), nullable=False),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("approved_by_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("approved_at", service.db_types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("created_at", service.db_types.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["approved_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("year"),
    )
    op.create_table(
        "plan_areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("index", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("year", "index"),
    )
    with op.batch_alter_table("plan_areas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_areas_year"), ["year"], unique=False)
    op.create_table(
        "plan_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("at", service.db_types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("after_approval", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plan_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_changes_year"), ["year"], unique=False)
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "registers", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("registers")
    with op.batch_alter_table("plan_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_changes_year"))
    op.drop_table("plan_changes")
    with op.batch_alter_table("plan_areas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_areas_year"))
    op.drop_table("plan_areas")
    op.drop_table("documentation_plans")
    sa.Enum(name="planstatus").drop(op.get_bind(), checkfirst=True)
