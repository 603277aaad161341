import { describe, expect, it } from "vitest";
import { layoutGraph } from "../../lib/layoutGraph";
import type { Trace } from "../../lib/types";
import { layoutShape, NODE_SIZE, upstreamTrouble, viewToFlow } from "./traceToFlow";
import { buildViewGraph } from "./viewGraph";

const trace: Trace = {
  root: "pointer:preds/1",
  direction: "upstream",
  nodes: [
    { id: "pointer:preds/1", kind: "pointer", name: "preds/1", type: "endpoint", flagged: true },
    {
      id: "run:2",
      kind: "run",
      run_id: 2,
      component: "predict",
      start: "2026-01-02T00:00:00+00:00",
      end: "2026-01-02T00:00:01+00:00",
      status: "success",
      stale: ["Dependency 'train' (run 1) ran 31 days before this run."],
    },
    { id: "pointer:model.pkl", kind: "pointer", name: "model.pkl", type: "model", flagged: false },
  ],
  edges: [
    { source: "pointer:model.pkl", target: "run:2" },
    { source: "run:2", target: "pointer:preds/1" },
  ],
};

/** The trace drawn: its view graph, laid out top to bottom, as React Flow elements. */
function flowOf(t: Trace, suspect: string | null = null) {
  const view = buildViewGraph(t, { suspect });
  const sized = view.nodes.map((n) => ({ id: n.id, ...NODE_SIZE[n.kind] }));
  const laid = new Map(layoutGraph(sized, view.edges, "TB").map((n) => [n.id, n]));
  return viewToFlow(view, laid);
}

describe("viewToFlow", () => {
  it("makes one React Flow node per drawn node with its kind's fixed size, in reading order", () => {
    const { nodes } = flowOf(trace);
    expect(nodes.map((n) => [n.id, n.type, n.width, n.height])).toEqual([
      ["pointer:model.pkl", "pointer", NODE_SIZE.pointer.width, NODE_SIZE.pointer.height],
      ["run:2", "run", NODE_SIZE.run.width, NODE_SIZE.run.height],
      ["pointer:preds/1", "pointer", NODE_SIZE.pointer.width, NODE_SIZE.pointer.height],
    ]);
  });

  it("marks the root and names stale runs, flagged pointers and the suspect", () => {
    const byId = new Map(flowOf(trace, "run:2").nodes.map((n) => [n.id, n]));
    expect(byId.get("pointer:preds/1")!.data.isRoot).toBe(true);
    expect(byId.get("pointer:model.pkl")!.data.isRoot).toBe(false);
    expect(byId.get("run:2")!.ariaLabel).toBe("Run 2: predict, success, suspect, stale");
    expect(byId.get("run:2")!.data.isSuspect).toBe(true);
    expect(byId.get("pointer:preds/1")!.ariaLabel).toBe("endpoint preds/1, flagged");
  });

  it("names runs and outputs with suspect marks from a flag or a failed test upstream", () => {
    const flag = { reason: "downstream of flagged output 'raw/1'", source: "output:raw/1" };
    const test = { reason: "downstream of run 1 (clean), whose test Rows failed", source: "run:1" };
    const marked: Trace = {
      ...trace,
      nodes: trace.nodes.map((n) =>
        n.kind === "run"
          ? { ...n, suspect: [test, flag] }
          : n.id === "pointer:preds/1"
            ? { ...n, suspect: [test] }
            : n,
      ),
    };
    const byId = new Map(flowOf(marked).nodes.map((n) => [n.id, n]));
    expect(byId.get("run:2")!.ariaLabel).toBe("Run 2: predict, success, flag upstream, stale");
    expect(byId.get("pointer:preds/1")!.ariaLabel).toBe(
      "endpoint preds/1, flagged, failed test upstream",
    );
    expect(byId.get("pointer:model.pkl")!.ariaLabel).toBe("model model.pkl");
    expect(upstreamTrouble([])).toBeNull();
  });

  it("lays data out top to bottom: model → predict → prediction, with the path marked", () => {
    const { nodes, edges } = flowOf(trace, "run:2");
    const y = (id: string) => nodes.find((n) => n.id === id)!.position.y;
    expect(y("pointer:model.pkl")).toBeLessThan(y("run:2"));
    expect(y("run:2")).toBeLessThan(y("pointer:preds/1"));
    expect(edges.map((e) => [e.id, e.className])).toEqual([
      ["pointer:model.pkl->run:2", "off-path"],
      ["run:2->pointer:preds/1", "on-path"],
    ]);
  });

  it("keeps the same shape when only flags and staleness change", () => {
    const changed: Trace = {
      ...trace,
      nodes: trace.nodes.map((n) =>
        n.kind === "pointer" ? { ...n, flagged: !n.flagged } : { ...n, stale: [] },
      ),
    };
    const shape = (t: Trace) => layoutShape(buildViewGraph(t));
    expect(shape(changed)).toBe(shape(trace));
    const grown: Trace = {
      ...trace,
      nodes: [
        ...trace.nodes,
        { id: "pointer:x", kind: "pointer", name: "x", type: "data", flagged: false },
      ],
      edges: [...trace.edges, { source: "pointer:x", target: "run:2" }],
    };
    expect(shape(grown)).not.toBe(shape(trace));
  });
});
