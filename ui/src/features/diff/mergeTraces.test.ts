import { describe, expect, it } from "vitest";
import type { Difference, Trace, TraceDiff, TraceNode } from "../../lib/types";
import { mergeTraces, nodeOfDifference } from "./mergeTraces";

const run = (id: number, component: string): TraceNode => ({
  id: `run:${id}`,
  kind: "run",
  run_id: id,
  component,
  start: "2026-06-15T12:00:00+00:00",
  end: null,
  status: "success",
  stale: [],
});
const pointer = (name: string): TraceNode => ({
  id: `pointer:${name}`,
  kind: "pointer",
  name,
  type: "data",
  flagged: false,
});
const edge = (source: string, target: string) => ({ source, target });

// raw → ingest 1 → clean.csv → predict 2 → good;  raw → ingest 1 → clean.csv → predict 3 → bad
const shared = [pointer("raw"), run(1, "ingest"), pointer("clean.csv")];
const sharedEdges = [edge("pointer:raw", "run:1"), edge("run:1", "pointer:clean.csv")];
const a: Trace = {
  root: "pointer:good",
  direction: "upstream",
  nodes: [...shared, run(2, "predict"), pointer("good")],
  edges: [...sharedEdges, edge("pointer:clean.csv", "run:2"), edge("run:2", "pointer:good")],
};
const b: Trace = {
  root: "pointer:bad",
  direction: "upstream",
  nodes: [...shared, run(3, "predict"), pointer("bad")],
  edges: [...sharedEdges, edge("pointer:clean.csv", "run:3"), edge("run:3", "pointer:bad")],
};
const params: Difference = {
  rank: 1,
  kind: "params",
  component: "predict",
  depth: 0,
  a_run_id: 2,
  b_run_id: 3,
  key: "threshold",
  a: 0.5,
  b: 0.9,
  change: "changed",
  explained_by: null,
  code_diff: null,
};
const diff: TraceDiff = {
  a: "good",
  b: "bad",
  identical: false,
  pairs: [
    { a_run_id: 2, b_run_id: 3, component: "predict", depth: 0, shared: false },
    { a_run_id: 1, b_run_id: 1, component: "ingest", depth: 1, shared: true },
  ],
  only_a: [],
  only_b: [],
  differences: [params],
};

describe("mergeTraces", () => {
  it("draws what both traces hold once, rooted at the wrong output", () => {
    const { trace } = mergeTraces(a, b, diff);
    expect(trace.root).toBe("pointer:bad");
    expect(trace.nodes.map((n) => n.id).sort()).toEqual(
      [
        "pointer:raw",
        "run:1",
        "pointer:clean.csv",
        "run:2",
        "pointer:good",
        "run:3",
        "pointer:bad",
      ].sort(),
    );
    expect(trace.edges).toHaveLength(6);
  });

  it("marks the wrong side's run of a differing pair, never a run both traces share", () => {
    const unpairedButShared = { ...diff, only_b: [{ run_id: 1, component: "ingest", depth: 1 }] };
    expect(mergeTraces(a, b, unpairedButShared).differing).toEqual(new Set(["run:3"]));
  });

  it("points a difference at its node on the wrong side, or on the right side when that is all there is", () => {
    const { trace } = mergeTraces(a, b, diff);
    expect(nodeOfDifference(params, trace)).toBe("run:3");
    expect(nodeOfDifference({ ...params, kind: "only_in_a", b_run_id: null }, trace)).toBe("run:2");
  });
});
