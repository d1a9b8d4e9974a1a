"""books of record: a document's heading, addressee, signer, folded search key and page count;
complete register names

Revision ID: 0040
Revises: 0002
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from service.lt import fold

revision = "0040"
down_revision = "0002"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString
# Register names as the register prints them: complete and grammatical (issue 12).
_RENAMED = {
    "SV": (
        "Mokymosi pasiekimų apskaitos suvestinių registras",
        "Mokinių mokymosi pasiekimų apskaitos suvestinių registras",
    ),
    "TA": (
        "Pažangumo ir lankomumo ataskaitų tėvams registras",
        "Mokinių pažangumo ir lankomumo ataskaitų tėvams registras",
    ),
}


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch_op:
        for column in ("heading", "addressee", "signer", "search_key"):
            batch_op.add_column(sa.Column(column, _S(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("pages", sa.Integer(), nullable=True))
    # Documents issued before this revision: their heading is their title, and the search key
    # folds what they were searchable by; pages stay unknown until counted (NULL).
    documents = sa.table(
        "documents",
        sa.column("id", sa.String()),
        sa.column("title", sa.String()),
        sa.column("number", sa.String()),
        sa.column("search_text", sa.String()),
        sa.column("heading", sa.String()),
        sa.column("search_key", sa.String()),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(documents.c.id, documents.c.title, documents.c.number, documents.c.search_text)
    ).all()
    for doc_id, title, number, search_text in rows:
        conn.execute(
            documents.update()
            .where(documents.c.id == doc_id)
            .values(heading=title, search_key=fold(f"{number} {title} {search_text}"))
        )
    registers = sa.table("registers", sa.column("code", sa.String()), sa.column("title", sa.String()))
    for code, (old, new) in _RENAMED.items():
        conn.execute(
            registers.update()
            .where(registers.c.code == code, registers.c.title == old)
            .values(title=new)
        )


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch_op:
        for column in ("heading", "addressee", "signer", "search_key", "pages"):
            batch_op.drop_column(column)
