"""The SQL of run filters and orderings (`query/filter_grammar.py` reads them): conditions on `component_runs`, with
every value a bound parameter, and the runs a filter selects, one page at a time.

A param or metric is looked up in its typed table (`run_params`, `run_metrics`) by `(run_id, key)`; a number
compares `num` (numbers; booleans as 0/1), a string `text` (strings; other values as their JSON), `true`/`false`
only booleans. A run without the key, and a NaN (stored as NULL), match no comparison, `!=` included. Strings
compare and sort by code point on both databases (`COLLATE "C"` on PostgreSQL); `like` is case-sensitive on
both (`%` any text, `_` one character, `\\` escapes), through GLOB on SQLite, whose LIKE ignores case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Float,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    exists,
    extract,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from mltrace.db.models import TEXT_PREFIX, component_tags, run_metrics, run_params, runs
from mltrace.db.queries import preview_runs
from mltrace.db.types import UTCDateTime
from mltrace.entities import ComponentRun
from mltrace.query.filter_grammar import (
    ATTRIBUTE,
    METRICS,
    TAG,
    TIME,
    Condition,
    Key,
    Order,
)

_COLUMNS = {
    "id": runs.c.id,
    "component": runs.c.component_name,
    "status": runs.c.status,
    "started": runs.c.start_ts,
    "ended": runs.c.end_ts,
    "git_commit": runs.c.git_hash,
    "code_hash": runs.c.code_hash,
    "notes": runs.c.notes,
    "inputs": runs.c.inputs_count,
    "outputs": runs.c.outputs_count,
}
_NULLABLE = {"git_commit", "code_hash"}
_INTEGERS = {"id", "inputs", "outputs"}


@dataclass(frozen=True)
class Selection:
    """Which runs (conditions, and optionally one component), in which order."""

    conditions: tuple[Condition, ...] = ()
    order: tuple[Order, ...] = ()
    component: str | None = None


def where_clause(selection: Selection, dialect: str) -> ColumnElement[bool]:
    """The conditions of a selection on `component_runs`, all of them."""
    clauses = [_condition(c, dialect) for c in selection.conditions]
    if selection.component is not None:
        clauses.append(runs.c.component_name == bindparam(None, selection.component, unique=True))
    return and_(*clauses) if clauses else true()


def search_run_ids(
    conn: Connection, selection: Selection, limit: int, before: tuple[datetime, int] | None = None
) -> list[int]:
    """Ids of the first `limit` runs of the selection in its order, after the run of the cursor `before`.

    The cursor is the one of recent runs (start, id) of the last run of the previous page. Ordered by start only,
    it is used as it is (as recent does); otherwise the values the order looks at are read from the run with that
    id, and a cursor naming no stored run ends the listing."""
    dialect = conn.dialect.name
    parts, source = _sort_parts(selection.order, dialect)
    query = select(runs.c.id).select_from(source).where(where_clause(selection, dialect))
    if before is not None:
        if [(o.key.kind, o.key.name) for o in selection.order] == [(ATTRIBUTE, "started")]:
            anchor: Sequence[Any] = (before[0], before[1])
        else:
            row = conn.execute(select(*(e for e, _ in parts)).select_from(source).where(runs.c.id == before[1])).first()
            if row is None:
                return []
            anchor = tuple(row)
        query = query.where(_after(parts, anchor))
    query = query.order_by(*(e.desc() if desc else e.asc() for e, desc in parts)).limit(limit)
    return list(conn.execute(query).scalars())


def search_runs(
    conn: Connection, selection: Selection, limit: int, before: tuple[datetime, int] | None = None
) -> list[ComponentRun]:
    """A page of the selection's runs, previewed as recent runs are (`queries.recent_runs`)."""
    return preview_runs(conn, search_run_ids(conn, selection, limit, before))


def ordered_selection(selection: Selection, dialect: str) -> Select[Any]:
    """`SELECT component_runs.id …` of the whole selection in its order (callers change the columns, add a limit)."""
    parts, source = _sort_parts(selection.order, dialect)
    query = select(runs.c.id).select_from(source).where(where_clause(selection, dialect))
    return query.order_by(*(e.desc() if desc else e.asc() for e, desc in parts))


# --- conditions -----------------------------------------------------------------------------------------------


def _bind(value: Any, type_: Any = None) -> Any:
    return bindparam(None, value, type_=type_, unique=True)


