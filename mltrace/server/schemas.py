"""The marshmallow schemas that decide every JSON shape of the API: requests, responses and errors.

The same classes validate arguments, serialize answers and generate the OpenAPI document.
Responses are dumped from the client's entities (ComponentRun, Component, IOPointer) and dicts.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from mltrace.entities import ComponentRun, PointerType
from mltrace.entities.artifact import SERIALIZER_NAMES
from mltrace.entities.component_run import MAX_RUN_ID, PREVIEW_SIZE
from mltrace.entities.cursor import PATTERN as CURSOR_PATTERN
from mltrace.entities.cursor import decode_cursor, encode_cursor
from mltrace.entities.limits import (
    MAX_DIGEST_CHARS,
    MAX_NAME_CHARS,
    MAX_POINTER_NAME_BYTES,
    MAX_VALUE_HASH_CHARS,
    RUN_STATUSES,
    cut_code,
    json_problem,
    text_problem,
)
from mltrace.entities.run_wire import from_wire
from mltrace.entities.series import MAX_STEP, MIN_STEP, SeriesPoint, to_float
from mltrace.entities.times import iso_utc, parse_utc, parse_utc_clamped
from mltrace.lineage.evidence import WEIGHTS as EVIDENCE_WEIGHTS
from mltrace.lineage.evidence import Evidence
from mltrace.query.filter_grammar import MAX_FILTER_CHARS
from mltrace.server.errors import ERROR_CODES, ApiError
from mltrace.server.limits import current_limits, limited

MAX_ID = MAX_RUN_ID
MAX_LIMIT = 500
MAX_IDS = 200  # run ids per `GET /runs?ids=`: a request line within 4 kB
NO_NUL = "^[^\\u0000]*$"  # what PostgreSQL's text holds, as an OpenAPI pattern
POINTER_TYPES = [t.value for t in PointerType]


class Extended:
    """An entity seen with extra attributes (a run with its review score, a component with its runs)."""

    def __init__(self, base: Any, **extra: Any) -> None:
        self._base = base
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)


# --- fields ------------------------------------------------------------------


class Text(fields.String):
    """A text both databases store as it is (`entities.limits`): no NUL, no lone surrogate, at least `min_chars`
    characters, at most `max_chars` characters or `max_bytes` bytes of UTF-8, or the server's limit named `limit`."""

    def __init__(
        self,
        *,
        min_chars: int = 0,
        max_chars: int | None = None,
        max_bytes: int | None = None,
        limit: str | None = None,
        **kwargs: Any,
    ) -> None:
        metadata: dict[str, Any] = {"pattern": NO_NUL, **kwargs.pop("metadata", {})}
        if min_chars:
            metadata["minLength"] = min_chars
        if max_chars is not None or max_bytes is not None:
            metadata["maxLength"] = max_chars if max_chars is not None else max_bytes
        if max_bytes is not None:
            note = f"At most {max_bytes} bytes in UTF-8."
            metadata["description"] = f"{metadata['description']} {note}" if "description" in metadata else note
        if limit is not None:
            metadata.update(limited(limit))
        super().__init__(metadata=metadata, **kwargs)
        self.min_chars, self.max_chars, self.max_bytes, self.limit = min_chars, max_chars, max_bytes, limit

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) < self.min_chars:
            raise ma.ValidationError("Must not be empty." if self.min_chars == 1 else f"Shorter than {self.min_chars}.")
        max_chars = getattr(current_limits(), self.limit) if self.limit is not None else self.max_chars
        if problem := text_problem(text, max_chars, self.max_bytes):
            raise ma.ValidationError(f"Cannot be stored: it {problem}.")
        return text


class JsonKey(fields.String):
    """A key of free JSON: any text but a lone surrogate (JSON text escapes NUL)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if problem := json_problem(text):
            raise ma.ValidationError(f"Cannot be stored: it {problem}.")
        return text


class RunTime(fields.DateTime):
    """A time of a captured run: ISO 8601 (naive means UTC), kept as UTC within the years 1–9999."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        if not isinstance(value, str):
            raise ma.ValidationError("Not a valid ISO 8601 time.")
        try:
            return parse_utc(value)
        except ValueError:
            raise ma.ValidationError("Not a valid ISO 8601 time within the years 1-9999 in UTC.") from None


