"""Read-only SQL views over runs, params and metrics, for psql, DuckDB or a BI tool (documented in docs/API.md).

They name columns for readers, not for mltrace's queries, so the internal tables can change behind them.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

_DURATION = {
    "postgresql": "EXTRACT(EPOCH FROM (r.end_ts - r.start_ts))",
    "sqlite": "(julianday(r.end_ts) - julianday(r.start_ts)) * 86400.0",
}

VIEWS = {
    "mltrace_runs": """
        SELECT r.id AS run_id, r.component_name AS component, r.status, r.start_ts AS started, r.end_ts AS ended,
               {duration} AS duration_s, r.git_hash AS git_commit, r.code_hash, r.error, r.notes,
               r.inputs_count, r.outputs_count
        FROM component_runs r""",
    "mltrace_params": """
        SELECT p.run_id, r.component_name AS component, p.key, p.kind, p.num AS value_number, p.text AS value_text
        FROM run_params p JOIN component_runs r ON r.id = p.run_id""",
    "mltrace_metrics": """
        SELECT m.run_id, r.component_name AS component, m.key, m.kind, m.num AS value_number, m.text AS value_text
        FROM run_metrics m JOIN component_runs r ON r.id = m.run_id""",
    "mltrace_metric_steps": """
        SELECT s.run_id, r.component_name AS component, s.key, s.step, s.num AS value, s.ts AS logged
        FROM run_metric_steps s JOIN component_runs r ON r.id = s.run_id""",
}


def create_views(conn: Connection) -> None:
    """Creates every view (part of migration 0005)."""
    duration = _DURATION.get(conn.dialect.name, _DURATION["postgresql"])
    for name, query in VIEWS.items():
        conn.execute(text(f"CREATE VIEW {name} AS {query.format(duration=duration)}"))


def drop_views(conn: Connection) -> None:
    """Drops every view: before the tables they read are dropped."""
    for name in VIEWS:
        conn.execute(text(f"DROP VIEW IF EXISTS {name}"))