def _condition(condition: Condition, dialect: str) -> ColumnElement[bool]:
    key = condition.key
    if key.kind != ATTRIBUTE:
        return _value_condition(condition, dialect)
    if key.value_type == TAG:
        return _tag_condition(condition, dialect)
    column = _attribute(key.name, dialect)
    if key.value_type == TIME:
        values = [_bind(v, UTCDateTime()) for v in condition.values]
    elif key.name in _INTEGERS:
        numbers = [float(v) for v in condition.values]  # type: ignore[arg-type]
        if any(not n.is_integer() or abs(n) > 2**62 for n in numbers) and condition.op in ("=", "in"):
            numbers = [n for n in numbers if n.is_integer() and abs(n) <= 2**62]  # no run has such an id or count
            if not numbers:
                return false()
        values = [_bind(int(n) if n.is_integer() and abs(n) <= 2**62 else n) for n in numbers]
    elif key.name == "duration":
        values = [_bind(float(v), Float()) for v in condition.values]  # type: ignore[arg-type]
    else:
        values = [_bind(v) for v in condition.values]
        if condition.op not in ("=", "!=", "in", "like"):
            column = _bytewise(column, dialect)
    return _compare(column, condition.op, values, dialect)


def _compare(column: Any, op: str, values: list[Any], dialect: str) -> ColumnElement[bool]:
    if op == "in":
        return column.in_(values)
    if op == "like":
        return _like(column, values[0], dialect)
    return {
        "=": column.__eq__,
        "!=": column.__ne__,
        "<": column.__lt__,
        "<=": column.__le__,
        ">": column.__gt__,
        ">=": column.__ge__,
    }[op](values[0])


def _value_condition(condition: Condition, dialect: str) -> ColumnElement[bool]:
    """EXISTS a typed value of the run under the key that satisfies the condition."""
    table = (run_metrics if condition.key.kind == METRICS else run_params).alias()
    numbers = [v for v in condition.values if isinstance(v, float)]
    booleans = [v for v in condition.values if isinstance(v, bool)]
    texts = [v for v in condition.values if isinstance(v, str)]
    matches: list[ColumnElement[bool]] = []
    op = condition.op
    if numbers:
        matches.append(_compare(table.c.num, op, [_bind(n, Float()) for n in numbers], dialect))
    if booleans:
        flags = [_bind(1.0 if b else 0.0, Float()) for b in booleans]
        matches.append(and_(table.c.kind == "bool", _compare(table.c.num, op, flags, dialect)))
    if texts:
        matches.append(_text_match(table, op, texts, dialect))
    found = select(literal(1)).select_from(table)
    return exists(
        _probed(found.where(table.c.run_id == runs.c.id, table.c.key == _bind(condition.key.name), or_(*matches)))
    )


def _probed(subquery: Select[Any]) -> Select[Any]:
    """An EXISTS subquery PostgreSQL keeps as one primary-key probe per run it walks (OFFSET 0 stops it turning the
    subquery into a join). Otherwise, on tables without fresh statistics, it read every run with a matching
    value first: `metrics.accuracy > 0.95 and params.model = 'resnet18'` on 100,000 runs (20,000 with that model)
    took 390 ms; walking runs newest first and probing each stops at the page's 20th match."""
    return subquery.offset(literal_column("0"))


def _text_match(table: FromClause, op: str, texts: list[str], dialect: str) -> ColumnElement[bool]:
    """A string condition on `text`; equality through the prefix index (the key and the first TEXT_PREFIX
    characters), then on the whole text."""
    column = table.c.text
    if op == "=" or op == "in":
        prefixes = [_bind(t[:TEXT_PREFIX]) for t in texts]
        wholes = [_bind(t) for t in texts]
        prefix = func.substr(column, 1, TEXT_PREFIX)
        if op == "=":
            return and_(prefix == prefixes[0], column == wholes[0])
        return and_(prefix.in_(prefixes), column.in_(wholes))
    if op == "like":
        return _like(column, _bind(texts[0]), dialect)
    return _compare(_bytewise(column, dialect), op, [_bind(texts[0])], dialect)


def _tag_condition(condition: Condition, dialect: str) -> ColumnElement[bool]:
    """Whether the run's component carries the tag; `!=`: carries no such tag."""
    op = "=" if condition.op == "!=" else condition.op
    found = exists(
        select(literal(1))
        .select_from(component_tags)
        .where(
            component_tags.c.component_name == runs.c.component_name,
            _compare(component_tags.c.tag, op, [_bind(v) for v in condition.values], dialect),
        )
    )
    return not_(found) if condition.op == "!=" else found