class UtcDateTime(fields.DateTime):
    """ISO 8601 in UTC with microseconds on output (`2026-11-20T09:00:00.123456+00:00`)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return iso_utc(parse_utc(value) if isinstance(value, str) else value)


class Timestamp(fields.DateTime):
    """An ISO 8601 bound of a query; naive means UTC, and a bound beyond the years 1–9999 in UTC is the first or
    last time there is (`since=0001-01-01T00:00:00+14:00` is every run)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        try:
            return parse_utc_clamped(value if isinstance(value, str) else str(value))
        except ValueError:
            raise ma.ValidationError("Not a valid ISO 8601 timestamp.") from None


class JsonData(fields.Raw):
    """Free JSON (params, metrics, test results), null included, nested at most `MAX_JSON_DEPTH` levels;
    NaN and ±Infinity travel as the strings "NaN", "Infinity"."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_none=True, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return _finite(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if problem := json_problem(value):
            raise ma.ValidationError(f"Cannot be stored: it {problem}.")
        return _finite(value)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


class ScalarValue(fields.Field):
    """A param or metric set on a stored run: a number, a string or a boolean. The strings "NaN", "Infinity" and
    "-Infinity" are numbers (how strict JSON carries them)."""

    def __init__(self, **kwargs: Any) -> None:
        one_of = [{"type": "number"}, {"type": "string", "pattern": NO_NUL}, {"type": "boolean"}]
        super().__init__(metadata={"oneOf": one_of, **kwargs.pop("metadata", {})}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            if problem := text_problem(value):
                raise ma.ValidationError(f"Cannot be stored: it {problem}.")
            return value
        if not isinstance(value, (bool, int, float)):
            raise ma.ValidationError("Must be a number, a string or a boolean.")
        return value


class SeriesNumber(fields.Field):
    """A point's value: a number, or "NaN", "Infinity", "-Infinity"."""

    def __init__(self, **kwargs: Any) -> None:
        one_of = [{"type": "number"}, {"type": "string", "enum": ["NaN", "Infinity", "-Infinity"]}]
        super().__init__(metadata={"oneOf": one_of, **kwargs.pop("metadata", {})}, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return _finite(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        number = to_float(value) if not isinstance(value, bool) else None
        if number is None:
            raise ma.ValidationError('Must be a number, "NaN", "Infinity" or "-Infinity".')
        return number


class Cursor(fields.String):
    """The opaque `before` cursor of recent runs (`entities.cursor`): every text of its pattern is one.

    Dumped from the last run of a page; loaded as the `(start, id)` pair `Client.recent` takes.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(metadata={"pattern": CURSOR_PATTERN, **kwargs.pop("metadata", {})}, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return encode_cursor(value.start_timestamp, value.id)

    def _deserialize(  # type: ignore[override]  # a cursor loads as the pair Client.recent takes
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> tuple[datetime, int]:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return decode_cursor(text)
        except ValueError:
            raise ma.ValidationError("Not a valid cursor (use the `next` value of the previous page).") from None


RUN_IDS_PATTERN = f"^[0-9]{{1,10}}(,[0-9]{{1,10}}){{0,{MAX_IDS - 1}}}$"
_RUN_IDS = re.compile(RUN_IDS_PATTERN)


class RunIds(fields.String):
    """Comma-separated run ids (`3,5,8`, at most `MAX_IDS`), loaded as a list of integers without repeats, in the
    order given; ids no run can have (0, past the largest id) are left out like unknown ones."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(metadata={"pattern": RUN_IDS_PATTERN, **kwargs.pop("metadata", {})}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[int]:  # type: ignore[override]
        text = super()._deserialize(value, attr, data, **kwargs)
        if not _RUN_IDS.fullmatch(text):
            raise ma.ValidationError(f"Not a comma-separated list of at most {MAX_IDS} run ids (`3,5,8`).")
        return [rid for rid in dict.fromkeys(int(part) for part in text.split(",")) if 0 < rid <= MAX_ID]


def _limit(default: int) -> fields.Integer:
    return fields.Integer(
        load_default=default,
        validate=validate.Range(1, MAX_LIMIT),
        metadata={"description": f"How many items to return (1–{MAX_LIMIT})."},
    )


# --- query arguments -----------------------------------------------------------


class QueryArgs(ma.Schema):
    """Query-string arguments. An empty value is a value: `?limit=` is invalid, `?tag=` is an empty text."""


_WHERE_NOTE_RECENT = "Only the runs this filter selects (MLflow's search syntax, docs/API.md: Querying runs)."
_ORDER_NOTE_RECENT = "Their order: keys with `asc`/`desc`, comma-separated; default `started desc` (newest first)."


class RecentArgs(QueryArgs):
    limit = _limit(20)
    before = Cursor(metadata={"description": "The `next` cursor of the previous page."})
    where = Text(max_chars=MAX_FILTER_CHARS, metadata={"description": _WHERE_NOTE_RECENT})
    order_by = Text(max_chars=MAX_FILTER_CHARS, metadata={"description": _ORDER_NOTE_RECENT})
    ids = RunIds(
        metadata={
            "description": f"Instead of the newest runs: the runs with these ids (comma-separated, at most "
            f"{MAX_IDS}), whole, in the order given; unknown ids are left out. `before` and `limit` are ignored."
        }
    )


_WHERE_NOTE = (
    "A filter in MLflow's search syntax (docs/API.md, Querying runs): `metrics.accuracy > 0.9 and status = 'success'`."
)
_ORDER_NOTE = (
    "An ordering: keys with `asc`/`desc`, comma-separated (`metrics.accuracy desc, started`); default `started desc`."
)


class ExportArgs(QueryArgs):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "json"]))
    where = Text(max_chars=MAX_FILTER_CHARS, metadata={"description": _WHERE_NOTE})
    order_by = Text(max_chars=MAX_FILTER_CHARS, metadata={"description": _ORDER_NOTE})
    component = Text(metadata={"description": "Only the runs of this component."})
    limit = fields.Integer(validate=validate.Range(1, 2**31 - 1), metadata={"description": "At most this many runs."})


