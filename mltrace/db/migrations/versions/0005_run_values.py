"""params and metrics as typed rows, step series, and read-only views for other tools

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 05:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

from mltrace.db.models import TEXT_PREFIX
from mltrace.db.run_values import VALUE_COLUMNS, value_rows
from mltrace.db.views import create_views, drop_views

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for name in ("run_params", "run_metrics"):
        op.create_table(
            name,
            sa.Column("run_id", sa.Integer(), nullable=False),
            sa.Column("key", sa.String(length=255), nullable=False),
            sa.Column("kind", sa.String(length=8), nullable=False),
            sa.Column("num", sa.Float(), nullable=True),
            sa.Column("text", sa.Text(), nullable=True),
            sa.PrimaryKeyConstraint("run_id", "key"),
        )
        op.create_index(f"ix_{name}_key_num", name, ["key", "num", "run_id"], unique=False)
        op.create_index(f"ix_{name}_key_text", name, ["key", sa.text(f"substr(text, 1, {TEXT_PREFIX})")], unique=False)
    op.create_table(
        "run_metric_steps",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("step", sa.BigInteger(), nullable=False),
        sa.Column("num", sa.Float(), nullable=True),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "key", "step"),
    )
    _copy_values_of_stored_runs()
    create_views(op.get_bind())


def downgrade() -> None:
    drop_views(op.get_bind())
    op.drop_table("run_metric_steps")
    for name in ("run_metrics", "run_params"):
        op.drop_index(f"ix_{name}_key_text", table_name=name)
        op.drop_index(f"ix_{name}_key_num", table_name=name)
        op.drop_table(name)


def _copy_values_of_stored_runs() -> None:
    """Fills the value tables from the JSON of the runs stored before this revision."""
    conn = op.get_bind()
    runs = sa.table("component_runs", sa.column("id"), sa.column("params", sa.JSON), sa.column("metrics", sa.JSON))
    for field in ("params", "metrics"):
        target = sa.table(f"run_{field}", *(sa.column(c) for c in VALUE_COLUMNS))
        batch: list[dict[str, object]] = []
        for run_id, values in conn.execute(sa.select(runs.c.id, runs.c[field])):
            batch.extend(dict(zip(VALUE_COLUMNS, row, strict=True)) for row in value_rows(run_id, values or {}))
            if len(batch) >= 5000:
                conn.execute(sa.insert(target), batch)
                batch = []
        if batch:
            conn.execute(sa.insert(target), batch)
