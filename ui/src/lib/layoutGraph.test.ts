import { describe, expect, it } from "vitest";
import { byId as naturalOrder, layoutGraph } from "./layoutGraph";
import { diamondGraph, largeLineage, pipelineGraph } from "../testing/graphs";

function byId<N extends { id: string }>(nodes: N[]): Map<string, N> {
  return new Map(nodes.map((n) => [n.id, n]));
}

function overlaps(
  a: { position: { x: number; y: number }; width?: number; height?: number },
  b: { position: { x: number; y: number }; width?: number; height?: number },
): boolean {
  const aw = a.width ?? 180;
  const ah = a.height ?? 48;
  const bw = b.width ?? 180;
  const bh = b.height ?? 48;
  return (
    a.position.x < b.position.x + bw &&
    b.position.x < a.position.x + aw &&
    a.position.y < b.position.y + bh &&
    b.position.y < a.position.y + ah
  );
}

describe("layoutGraph", () => {
  it("places every edge's target to the right of its source (left→right)", () => {
    for (const { nodes, edges } of [pipelineGraph(), diamondGraph()]) {
      const laid = byId(layoutGraph(nodes, edges, "LR"));
      for (const edge of edges) {
        const source = laid.get(edge.source)!;
        const target = laid.get(edge.target)!;
        expect(target.position.x).toBeGreaterThan(source.position.x + (source.width ?? 180) - 1);
      }
    }
  });

  it("puts a chain on increasing ranks in edge order", () => {
    const { nodes, edges } = pipelineGraph();
    const laid = byId(layoutGraph(nodes, edges, "LR"));
    const xs = nodes.map((n) => laid.get(n.id)!.position.x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    expect(new Set(xs).size).toBe(xs.length);
  });

  it("lays a top→bottom graph out downwards, with handles on top and bottom", () => {
    const { nodes, edges } = diamondGraph();
    const laid = byId(layoutGraph(nodes, edges, "TB"));
    for (const edge of edges) {
      const source = laid.get(edge.source)!;
      expect(laid.get(edge.target)!.position.y).toBeGreaterThan(
        source.position.y + (source.height ?? 48) - 1,
      );
    }
    expect(laid.get("run:1")!.sourcePosition).toBe("bottom");
    expect(laid.get("run:1")!.targetPosition).toBe("top");
  });

  it("sets handles on the left and right for left→right", () => {
    const { nodes, edges } = pipelineGraph();
    for (const node of layoutGraph(nodes, edges, "LR")) {
      expect(node.sourcePosition).toBe("right");
      expect(node.targetPosition).toBe("left");
    }
  });

  it("gives every node a distinct, non-overlapping position", () => {
    for (const direction of ["LR", "TB"] as const) {
      const { nodes, edges } = diamondGraph();
      const laid = layoutGraph(nodes, edges, direction);
      const keys = new Set(laid.map((n) => `${n.position.x},${n.position.y}`));
      expect(keys.size).toBe(nodes.length);
      for (let i = 0; i < laid.length; i++) {
        for (let j = i + 1; j < laid.length; j++) {
          expect(overlaps(laid[i]!, laid[j]!)).toBe(false);
        }
      }
    }
  });

  it("keeps the input nodes' fields and does not modify the inputs", () => {
    const nodes = [
      { id: "a", data: { label: "A" } },
      { id: "b", data: { label: "B" } },
    ];
    const edges = [{ source: "a", target: "b" }];
    const snapshot = JSON.stringify({ nodes, edges });
    const laid = layoutGraph(nodes, edges, "LR");
    expect(JSON.stringify({ nodes, edges })).toBe(snapshot);
    expect(laid.map((n) => n.data.label)).toEqual(["A", "B"]);
    expect(laid[0]).not.toBe(nodes[0]);
  });

  it("is deterministic and independent of input order", () => {
    const { nodes, edges } = diamondGraph();
    const first = layoutGraph(nodes, edges, "TB");
    const again = layoutGraph(nodes, edges, "TB");
    expect(again).toEqual(first);
    const shuffled = layoutGraph([...nodes].reverse(), [...edges].reverse(), "TB");
    expect(byId(shuffled)).toEqual(byId(first));
  });

  it("ignores edges to unknown nodes, self-loops and repeated edges", () => {
    const laid = layoutGraph(
      [{ id: "a" }, { id: "b" }],
      [
        { source: "a", target: "b" },
        { source: "a", target: "b" },
        { source: "a", target: "ghost" },
        { source: "b", target: "b" },
      ],
      "LR",
    );
    expect(laid).toHaveLength(2);
    expect(laid[1]!.position.x).toBeGreaterThan(laid[0]!.position.x);
  });

  it("returns nothing for an empty graph", () => {
    expect(layoutGraph([], [], "LR")).toEqual([]);
  });

  it("keeps the nodes of a 1,000-node lineage apart and in order", () => {
    const { nodes, edges } = largeLineage(20, 25);
    const laid = layoutGraph(nodes, edges, "TB");
    let overlapping = 0;
    for (let i = 0; i < laid.length; i++) {
      for (let j = i + 1; j < laid.length; j++) if (overlaps(laid[i]!, laid[j]!)) overlapping++;
    }
    expect(overlapping).toBe(0);
    const byIds = byId(laid);
    for (const edge of edges) {
      expect(byIds.get(edge.target)!.position.y).toBeGreaterThan(
        byIds.get(edge.source)!.position.y,
      );
    }
  });
});

describe("byId", () => {
  it("orders runs of digits by value", () => {
    const ids = ["run:10", "run:9", "pointer:a-2", "pointer:a-10", "run:009", "run:9b"];
    expect([...ids].sort(naturalOrder)).toEqual([
      "pointer:a-2",
      "pointer:a-10",
      "run:9",
      "run:9b",
      "run:009",
      "run:10",
    ]);
  });
});
