"""OpenLineage events and names

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 00:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "openlineage_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("run_uuid", sa.String(length=36), nullable=True),
        sa.Column("parent_uuid", sa.String(length=36), nullable=True),
        sa.Column("event_type", sa.String(length=16), nullable=True),
        sa.Column("event_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest"),
    )
    op.create_index("ix_openlineage_events_run", "openlineage_events", ["run_uuid", "id"], unique=False)
    op.create_index("ix_openlineage_events_parent", "openlineage_events", ["parent_uuid"], unique=False)
    op.create_table(
        "openlineage_names",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("mltrace_name", sa.Text(), nullable=False),
        sa.Column("namespace", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "mltrace_name"),
    )


def downgrade() -> None:
    op.drop_table("openlineage_names")
    op.drop_index("ix_openlineage_events_parent", table_name="openlineage_events")
    op.drop_index("ix_openlineage_events_run", table_name="openlineage_events")
    op.drop_table("openlineage_events")