class HistoryArgs(QueryArgs):
    limit = _limit(10)
    before = Cursor(metadata={"description": "The `next` cursor of the previous page."})
    since = Timestamp(metadata={"description": "Runs that started at or after this time (ISO 8601; naive is UTC)."})
    until = Timestamp(metadata={"description": "Runs that started before this time (ISO 8601; naive is UTC)."})


class ComponentFilterArgs(QueryArgs):
    tag = Text(metadata={"description": "Only components with this tag (empty: any)."})
    owner = Text(metadata={"description": "Only components with this owner (empty: any)."})


class TraceArgs(QueryArgs):
    output_id = Text(required=True, min_chars=1, metadata={"description": "The output whose lineage to trace."})
    direction = fields.String(load_default="upstream", validate=validate.OneOf(["upstream", "downstream"]))
    depth = fields.Integer(
        validate=validate.Range(1, MAX_ID),
        metadata={"description": "How many runs deep to go (1: the producer or direct readers)."},
    )
    run_id = fields.Integer(
        validate=validate.Range(1, MAX_ID),
        metadata={"description": "Trace upstream from this run instead of the latest writer."},
    )


class ReviewArgs(QueryArgs):
    limit = _limit(20)
    offset = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0),
        metadata={"description": "How many of the most suspicious runs to skip (to page through them)."},
    )


class SearchArgs(QueryArgs):
    q = Text(load_default="", limit="max_search_chars", metadata={"description": "Text to complete."})
    limit = _limit(20)


# --- request bodies --------------------------------------------------------------


class NotesBody(ma.Schema):
    notes = Text(required=True)


def _value_names() -> Text:
    return Text(min_chars=1, max_chars=MAX_NAME_CHARS)


class ValuesBody(ma.Schema):
    """Params and metrics to add to a stored run or replace on it (the others are kept): `params`, `metrics` or
    both."""

    params = fields.Dict(keys=_value_names(), values=ScalarValue(), load_default=dict)
    metrics = fields.Dict(
        keys=_value_names(),
        values=ScalarValue(),
        load_default=dict,
        metadata={"description": "Run-level values: a step series logged under the same name is kept as it is."},
    )

    @ma.validates_schema(pass_original=True)
    def _something_to_set(self, data: dict[str, Any], original: Any, **kwargs: Any) -> None:
        if not (isinstance(original, dict) and ("params" in original or "metrics" in original)):
            raise ma.ValidationError("Give `params`, `metrics` or both.")


