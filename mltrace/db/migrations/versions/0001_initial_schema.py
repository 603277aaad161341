"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 11:27:52.567131
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "components",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "io_pointers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("pointer_type", sa.String(length=16), nullable=False),
        sa.Column("flag", sa.Boolean(), nullable=False),
        sa.Column("flag_reason", sa.Text(), nullable=True),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_index(
        "ix_io_pointers_flagged",
        "io_pointers",
        ["flagged_at"],
        unique=False,
        postgresql_where=sa.text("flag"),
        sqlite_where=sa.text("flag = 1"),
    )
    op.create_table(
        "component_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("component_name", sa.String(length=255), nullable=False),
        sa.Column("start_ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("code_snapshot", sa.Text(), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("git_hash", sa.String(length=64), nullable=True),
        sa.Column("git_tags", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("test_results", sa.JSON(), nullable=False),
        sa.Column("stale", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("staleness_threshold_s", sa.Float(), nullable=False),
        sa.Column("inputs_count", sa.Integer(), nullable=False),
        sa.Column("outputs_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index(
        "ix_component_runs_component_start", "component_runs", ["component_name", "start_ts", "id"], unique=False
    )
    op.create_index("ix_component_runs_start", "component_runs", ["start_ts", "id"], unique=False)
    op.create_table(
        "component_tags",
        sa.Column("component_name", sa.String(length=255), nullable=False),
        sa.Column("tag", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["component_name"],
            ["components.name"],
        ),
        sa.PrimaryKeyConstraint("component_name", "tag"),
    )
    op.create_index("ix_component_tags_tag", "component_tags", ["tag"], unique=False)
    op.create_table(
        "run_dependencies",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("upstream_id", sa.Integer(), nullable=False),
        sa.Column("pointer_id", sa.Integer(), nullable=True),
        sa.Column("explicit", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_run_dependencies_run", "run_dependencies", ["run_id"], unique=False)
    op.create_index("ix_run_dependencies_upstream", "run_dependencies", ["upstream_id"], unique=False)
    op.create_table(
        "run_inputs",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("pointer_id", sa.Integer(), nullable=False),
        sa.Column("value_hash", sa.String(length=128), nullable=True),
        sa.Column("start_ts", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "pointer_id"),
    )
    op.create_index("ix_run_inputs_pointer_start", "run_inputs", ["pointer_id", "start_ts"], unique=False)
    op.create_table(
        "run_outputs",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("pointer_id", sa.Integer(), nullable=False),
        sa.Column("value_hash", sa.String(length=128), nullable=True),
        sa.Column("end_ts", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "pointer_id"),
    )
    op.create_index("ix_run_outputs_pointer_end", "run_outputs", ["pointer_id", "end_ts", "run_id"], unique=False)


def downgrade() -> None:

    op.drop_index("ix_run_outputs_pointer_end", table_name="run_outputs")
    op.drop_table("run_outputs")
    op.drop_index("ix_run_inputs_pointer_start", table_name="run_inputs")
    op.drop_table("run_inputs")
    op.drop_index("ix_run_dependencies_upstream", table_name="run_dependencies")
    op.drop_index("ix_run_dependencies_run", table_name="run_dependencies")
    op.drop_table("run_dependencies")
    op.drop_index("ix_component_tags_tag", table_name="component_tags")
    op.drop_table("component_tags")
    op.drop_index("ix_component_runs_start", table_name="component_runs")
    op.drop_index("ix_component_runs_component_start", table_name="component_runs")
    op.drop_table("component_runs")
    op.drop_index("ix_io_pointers_flagged", table_name="io_pointers")
    op.drop_table("io_pointers")
    op.drop_table("components")
