"""Answers the client's questions through a mltrace server's HTTP API (docs/API.md)."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from mltrace.delivery.http_sink import HttpSink, ServerError, request_json
from mltrace.entities import Component, ComponentRun, IOPointer, PointerType
from mltrace.entities.access import ApiToken, AuditEntry
from mltrace.entities.artifact import ArtifactRef, CacheEntry, StoredArtifact, StoredCacheEntry
from mltrace.entities.comparison import CompareRow, Comparison, RunSeries, StepMetric
from mltrace.entities.cursor import encode_cursor
from mltrace.entities.impact import AffectedOutput, Impact
from mltrace.entities.json_values import strict_json
from mltrace.entities.series import Series, SeriesPoint, to_float
from mltrace.entities.suspect import RunSuspicion, SuspectMark, failed_test_mark
from mltrace.entities.times import iso_utc, parse_utc
from mltrace.errors import AccessDeniedError, InvalidInputError, MltraceError, NotFoundError
from mltrace.lineage.evidence import Evidence
from mltrace.lineage.impact import RUN_PREFIX, Selector

PAGE = 500  # runs asked for per request, within the API's largest `limit`
IDS_PER_REQUEST = 100  # run ids per `GET /runs?ids=`, within the API's limit and a short request line


class RemoteBackend:
    """A mltrace server as the client's backend."""

    def __init__(self, base_url: str, timeout: float = 30.0, token: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.token = token

    # --- transport -------------------------------------------------------------
    def _call(self, method: str, path: str, query: dict[str, Any] | None = None, body: Any = None) -> Any:
        params = {k: v for k, v in (query or {}).items() if v is not None}
        url = f"/api/v1{path}" + (f"?{urllib.parse.urlencode(params, doseq=True)}" if params else "")
        data = None if body is None else json.dumps(body).encode()
        try:
            return request_json(self.base_url, method, url, data, self.timeout, self.token)
        except ServerError as exc:
            status = getattr(exc, "status", None)
            if status == 404:
                raise NotFoundError(str(exc)) from None
            if status in (401, 403):
                raise AccessDeniedError(str(exc)) from None
            if status is not None and 400 <= status < 500:
                raise InvalidInputError(str(exc)) from None
            raise

    @staticmethod
    def _segment(value: str | int) -> str:
        return urllib.parse.quote(str(value), safe="")

    def _unsupported(self, what: str) -> MltraceError:
        return MltraceError(f"{what} is not available through a server ({self.base_url}); use the database URI")

    # --- writing ---------------------------------------------------------------
    def ingest(self, records: list[ComponentRun]) -> list[int]:
        HttpSink(self.base_url, self.timeout, self.token).ingest(records)
        return []

    def flag(self, output_id: str, reason: str | None) -> IOPointer:
        body = {} if reason is None else {"reason": reason}
        return pointer_from_json(self._call("PUT", f"/flags/{self._segment(output_id)}", body=body))

    def unflag(self, output_id: str) -> IOPointer:
        return pointer_from_json(self._call("DELETE", f"/flags/{self._segment(output_id)}"))

    def unflag_all(self) -> int:
        flagged = self.flags()
        for pointer in flagged:
            self.unflag(pointer.name)
        return len(flagged)

    def set_notes(self, run_id: int, notes: str) -> ComponentRun:
        return run_from_json(self._call("PUT", f"/runs/{int(run_id)}/notes", body={"notes": notes}))

    def set_values(self, run_id: int, params: dict[str, Any], metrics: dict[str, Any]) -> ComponentRun:
        body = {"params": strict_json(params), "metrics": strict_json(metrics)}  # NaN as "NaN", as the API takes it
        return run_from_json(self._call("PATCH", f"/runs/{int(run_id)}", body=body))

    def create_component(self, name: str, description: str | None, owner: str | None, tags: list[str]) -> None:
        raise self._unsupported("create_component")

    def tag_component(self, name: str, tags: list[str]) -> None:
        raise self._unsupported("tag_component")

    def create_pointer(self, name: str, pointer_type: PointerType) -> IOPointer:
        raise self._unsupported("creating an IO pointer")

    def clean(self) -> None:
        raise self._unsupported("clean_db")

    # --- reading ---------------------------------------------------------------
    def get_run(self, run_id: int) -> ComponentRun:
        return run_from_json(self._call("GET", f"/runs/{int(run_id)}"))

    def ingest_openlineage(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        answer = self._call("POST", "/lineage/batch", body=events)
        refused = [item for item in answer["results"] if item["status"] != 201]
        if refused:
            raise InvalidInputError(f"{len(refused)} of {len(events)} events refused: {refused[0]['error']['message']}")
        return [{"run_id": item.get("run_id"), "duplicate": item["duplicate"]} for item in answer["results"]]

    def openlineage_events(self, run_id: int) -> list[dict[str, Any]]:
        return self._call("GET", f"/runs/{int(run_id)}/openlineage")["events"]

    def export_openlineage(self) -> Iterator[dict[str, Any]]:
        ids: list[int] = []
        before = None
        while True:  # newest first through the pages of recent runs, then sent oldest first
            page = self._call("GET", "/runs", {"limit": 500, "before": before})
            ids.extend(run["id"] for run in page["runs"])
            before = page["next"]
            if before is None:
                break
        for run_id in reversed(ids):
            yield from self.openlineage_events(run_id)

    def runs(self, run_ids: list[int]) -> list[ComponentRun]:
        found: dict[int, ComponentRun] = {}
        unique = list(dict.fromkeys(int(run_id) for run_id in run_ids))
        for start in range(0, len(unique), IDS_PER_REQUEST):
            ids = ",".join(map(str, unique[start : start + IDS_PER_REQUEST]))
            for data in self._call("GET", "/runs", {"ids": ids})["runs"]:
                found[data["id"]] = run_from_json(data)
        return [found[run_id] for run_id in run_ids if run_id in found]

    def suspicions(self, run_ids: list[int]) -> dict[int, RunSuspicion]:
        """The server's marks of each run (`GET /runs?ids=`); its outputs add the run's own failed test."""
        found: dict[int, RunSuspicion] = {}
        unique = list(dict.fromkeys(int(run_id) for run_id in run_ids))
        for start in range(0, len(unique), IDS_PER_REQUEST):
            ids = ",".join(map(str, unique[start : start + IDS_PER_REQUEST]))
            for data in self._call("GET", "/runs", {"ids": ids})["runs"]:
                marks = tuple(SuspectMark(m["reason"], m["source"]) for m in data.get("suspect", []))
                failed = next((t for t in data.get("test_results", []) if not t.get("passed", True)), None)
                own = () if failed is None else (failed_test_mark(data["id"], data["component"], failed["name"]),)
                if marks or own:
                    found[data["id"]] = RunSuspicion(marks, marks + own)
        return found

    def series(self, run_ids: list[int], keys: list[str] | None) -> dict[int, Series]:
        """Each run's series (`GET /runs/{id}/series`, one request per run); unknown runs are left out."""
        found: dict[int, Series] = {}
        for run_id in dict.fromkeys(int(r) for r in run_ids):
            try:
                data = self._call("GET", f"/runs/{run_id}/series", {"key": keys})
            except NotFoundError:
                continue
            found[run_id] = {
                key: [SeriesPoint(p["step"], _number(p["value"]), parse_utc(p["logged"])) for p in points]
                for key, points in data["series"].items()
            }
        return found

    def stored_run_ids(self, run_ids: list[int]) -> set[int]:
        return {run.id for run in self.runs(run_ids) if run.id is not None}

    def recent(self, limit: int, before: tuple[datetime, int] | None) -> list[ComponentRun]:
        cursor = None if before is None else encode_cursor(*before)
        page = self._call("GET", "/runs", {"limit": limit, "before": cursor})
        return [run_from_json(r) for r in page["runs"]]

    def search_runs(
        self, where: str, order_by: str, limit: int, before: tuple[datetime, int] | None
    ) -> list[ComponentRun]:
        """Pages through the server's filtered listing until `limit` runs or the last page."""
        found: list[ComponentRun] = []
        cursor = None if before is None else encode_cursor(*before)
        while len(found) < limit:
            query = {"where": where or None, "order_by": order_by or None, "limit": min(limit - len(found), PAGE)}
            page = self._call("GET", "/runs", {**query, "before": cursor})
            found += [run_from_json(r) for r in page["runs"]]
            cursor = page.get("next")
            if not cursor:
                break
        return found

    def export_text(
        self, fmt: str, where: str, order_by: str, component: str | None, limit: int | None
    ) -> Iterator[str]:
        """The server's streamed export (`GET /runs/export`), decoded as it arrives."""
        import codecs
        import urllib.error
        import urllib.request

        query = {"format": fmt, "where": where, "order_by": order_by, "component": component, "limit": limit}
        params = urllib.parse.urlencode({k: v for k, v in query.items() if v not in (None, "")})
        try:
            response = urllib.request.urlopen(f"{self.base_url}/api/v1/runs/export?{params}", timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            with exc:
                raw = exc.read()
            try:
                message = json.loads(raw)["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = str(exc)
            raise (InvalidInputError if 400 <= exc.code < 500 else ServerError)(message) from None
        except OSError as exc:
            raise ServerError(f"cannot reach {self.base_url}: {exc}") from None

        def chunks() -> Iterator[str]:
            decoder = codecs.getincrementaldecoder("utf-8")()
            with response:
                while block := response.read(65_536):
                    yield decoder.decode(block)
            yield decoder.decode(b"", final=True)

        return chunks()

    def recent_run_ids(self, limit: int, last_run_id: int | None) -> list[int]:
        before = None
        if last_run_id is not None:
            anchor = self.get_run(last_run_id)
            assert anchor.start_timestamp is not None
            before = (anchor.start_timestamp, last_run_id)
        return [r.id for r in self.recent(limit, before) if r.id is not None]

    def history(
        self,
        component: str,
        limit: int | None,
        since: datetime | None,
        until: datetime | None,
        before: tuple[datetime, int] | None = None,
    ) -> list[ComponentRun]:
        """Pages through the server's history until `limit` runs (all when None) or the last page."""
        found: list[ComponentRun] = []
        cursor = None if before is None else encode_cursor(*before)
        while limit is None or len(found) < limit:
            query = {
                "limit": PAGE if limit is None else min(limit - len(found), PAGE),
                "since": since.isoformat() if since else None,
                "until": until.isoformat() if until else None,
                "before": cursor,
            }
            page = self._call("GET", f"/components/{self._segment(component)}/runs", query)
            found += [run_from_json(r) for r in page["runs"]]
            cursor = page.get("next")
            if not cursor:
                break
        return found

    def component(self, name: str) -> Component:
        return component_from_json(self._call("GET", f"/components/{self._segment(name)}"))

    def components(self, tag: str | None, owner: str | None) -> list[Component]:
        page = self._call("GET", "/components", {"tag": tag, "owner": owner})
        return [component_from_json(c) for c in page["components"]]

    def tags(self) -> list[str]:
        return list(self._call("GET", "/tags")["tags"])

    def pointer(self, name: str) -> IOPointer:
        root = self.trace(name, "upstream", 1, None)
        node = next(n for n in root["nodes"] if n["id"] == root["root"])
        flagged = next((f for f in self.flags() if f.name == name), None) if node["flagged"] else None
        return flagged or IOPointer(name=name, pointer_type=PointerType(node["type"]), flag=bool(node["flagged"]))

    def flags(self) -> list[IOPointer]:
        return [
            IOPointer(
                name=f["output_id"], flag=True, flag_reason=f.get("reason"), flagged_at=_time(f.get("flagged_at"))
            )
            for f in self._call("GET", "/flags")["flags"]
        ]

    def search(self, q: str, limit: int) -> list[dict[str, str]]:
        return list(self._call("GET", "/search", {"q": q, "limit": limit})["results"])

    def trace(self, output_id: str, direction: str, depth: int | None, run_id: int | None) -> dict[str, Any]:
        query = {"output_id": output_id, "direction": direction, "depth": depth, "run_id": run_id}
        graph = self._call("GET", "/trace", query)
        for node in graph["nodes"]:
            if node["kind"] == "run":
                node["start"], node["end"] = _time(node["start"]), _time(node["end"])
        return graph

    def review(self, limit: int, offset: int = 0) -> dict[str, Any]:
        """Pages through the server's review until `limit` runs or the last page."""
        ranked: list[tuple[ComponentRun, int, float, float, list[Evidence]]] = []
        flagged: list[str] = []
        while len(ranked) < limit:
            size = min(limit - len(ranked), PAGE)
            page = self._call("GET", "/review", {"limit": size, "offset": offset + len(ranked)})
            flagged = list(page["flagged"])
            ranked += [
                (run_from_json(r), r["count"], r["coverage"], r["score"], [Evidence(**e) for e in r["evidence"]])
                for r in page["runs"]
            ]
            if len(page["runs"]) < size:
                break
        return {"flagged": flagged, "runs": ranked}

    def impact(self, selector: Selector, since: datetime | None, until: datetime | None, limit: int) -> Impact:
        query = {"id": _selector_text(selector), "since": _iso(since), "until": _iso(until), "limit": limit}
        return impact_from_json(self._call("GET", "/impact", query))

    def compare(self, run_ids: list[int], points: int) -> Comparison:
        return comparison_from_json(
            self._call("GET", "/compare", {"ids": ",".join(map(str, run_ids)), "points": points})
        )

    def flag_impact(
        self, selector: Selector, reason: str | None, since: datetime | None, until: datetime | None
    ) -> int:
        body = {"id": _selector_text(selector), "since": _iso(since), "until": _iso(until), "reason": reason}
        return int(
            self._call("POST", "/impact/flags", body={k: v for k, v in body.items() if v is not None})["flagged"]
        )

    # --- tokens and the audit trail ---------------------------------------------------
    def create_token(self, name: str, scope: str, token_hash: str, expires_at: datetime | None) -> ApiToken:
        raise self._unsupported("creating a token with a hash made here")

    def create_token_on_server(self, name: str, scope: str, expires: str | None) -> tuple[ApiToken, str]:
        """The server makes the secret: `(token, secret)`."""
        body = {"name": name, "scope": scope, **({"expires": expires} if expires else {})}
        data = self._call("POST", "/tokens", body=body)
        return token_from_json(data), data["token"]

    def revoke_token(self, name: str) -> ApiToken:
        return token_from_json(self._call("DELETE", f"/tokens/{self._segment(name)}"))

    def tokens(self) -> list[ApiToken]:
        return [token_from_json(t) for t in self._call("GET", "/tokens")["tokens"]]

    def token_by_hash(self, token_hash: str) -> ApiToken | None:
        raise self._unsupported("looking a token up")

    def audit(
        self,
        limit: int,
        before: tuple[datetime, int] | None,
        since: datetime | None,
        run_id: int | None,
        output_id: str | None,
    ) -> list[AuditEntry]:
        """Pages through the server's audit trail until `limit` entries or the last page."""
        found: list[AuditEntry] = []
        cursor = None if before is None else encode_cursor(*before)
        target_query = {"run_id": run_id, "output_id": output_id}
        while len(found) < limit:
            query = {"limit": min(limit - len(found), PAGE), "since": _iso(since), "before": cursor, **target_query}
            page = self._call("GET", "/audit", query)
            found += [audit_entry_from_json(e) for e in page["entries"]]
            cursor = page.get("next")
            if not cursor:
                break
        return found

    # --- the artifact store's side of runs ---------------------------------------
    def artifacts(self, run_id: int | None, name: str | None, digest: str | None, limit: int) -> list[StoredArtifact]:
        query = {"run": run_id, "name": name, "hash": digest, "limit": min(limit, PAGE)}
        return [artifact_from_json(a) for a in self._call("GET", "/artifacts", query)["artifacts"]]

    def cache_hits(self, key: str) -> list[StoredCacheEntry]:
        return [cache_entry_from_json(e) for e in self._call("GET", "/cache", {"key": key})["entries"]]

    def latest_cache_entry(self, component: str) -> StoredCacheEntry | None:
        entries = self._call("GET", "/cache/latest", {"component": component})["entries"]
        return cache_entry_from_json(entries[0]) if entries else None

    def reused_runs(self, run_ids: list[int]) -> dict[int, int | None]:
        return {run_id: self._call("GET", f"/runs/{int(run_id)}").get("reused_run_id") for run_id in run_ids}

    def referenced_digests(self, digests: list[str]) -> set[str]:
        raise self._unsupported("collecting the artifact store")


def _time(value: str | None) -> datetime | None:
    return None if value is None else parse_utc(value)


def pointer_from_json(data: dict[str, Any]) -> IOPointer:
    """A pointer from the API's Pointer shape."""
    return IOPointer(
        name=data["name"],
        pointer_type=PointerType(data.get("type") or "unknown"),
        value_hash=data.get("value_hash"),
        flag=bool(data.get("flagged")),
        flag_reason=data.get("flag_reason"),
        flagged_at=_time(data.get("flagged_at")),
    )


def component_from_json(data: dict[str, Any]) -> Component:
    """A component from the API's Component shape."""
    return Component(
        name=data["name"],
        owner=data.get("owner", ""),
        description=data.get("description", ""),
        tags=list(data.get("tags", [])),
    )


def run_from_json(data: dict[str, Any]) -> ComponentRun:
    """A run from the API's Run shape."""
    return ComponentRun(
        component_name=data["component"],
        id=data["id"],
        start_timestamp=_time(data["start"]),
        end_timestamp=_time(data["end"]),
        status=data["status"],
        error=data.get("error"),
        inputs=[pointer_from_json(p) for p in data.get("inputs", [])],
        outputs=[pointer_from_json(p) for p in data.get("outputs", [])],
        dependencies=list(data.get("dependencies", [])),
        code_snapshot=data.get("code_snapshot"),
        code_hash=data.get("code_hash"),
        git_hash=data.get("git_hash"),
        git_tags=list(data.get("git_tags", [])),
        notes=data.get("notes", ""),
        params=dict(data.get("params", {})),
        metrics=dict(data.get("metrics", {})),
        test_results=list(data.get("test_results", [])),
        stale=list(data.get("stale", [])),
        warnings=list(data.get("warnings", [])),
        inputs_total=data.get("inputs_count"),
        outputs_total=data.get("outputs_count"),
    )


def token_from_json(data: dict[str, Any]) -> ApiToken:
    """A token from the API's Token shape."""
    return ApiToken(
        name=data["name"],
        scope=data["scope"],
        created_at=parse_utc(data["created_at"]),
        created_by=data.get("created_by", ""),
        expires_at=_time(data.get("expires_at")),
        revoked_at=_time(data.get("revoked_at")),
    )


def audit_entry_from_json(data: dict[str, Any]) -> AuditEntry:
    """An audit entry from the API's AuditEntry shape."""
    return AuditEntry(
        id=int(data["id"]),
        at=parse_utc(data["at"]),
        actor=data["actor"],
        action=data["action"],
        target_kind=data["target_kind"],
        target=data["target"],
        before=data.get("before"),
        after=data.get("after"),
    )


def artifact_from_json(data: dict[str, Any]) -> StoredArtifact:
    """A stored artifact from the API's Artifact shape."""
    return StoredArtifact(
        name=data["name"],
        digest=data["hash"],
        size=int(data["size"]),
        serializer=data["serializer"],
        run_id=int(data["run_id"]),
        component=data["component"],
        stored_at=_time(data.get("stored_at")),
    )


def cache_entry_from_json(data: dict[str, Any]) -> StoredCacheEntry:
    """A cache entry from the API's CacheEntry shape."""
    return StoredCacheEntry(
        run_id=int(data["run_id"]),
        run_key=data["run_key"],
        status=data["status"],
        entry=CacheEntry(
            key=data["key"],
            parts=dict(data.get("parts") or {}),
            result_digest=data.get("result_hash"),
            result_serializer=data.get("result_serializer"),
            reused_run_key=data.get("reused_run_key"),
        ),
        artifacts=[
            ArtifactRef(a["name"], a["hash"], int(a["size"]), a["serializer"]) for a in data.get("artifacts", [])
        ],
        run=run_from_json(data["run"]) if data.get("run") else None,
    )


def _selector_text(selector: Selector) -> str:
    """A selector as the API's `id` takes it."""
    return selector.output_id if selector.output_id is not None else f"{RUN_PREFIX}{selector.run_id}"


def _iso(value: datetime | None) -> str | None:
    return None if value is None else iso_utc(value)


def impact_from_json(data: dict[str, Any]) -> Impact:
    """An impact as the server answers it."""
    outputs = [
        AffectedOutput(
            name=o["output_id"],
            pointer_type=PointerType(o["type"]),
            flagged=bool(o["flagged"]),
            run_id=int(o["run_id"]),
            component=o["component"],
            time=parse_utc(o["time"]),
        )
        for o in data["outputs"]
    ]
    components = {c["name"]: int(c["runs"]) for c in data["components"]}
    return Impact(components, int(data["endpoints"]), int(data["flagged"]), outputs)


def _number(value: Any) -> float:
    """A series value of the API (a number, or "NaN", "Infinity", "-Infinity") as a float."""
    number = to_float(value)
    if number is None:
        raise MltraceError(f"the server answered a series value that is not a number: {value!r}")
    return number


def comparison_from_json(data: dict[str, Any]) -> Comparison:
    """A comparison as the server answers it (each run with the facts its column shows)."""
    runs = [
        ComponentRun(
            component_name=r["component"],
            id=int(r["id"]),
            status=r["status"],
            start_timestamp=_time(r["start"]),
            end_timestamp=_time(r["end"]),
        )
        for r in data["runs"]
    ]
    rows = [CompareRow(r["group"], r["key"], list(r["values"]), bool(r["differs"])) for r in data["rows"]]
    series = [
        StepMetric(
            m["key"],
            [
                RunSeries(int(s["run_id"]), list(s["steps"]), [float(v) for v in s["values"]], int(s["count"]))
                for s in m["runs"]
            ],
        )
        for m in data["series"]
    ]
    return Comparison(runs, rows, series)