class SeriesArgs(QueryArgs):
    key = fields.List(
        Text(min_chars=1, max_chars=MAX_NAME_CHARS),
        metadata={"description": "Only the series of these metrics (repeat: `?key=loss&key=accuracy`)."},
    )


class SeriesColumnsSchema(ma.Schema):
    """One step series of a captured run: three lists of one length, point by point."""

    step = fields.List(fields.Integer(strict=True, validate=validate.Range(MIN_STEP, MAX_STEP)), required=True)
    value = fields.List(SeriesNumber(), required=True)
    logged = fields.List(RunTime(), required=True, metadata={"description": "When each point was logged."})

    @ma.validates_schema
    def _one_length(self, data: dict[str, Any], **kwargs: Any) -> None:
        lengths = {len(data.get(name, [])) for name in ("step", "value", "logged")}
        if len(lengths) > 1:
            raise ma.ValidationError("step, value and logged must be lists of one length.")
        if len(set(data.get("step", []))) != len(data.get("step", [])):
            raise ma.ValidationError("A step appears more than once.", "step")


class FlagBody(ma.Schema):
    reason = Text(allow_none=True, load_default=None)


class PointerRecordSchema(ma.Schema):
    """An input or output as the client captured it."""

    name = Text(required=True, min_chars=1, max_bytes=MAX_POINTER_NAME_BYTES)
    value_hash = Text(allow_none=True, max_chars=MAX_VALUE_HASH_CHARS)
    type = fields.String(
        allow_none=True,
        validate=validate.OneOf(POINTER_TYPES),
        metadata={"description": "null: inferred from the name."},
    )


def _digest() -> Text:
    return Text(allow_none=True, max_chars=MAX_DIGEST_CHARS)


class ArtifactRecordSchema(ma.Schema):
    """An output of a captured run whose bytes the client stored in the artifact store."""

    name = Text(required=True, validate=validate.Length(min=1))
    digest = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    size = fields.Integer(required=True, strict=True, validate=validate.Range(0, 2**63 - 1))
    serializer = fields.String(required=True, validate=validate.OneOf(SERIALIZER_NAMES))


