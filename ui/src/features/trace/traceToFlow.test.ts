import { describe, expect, it } from "vitest";
import type { Trace } from "../../lib/types";
import { graphShape, layoutFlow, NODE_SIZE, traceToFlow } from "./traceToFlow";

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

describe("traceToFlow", () => {
  it("makes one React Flow node per trace node with its kind's fixed size", () => {
    const { nodes } = traceToFlow(trace);
    expect(nodes.map((n) => [n.id, n.type, n.width, n.height])).toEqual([
      ["pointer:preds/1", "pointer", NODE_SIZE.pointer.width, NODE_SIZE.pointer.height],
      ["run:2", "run", NODE_SIZE.run.width, NODE_SIZE.run.height],
      ["pointer:model.pkl", "pointer", NODE_SIZE.pointer.width, NODE_SIZE.pointer.height],
    ]);
  });

  it("marks the root and labels stale runs and flagged pointers", () => {
    const { nodes } = traceToFlow(trace);
    const byId = new Map(nodes.map((n) => [n.id, n]));
    expect(byId.get("pointer:preds/1")!.data.isRoot).toBe(true);
    expect(byId.get("pointer:model.pkl")!.data.isRoot).toBe(false);
    expect(byId.get("run:2")!.ariaLabel).toBe("Run 2: predict, success, stale");
    expect(byId.get("pointer:preds/1")!.ariaLabel).toBe("endpoint preds/1, flagged");
  });

  it("lays data out left to right: model → predict → prediction", () => {
    const { nodes, edges } = layoutFlow(traceToFlow(trace));
    const x = (id: string) => nodes.find((n) => n.id === id)!.position.x;
    expect(x("pointer:model.pkl")).toBeLessThan(x("run:2"));
    expect(x("run:2")).toBeLessThan(x("pointer:preds/1"));
    expect(edges.map((e) => e.id)).toEqual(["pointer:model.pkl->run:2", "run:2->pointer:preds/1"]);
  });

  it("keeps the same shape when only flags and staleness change", () => {
    const changed: Trace = {
      ...trace,
      nodes: trace.nodes.map((n) =>
        n.kind === "pointer" ? { ...n, flagged: !n.flagged } : { ...n, stale: [] },
      ),
    };
    expect(graphShape(traceToFlow(changed))).toBe(graphShape(traceToFlow(trace)));
    const grown: Trace = {
      ...trace,
      nodes: [
        ...trace.nodes,
        { id: "pointer:x", kind: "pointer", name: "x", type: "data", flagged: false },
      ],
      edges: [...trace.edges, { source: "pointer:x", target: "run:2" }],
    };
    expect(graphShape(traceToFlow(grown))).not.toBe(graphShape(traceToFlow(trace)));
  });
});
