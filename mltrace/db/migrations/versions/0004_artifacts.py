"""artifacts and cached steps

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-05 00:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_artifacts",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("pointer_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("serializer", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "pointer_id"),
    )
    op.create_index("ix_run_artifacts_digest", "run_artifacts", ["digest"], unique=False)
    op.create_index("ix_run_artifacts_pointer", "run_artifacts", ["pointer_id", "run_id"], unique=False)
    op.create_table(
        "run_cache",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("cache_key", sa.String(length=64), nullable=False),
        sa.Column("component_name", sa.String(length=255), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("result_digest", sa.String(length=64), nullable=True),
        sa.Column("result_serializer", sa.String(length=16), nullable=True),
        sa.Column("reused_run_key", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("run_id"),
    )
    op.create_index("ix_run_cache_key", "run_cache", ["cache_key", "run_id"], unique=False)
    op.create_index("ix_run_cache_component", "run_cache", ["component_name", "run_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_run_cache_component", table_name="run_cache")
    op.drop_index("ix_run_cache_key", table_name="run_cache")
    op.drop_table("run_cache")
    op.drop_index("ix_run_artifacts_pointer", table_name="run_artifacts")
    op.drop_index("ix_run_artifacts_digest", table_name="run_artifacts")
    op.drop_table("run_artifacts")