class CacheRecordSchema(ma.Schema):
    """The cache key of a captured run of a step marked `cache=True`."""

    key = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    parts = fields.Dict(keys=Text(), values=Text(validate=validate.Length(max=128)))
    result_digest = fields.String(allow_none=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    result_serializer = fields.String(allow_none=True, validate=validate.OneOf(SERIALIZER_NAMES))
    reused_run_key = Text(allow_none=True, validate=validate.Length(1, 64))


class RunRecordSchema(ma.Schema):
    """One captured run, as `entities.run_wire.to_wire` writes it (the client's spool format)."""

    component = Text(required=True, min_chars=1, max_chars=MAX_NAME_CHARS)
    start = RunTime(required=True, metadata={"description": "ISO 8601 (naive: UTC), within the years 1-9999 in UTC."})
    end = RunTime(required=True, metadata={"description": "Not before `start`."})
    status = fields.String(
        validate=validate.OneOf(RUN_STATUSES),
        metadata={"description": "`cached` only with `cache.reused_run_key`, the run whose result it returned."},
    )
    error = Text(allow_none=True)
    inputs = fields.List(fields.Nested(PointerRecordSchema))
    outputs = fields.List(fields.Nested(PointerRecordSchema))
    upstream = fields.List(
        fields.Integer(strict=True, validate=validate.Range(1, MAX_ID)),
        metadata={"description": "Ids of stored runs this run depends on besides those found through its inputs."},
    )
    code_snapshot = Text(allow_none=True, metadata={"description": "Cut at the server's MLTRACE_CODE_SNAPSHOT_MAX."})
    code_hash = _digest()
    git_hash = _digest()
    git_tags = fields.List(Text())
    notes = Text()
    params = fields.Dict(keys=JsonKey(), values=JsonData())
    metrics = fields.Dict(keys=JsonKey(), values=JsonData())
    test_results = fields.List(fields.Dict(keys=JsonKey(), values=JsonData()))
    warnings = fields.List(Text())
    staleness_threshold_s = fields.Float(validate=validate.Range(min=0))
    component_owner = Text(allow_none=True, max_chars=MAX_NAME_CHARS)
    component_description = Text(allow_none=True)
    component_tags = fields.List(Text(min_chars=1, max_chars=MAX_NAME_CHARS))
    key = Text(
        min_chars=1, max_chars=MAX_DIGEST_CHARS, metadata={"description": "Idempotency key: a stored key is skipped."}
    )
    artifacts = fields.List(
        fields.Nested(ArtifactRecordSchema),
        metadata={"description": "Outputs stored as bytes: each `name` is one of `outputs`."},
    )
    cache = fields.Nested(CacheRecordSchema, metadata={"description": "A cached step's key (absent when none)."})
    series = fields.Dict(
        keys=Text(min_chars=1, max_chars=MAX_NAME_CHARS),
        values=fields.Nested(SeriesColumnsSchema),
        metadata={"description": "Step series by metric (absent when none); each one's last value is the metric's."},
    )

    @ma.validates_schema
    def _ends_after_it_starts(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "start" in data and "end" in data and data["end"] < data["start"]:
            raise ma.ValidationError("Must not be before start.", "end")

    @ma.post_load
    def _to_record(self, data: dict[str, Any], **kwargs: Any) -> ComponentRun:
        if data.get("code_snapshot"):
            data["code_snapshot"] = cut_code(data["code_snapshot"], current_limits().code_snapshot_max)
        try:
            record = from_wire(data)
        except (ValueError, TypeError, KeyError) as exc:
            raise ma.ValidationError(str(exc)) from None
        problems = record.problems()  # the limits every store applies, so that a run is refused here, named
        if problems:
            raise ma.ValidationError(problems)
        return record


class IngestBody(ma.Schema):
    runs = fields.List(
        fields.Nested(RunRecordSchema),
        required=True,
        metadata={"description": "Every record is validated before any is stored.", **limited("max_runs_per_post")},
    )

    @ma.pre_load
    def _not_too_many(self, data: Any, **kwargs: Any) -> Any:
        runs, most = data.get("runs") if isinstance(data, dict) else None, current_limits().max_runs_per_post
        if isinstance(runs, list) and len(runs) > most:
            raise ApiError(
                413,
                "too_large",
                f"{len(runs)} runs in one request; at most {most} are taken: send them in smaller batches.",
                {"runs": len(runs), "max_runs_per_post": most},
            )
        return data


# --- responses -------------------------------------------------------------------


class HealthSchema(ma.Schema):
    status = fields.String(metadata={"description": "`ok`"})
    version = fields.String()
    database = fields.String(validate=validate.OneOf(["sqlite", "postgresql"]))


class RunPointerSchema(ma.Schema):
    """An input or output of a run, with the version (value hash) the run read or wrote."""

    name = fields.String()
    type = fields.Enum(PointerType, by_value=True, attribute="pointer_type")
    value_hash = fields.String(allow_none=True)
    flagged = fields.Boolean(attribute="flag")


class PointerSchema(RunPointerSchema):
    """A logged input or output with its flag."""

    flag_reason = fields.String(allow_none=True)
    flagged_at = UtcDateTime(allow_none=True)


class ComponentSchema(ma.Schema):
    name = fields.String()
    owner = fields.String()
    description = fields.String()
    tags = fields.List(fields.String())


_PREVIEW_NOTE = f"In lists of runs, at most {PREVIEW_SIZE}: the first stored (lowest pointer id), sorted by name."


class RunSchema(ma.Schema):
    """A component run (without its code snapshot).

    In lists of runs `inputs` and `outputs` are a preview; the counts say how many there are.
    """

    id = fields.Integer()
    component = fields.String(attribute="component_name")
    start = UtcDateTime(attribute="start_timestamp")
    end = UtcDateTime(attribute="end_timestamp")
    duration_ms = fields.Float(allow_none=True)
    status = fields.String(validate=validate.OneOf(RUN_STATUSES))
    error = fields.String(allow_none=True)
    inputs = fields.List(fields.Nested(RunPointerSchema), metadata={"description": _PREVIEW_NOTE})
    outputs = fields.List(fields.Nested(RunPointerSchema), metadata={"description": _PREVIEW_NOTE})
    inputs_count = fields.Integer(metadata={"description": "How many inputs the run has."})
    outputs_count = fields.Integer(metadata={"description": "How many outputs the run has."})
    dependencies = fields.List(fields.Integer(), metadata={"description": "Ids of the upstream runs."})
    code_hash = fields.String(allow_none=True)
    git_hash = fields.String(allow_none=True)
    git_tags = fields.List(fields.String())
    notes = fields.String()
    params = fields.Dict(keys=fields.String(), values=JsonData())
    metrics = fields.Dict(keys=fields.String(), values=JsonData())
    test_results = fields.List(fields.Dict(keys=fields.String(), values=JsonData()))
    stale = fields.List(fields.String(), metadata={"description": "Staleness messages, one per outdated input."})
    warnings = fields.List(fields.String())


class SuspectMarkSchema(ma.Schema):
    """Why a run or output is suspect (computed when asked, never stored)."""

    reason = fields.String()
    source = fields.String(
        metadata={"description": "`output:<output id>` (a flagged output) or `run:<run id>` (a failed test)."}
    )


_SUSPECT_NOTE = (
    "Why it is suspect: for each flagged output upstream of it (or read by it) and each upstream run with a failed"
    " test, one mark; empty when none. Computed when asked, so `unflag` clears what a flag caused."
)


def _suspect() -> fields.List:
    return fields.List(fields.Nested(SuspectMarkSchema), metadata={"description": _SUSPECT_NOTE})


class SuspectRunSchema(RunSchema):
    """A run with its suspect marks."""

    suspect = _suspect()


class RunDetailSchema(SuspectRunSchema):
    """A run with all its inputs and outputs, its code snapshot, its component and its suspect marks."""

    code_snapshot = fields.String(allow_none=True)
    component_info = fields.Nested(ComponentSchema)
    reused_run_id = fields.Integer(
        allow_none=True,
        metadata={"description": "Only for a `cached` run: the run whose result it returned (null if not stored)."},
    )


class EvidenceSchema(ma.Schema):
    """Something the run recorded that makes it more suspect."""

    kind = fields.String(
        validate=validate.OneOf(sorted(EVIDENCE_WEIGHTS)),
        metadata={
            "description": "`failed_test`: one of its tests failed; `outlier_metric`: a metric far from its "
            "component's recent runs (robust z-score ≥ 3.5, or ≥ 2× the median when they agree); `rare_param`: "
            "a param value other than the one ≥ 90% of its component's recent runs had."
        },
    )
    key = fields.String(metadata={"description": "The test (`Test.method`), metric or param."})
    value = JsonData(metadata={"description": "The run's value (for a failed test, its error)."})
    usual = JsonData(metadata={"description": "The median or usual value of the recent runs (null for a test)."})
    message = fields.String(metadata={"description": "One sentence saying why."})


class RankedRunSchema(RunSchema):
    """A run suspected by review."""

    count = fields.Integer(metadata={"description": "Flagged outputs downstream of the run."})
    coverage = fields.Float(metadata={"description": "count ÷ all flagged outputs (0–1)."})
    score = fields.Float(
        metadata={"description": "Suspicion: Ochiai × (1 + one per piece of evidence); higher is more suspicious."}
    )
    evidence = fields.List(
        fields.Nested(EvidenceSchema),
        metadata={"description": "What raised the score beyond the run's place in the lineage; often empty."},
    )


class ComponentWithRunsSchema(ComponentSchema):
    recent_runs = fields.List(fields.Nested(RunSchema), metadata={"description": "At most 5, newest first."})


class SeriesPointSchema(ma.Schema):
    step = fields.Integer()
    value = SeriesNumber()
    logged = UtcDateTime(metadata={"description": "When the point was logged."})


class SeriesPoints(fields.List):
    """A series' points, dumped without a schema per point (100,000 of them: 0.5 s instead of 2 s)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(fields.Nested(SeriesPointSchema), **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> list[dict[str, Any]] | None:
        points: list[SeriesPoint] = value
        return [{"step": p.step, "value": _finite(p.value), "logged": iso_utc(p.logged)} for p in points]


class SeriesSchema(ma.Schema):
    run_id = fields.Integer()
    series = fields.Dict(
        keys=fields.String(),
        values=SeriesPoints(),
        metadata={"description": "Each metric's points, ordered by step (NaN and ±Infinity as strings)."},
    )


class RunPageSchema(ma.Schema):
    runs = fields.List(fields.Nested(SuspectRunSchema))
    next = Cursor(allow_none=True, metadata={"description": "Pass as `before` for the next page; null on the last."})


class IngestResultSchema(ma.Schema):
    ingested = fields.Integer(metadata={"description": "Runs newly stored (already-stored keys are skipped)."})


class HistorySchema(ma.Schema):
    component = fields.String()
    runs = fields.List(fields.Nested(RunSchema))
    next = Cursor(allow_none=True, metadata={"description": "Pass as `before` for the next page; null on the last."})


class ComponentListSchema(ma.Schema):
    components = fields.List(fields.Nested(ComponentSchema))


class TagListSchema(ma.Schema):
    tags = fields.List(fields.String())


class TagComponentsSchema(ma.Schema):
    tag = fields.String()
    components = fields.List(fields.Nested(ComponentWithRunsSchema))


class TraceNodeSchema(ma.Schema):
    """A run node (`kind: run`) or a pointer node (`kind: pointer`); each carries only its own fields."""

    id = fields.String(metadata={"description": "`run:<run id>` or `pointer:<name>`."})
    kind = fields.String(validate=validate.OneOf(["run", "pointer"]))
    run_id = fields.Integer()
    component = fields.String()
    start = UtcDateTime()
    end = UtcDateTime()
    status = fields.String()
    stale = fields.List(fields.String())
    reused_run_id = fields.Integer(allow_none=True, metadata={"description": "A `cached` run: the run it reused."})
    name = fields.String()
    type = fields.String(validate=validate.OneOf(POINTER_TYPES))
    flagged = fields.Boolean()
    suspect = fields.List(
        fields.Nested(SuspectMarkSchema),
        metadata={
            "description": "A run's marks, or a pointer's: those of the run that wrote it, and that run's own failed"
            " test. A flagged pointer is not suspect for its own flag."
        },
    )


class TraceEdgeSchema(ma.Schema):
    source = fields.String()
    target = fields.String()


class TraceSchema(ma.Schema):
    root = fields.String(metadata={"description": "The pointer node of `output_id`."})
    direction = fields.String(validate=validate.OneOf(["upstream", "downstream"]))
    nodes = fields.List(fields.Nested(TraceNodeSchema))
    edges = fields.List(fields.Nested(TraceEdgeSchema), metadata={"description": "In the direction data flows."})


class FlagSchema(ma.Schema):
    output_id = fields.String(attribute="name")
    reason = fields.String(attribute="flag_reason", allow_none=True)
    flagged_at = UtcDateTime(allow_none=True)


class FlagListSchema(ma.Schema):
    flags = fields.List(fields.Nested(FlagSchema))


class ReviewSchema(ma.Schema):
    flagged = fields.List(fields.String(), metadata={"description": "Every flagged output id."})
    runs = fields.List(fields.Nested(RankedRunSchema), metadata={"description": "Most suspicious first."})


class SearchResultSchema(ma.Schema):
    kind = fields.String(validate=validate.OneOf(["component", "run", "output", "tag"]))
    value = fields.String()
    label = fields.String()


class SearchSchema(ma.Schema):
    results = fields.List(fields.Nested(SearchResultSchema))


class ErrorBodySchema(ma.Schema):
    code = fields.String(validate=validate.OneOf(ERROR_CODES))
    message = fields.String()
    details = fields.Dict(metadata={"description": "Field messages for validation errors; otherwise mostly empty."})


class ErrorSchema(ma.Schema):
    """Every 4xx/5xx answer."""

    error = fields.Nested(ErrorBodySchema)


def ranked(run: ComponentRun, count: int, coverage: float, score: float, evidence: list[Evidence]) -> Extended:
    """A review entry as RankedRunSchema dumps it."""
    return Extended(run, count=count, coverage=coverage, score=score, evidence=evidence)
