"""The JSON shapes of `GET /diff`: its query arguments and the two traces aligned, with their ranked differences."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from mltrace.lineage.trace_diff import KINDS
from mltrace.server.schemas import QueryArgs, Text


class DiffArgs(QueryArgs):
    a = Text(required=True, min_chars=1, metadata={"description": "The output that is right (the reference)."})
    b = Text(required=True, min_chars=1, metadata={"description": "The output that is wrong (compared with `a`)."})


class DiffPairSchema(ma.Schema):
    a_run_id = fields.Integer()
    b_run_id = fields.Integer()
    component = fields.String()
    depth = fields.Integer(
        metadata={"description": "The most runs on a path from this pair to the producers of the outputs (0)."}
    )
    shared = fields.Boolean(metadata={"description": "Both traces hold the same run here."})


class UnpairedRunSchema(ma.Schema):
    run_id = fields.Integer()
    component = fields.String()
    depth = fields.Integer()


class DifferenceSchema(ma.Schema):
    rank = fields.Integer(metadata={"description": "1 for the likeliest cause."})
    kind = fields.String(validate=validate.OneOf(KINDS))
    component = fields.String()
    depth = fields.Integer(metadata={"description": "The pair's depth: the deepest differences rank first."})
    a_run_id = fields.Integer(allow_none=True)
    b_run_id = fields.Integer(allow_none=True)
    key = fields.String(allow_none=True, metadata={"description": "The param, metric or input that differs."})
    a = fields.Raw(allow_none=True, metadata={"description": "The value in `a`'s trace."})
    b = fields.Raw(allow_none=True, metadata={"description": "The value in `b`'s trace."})
    change = fields.String(validate=validate.OneOf(["added", "removed", "changed"]))
    explained_by = fields.Integer(
        allow_none=True, metadata={"description": "The rank of the upstream difference that explains this one."}
    )
    code_diff = fields.String(
        allow_none=True, metadata={"description": "`code`: the unified diff of the two code snapshots."}
    )


class DiffSchema(ma.Schema):
    a = fields.String()
    b = fields.String()
    identical = fields.Boolean(metadata={"description": "No difference: every run paired, no pair differs."})
    pairs = fields.List(fields.Nested(DiffPairSchema), metadata={"description": "Nearest the outputs first."})
    only_a = fields.List(fields.Nested(UnpairedRunSchema), metadata={"description": "Runs only `a`'s trace holds."})
    only_b = fields.List(fields.Nested(UnpairedRunSchema), metadata={"description": "Runs only `b`'s trace holds."})
    differences = fields.List(fields.Nested(DifferenceSchema), metadata={"description": "Likeliest cause first."})
