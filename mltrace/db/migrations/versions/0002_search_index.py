"""search index: output ids in byte order, and their trigrams where pg_trgm can be had

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from mltrace.db import search

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite compares names byte by byte already, and has no trigram index (see db/search.py)
    # byte order (code point order in UTF-8): the unique index then serves "starts with" whatever the database's
    # collation, and names sort alike on every database and server
    op.alter_column(
        "io_pointers", "name", type_=sa.Text(collation="C"), existing_type=sa.Text(), existing_nullable=False
    )
    search.create_index(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {search.INDEX}")
    op.alter_column(
        "io_pointers", "name", type_=sa.Text(), existing_type=sa.Text(collation="C"), existing_nullable=False
    )
