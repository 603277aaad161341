import { describe, expect, it } from "vitest";
import { isotonic, layeredLayout, type LayeredNode } from "./layeredLayout";

const OPTIONS = { nodesep: 10, ranksep: 40, laneSize: 4 };
const box = (main = 100, cross = 20): LayeredNode => ({ main, cross });

/** Edges between nodes of adjacent ranks that cross, counted from the centres. */
function crossings(main: number[], cross: number[], edges: [number, number][]): number {
  let count = 0;
  for (const [a, b] of edges) {
    for (const [c, d] of edges) {
      if (main[a] !== main[c] || main[b] !== main[d]) continue;
      if ((cross[a]! - cross[c]!) * (cross[b]! - cross[d]!) < 0) count++;
    }
  }
  return count / 2;
}

describe("layeredLayout", () => {
  it("puts every edge's target on a later rank than its source", () => {
    const edges: [number, number][] = [
      [0, 2],
      [1, 2],
      [2, 3],
      [0, 3],
      [3, 4],
    ];
    const { main } = layeredLayout(
      [0, 1, 2, 3, 4].map(() => box()),
      edges,
      OPTIONS,
    );
    for (const [u, v] of edges) expect(main[v]!).toBeGreaterThan(main[u]!);
  });

  it("places a node just before its nearest consumer, not at the far left", () => {
    // 0 → 1 → 2 → 3, and 4 read only by 3: 4 belongs next to 3.
    const { main } = layeredLayout(
      [0, 1, 2, 3, 4].map(() => box()),
      [
        [0, 1],
        [1, 2],
        [2, 3],
        [4, 3],
      ],
      OPTIONS,
    );
    expect(main[4]).toBe(main[2]);
  });

  it("keeps nodes of one rank apart by their sizes and the gap", () => {
    const nodes = [box(100, 20), box(100, 30), box(100, 40), box(100, 20)];
    const { cross } = layeredLayout(
      nodes,
      [
        [0, 3],
        [1, 3],
        [2, 3],
      ],
      OPTIONS,
    );
    const rank = [0, 1, 2].sort((a, b) => cross[a]! - cross[b]!);
    for (let i = 1; i < rank.length; i++) {
      const [a, b] = [rank[i - 1]!, rank[i]!];
      expect(cross[b]! - cross[a]!).toBeGreaterThanOrEqual(
        (nodes[a]!.cross + nodes[b]!.cross) / 2 + OPTIONS.nodesep - 1e-9,
      );
    }
  });

  it("untangles two crossed chains", () => {
    // 0→3, 1→2 given in an order that crosses; the layout should not.
    const edges: [number, number][] = [
      [0, 3],
      [1, 2],
      [3, 4],
      [2, 5],
    ];
    const { main, cross } = layeredLayout(
      [0, 1, 2, 3, 4, 5].map(() => box()),
      edges,
      OPTIONS,
    );
    expect(crossings(main, cross, edges)).toBe(0);
  });

  it("lays out a graph with a cycle without losing a node", () => {
    const { main, cross } = layeredLayout(
      [box(), box(), box()],
      [
        [0, 1],
        [1, 2],
        [2, 0],
      ],
      OPTIONS,
    );
    expect(new Set(main.map((m, i) => `${m},${cross[i]}`)).size).toBe(3);
  });

  it("starts the cross axis at the top edge of the highest node", () => {
    const nodes = [box(100, 20), box(100, 40), box(100, 20)];
    const { cross } = layeredLayout(
      nodes,
      [
        [0, 2],
        [1, 2],
      ],
      OPTIONS,
    );
    expect(Math.min(...cross.map((c, i) => c - nodes[i]!.cross / 2))).toBeCloseTo(0);
  });

  it("lays out 2,000 nodes in well under a second", () => {
    const width = 40;
    const nodes: LayeredNode[] = [];
    const edges: [number, number][] = [];
    for (let layer = 0; layer < 25; layer++) {
      for (let i = 0; i < width; i++) {
        const run = nodes.push(box(220, 64)) - 1;
        const out = nodes.push(box(220, 40)) - 1;
        edges.push([run, out]);
        if (layer > 0) {
          edges.push([run - 2 * width + 1, run]);
          edges.push([((i + 1) % width) * 2 + (layer - 1) * 2 * width + 1, run]);
        }
      }
    }
    const started = performance.now();
    const { main } = layeredLayout(nodes, edges, OPTIONS);
    expect(performance.now() - started).toBeLessThan(1000);
    for (const [u, v] of edges) expect(main[v]!).toBeGreaterThan(main[u]!);
  });
});

describe("isotonic", () => {
  it("returns a non-decreasing sequence closest to the values", () => {
    expect(isotonic([1, 3, 2, 4])).toEqual([1, 2.5, 2.5, 4]);
    expect(isotonic([3, 2, 1])).toEqual([2, 2, 2]);
    expect(isotonic([])).toEqual([]);
  });
});
