"""Each code snapshot once: runs name theirs by id

Revision ID: 0008
Revises: 0007
Create Date: 2027-02-01 00:00:00.000000
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# the SHA-256 of a text's UTF-8 bytes in hex, as `mltrace.db.code_snapshots.code_digest` computes it
_DIGEST = {
    "postgresql": "encode(sha256(convert_to({0}, 'UTF8')), 'hex')",
    "sqlite": "mltrace_sha256({0})",
}


def upgrade() -> None:
    op.create_table(
        "code_snapshots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest"),
    )
    op.add_column("component_runs", sa.Column("code_id", sa.Integer(), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        driver = bind.connection.driver_connection
        assert driver is not None  # the migration's connection is open
        driver.create_function("mltrace_sha256", 1, _sha256, deterministic=True)
    digest = _DIGEST[bind.dialect.name]
    op.execute(
        f"INSERT INTO code_snapshots (digest, code) SELECT DISTINCT {digest.format('code_snapshot')}, code_snapshot "
        "FROM component_runs WHERE code_snapshot IS NOT NULL"
    )
    op.execute(
        "UPDATE component_runs SET code_id = (SELECT c.id FROM code_snapshots c "
        f"WHERE c.digest = {digest.format('component_runs.code_snapshot')}) WHERE code_snapshot IS NOT NULL"
    )
    op.drop_column("component_runs", "code_snapshot")  # SQLite 3.35 and later, which RETURNING needs too


def downgrade() -> None:
    op.add_column("component_runs", sa.Column("code_snapshot", sa.Text(), nullable=True))
    op.execute(
        "UPDATE component_runs SET code_snapshot = (SELECT c.code FROM code_snapshots c "
        "WHERE c.id = component_runs.code_id) WHERE code_id IS NOT NULL"
    )
    op.drop_column("component_runs", "code_id")
    op.drop_table("code_snapshots")


def _sha256(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()