def _like(column: Any, pattern: Any, dialect: str) -> ColumnElement[bool]:
    """Case-sensitive LIKE, `\\` escaping, on both databases (SQLite's LIKE ignores ASCII case: GLOB instead)."""
    if dialect == "sqlite":
        return column.op("GLOB")(_bind(glob_pattern(pattern.value)))  # type: ignore[no-any-return]
    return column.like(pattern)  # type: ignore[no-any-return]


def glob_pattern(like: str) -> str:
    """A LIKE pattern (`%`, `_`, `\\` escaping) as the GLOB pattern that matches the same texts."""
    out, chars = [], iter(like)
    for ch in chars:
        if ch == "\\":
            ch = next(chars, "\\")
            out.append(f"[{ch}]" if ch in "*?[" else ch)
        elif ch == "%":
            out.append("*")
        elif ch == "_":
            out.append("?")
        else:
            out.append(f"[{ch}]" if ch in "*?[" else ch)
    return "".join(out)


def _bytewise(column: Any, dialect: str) -> Any:
    """Text compared by code point: PostgreSQL's default collation may follow a locale, SQLite's does not."""
    return column.collate("C") if dialect == "postgresql" else column


def _attribute(name: str, dialect: str) -> Any:
    if name == "duration":
        return duration_seconds(dialect)
    return _COLUMNS[name]


def duration_seconds(dialect: str) -> ColumnElement[Any]:
    """A run's duration in seconds, in SQL."""
    if dialect == "postgresql":
        return extract("epoch", runs.c.end_ts - runs.c.start_ts)
    # SQLite keeps `YYYY-MM-DD HH:MM:SS.ffffff`: whole seconds from strftime, then the fractions (julianday's
    # doubles are off by tens of microseconds: 3 s came out as 2.99999…)
    whole = func.strftime("%s", runs.c.end_ts) - func.strftime("%s", runs.c.start_ts)
    fraction = func.substr(runs.c.end_ts, 20) - func.substr(runs.c.start_ts, 20)
    return func.round(whole + fraction, 6)  # type: ignore[no-any-return]


# --- orderings ------------------------------------------------------------------------------------------------


def _sort_parts(order: Sequence[Order], dialect: str) -> tuple[list[tuple[Any, bool]], FromClause]:
    """The expressions an ordering sorts by, none of them NULL, each with whether it is descending, ending with
    the run id; and the FROM clause they need (a value table joined per param or metric term).

    A param or metric sorts runs that have a number first, then those with a text, then those without a value
    (or a NaN), whichever the direction."""
    parts: list[tuple[Any, bool]] = []
    source: FromClause = runs
    for term in order:
        key, desc = term.key, term.descending
        if key.kind == ATTRIBUTE:
            column = _attribute(key.name, dialect)
            if key.name in _NULLABLE:
                parts.append((case((column.is_(None), 1), else_=0), False))
                parts.append((_bytewise(func.coalesce(column, ""), dialect), desc))
            elif key.name in ("component", "status", "notes"):
                parts.append((_bytewise(column, dialect), desc))
            else:
                parts.append((column, desc))
            continue
        table = _value_table(key).alias()
        source = source.outerjoin(table, and_(table.c.run_id == runs.c.id, table.c.key == _bind(key.name)))
        parts.append((case((and_(table.c.num.is_(None), table.c.text.is_(None)), 1), else_=0), False))
        parts.append((case((table.c.num.is_(None), 1), else_=0), False))
        parts.append((func.coalesce(table.c.num, literal(0.0, Float())), desc))
        parts.append((_bytewise(func.coalesce(table.c.text, ""), dialect), desc))
    last_desc = order[-1].descending if order else True
    parts.append((runs.c.id, last_desc))
    return parts, source


def _value_table(key: Key) -> Any:
    return run_metrics if key.kind == METRICS else run_params


def _after(parts: list[tuple[Any, bool]], anchor: Sequence[Any]) -> ColumnElement[bool]:
    """Rows after the anchor's values in the order of `parts`: a row comparison when every part goes the same way
    (an index range on PostgreSQL), else its expansion."""
    types = [UTCDateTime() if isinstance(a, datetime) else Integer() if isinstance(a, int) else None for a in anchor]
    values = [_bind(a, t) for a, t in zip(anchor, types, strict=True)]
    directions = {desc for _, desc in parts}
    if len(directions) == 1:
        left, right = tuple_(*(e for e, _ in parts)), tuple_(*values)
        return left < right if directions.pop() else left > right
    alternatives = []
    for i, (expr, desc) in enumerate(parts):
        earlier = [parts[j][0] == values[j] for j in range(i)]
        alternatives.append(and_(*earlier, expr < values[i] if desc else expr > values[i]))
    return or_(*alternatives)
