// The console's layout (layoutGraph, by layeredLayout) against ELK's layered algorithm, the
// maintained alternative, on the demo's traces as the console draws them and on larger lineages:
// time per layout (the benchmark table), and, printed first, how readable each drawing is (the zoom
// that fits it into a 1,232 × 560 canvas, and its edge crossings). `npm run bench:layout`.

import ELK from "elkjs/lib/elk.bundled.js";
import type { ElkNode } from "elkjs/lib/elk-api";
import { bench, describe } from "vitest";
import { NODE_SIZE } from "../features/trace/traceToFlow";
import { buildViewGraph } from "../features/trace/viewGraph";
import { recorded } from "../testing/apiDump";
import { culprit, flagged } from "../testing/demo";
import { largeLineage } from "../testing/graphs";
import { layoutGraph, type LayoutEdge, type LayoutNode } from "./layoutGraph";
import type { RunDetail, Trace } from "./types";

const elk = new ELK();

/** The graph laid out by ELK, with the console's spacing, top to bottom. */
async function layoutWithElk(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]) {
  const laid: ElkNode = await elk.layout({
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "DOWN",
      "elk.spacing.nodeNode": "12",
      "elk.layered.spacing.nodeNodeBetweenLayers": "18",
      "elk.layered.spacing.edgeNodeBetweenLayers": "9",
      "elk.layered.nodePlacement.strategy": "NETWORK_SIMPLEX",
      "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
    },
    children: nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
    edges: edges.map((e, i) => ({ id: `e${i}`, sources: [e.source], targets: [e.target] })),
  });
  return (laid.children ?? []).map((c) => ({
    id: c.id,
    width: c.width,
    height: c.height,
    position: { x: c.x ?? 0, y: c.y ?? 0 },
  }));
}
const CANVAS = { width: 1232, height: 560 };

function drawn(trace: Trace) {
  const view = buildViewGraph(trace);
  return {
    nodes: view.nodes.map((n) => ({ id: n.id, ...NODE_SIZE[n.kind] })),
    edges: view.edges.map(({ source, target }) => ({ source, target })),
  };
}

const trace = (output_id: string, direction: string) =>
  drawn(recorded<Trace>("/api/v1/trace", { output_id, direction }));
const firstIngest = recorded<{ runs: RunDetail[] }>("/api/v1/components/ingest/runs", { limit: 20 })
  .runs.filter((run) => run.status === "success")
  .at(-1)!;

const GRAPHS: [string, { nodes: LayoutNode[]; edges: LayoutEdge[] }][] = [
  ["a flagged prediction, upstream", trace(flagged[0]!, "upstream")],
  ["the culprit's output, downstream", trace(culprit.outputs[0]!.name, "downstream")],
  ["the demo's largest trace", trace(firstIngest.inputs[0]!.name, "downstream")],
  ["a 120-node lineage", largeLineage(6, 10)],
  ["a 240-node lineage", largeLineage(4, 30)],
  ["a 1,000-node lineage", largeLineage(20, 25)],
];

type Laid = { id: string; position: { x: number; y: number }; width?: number; height?: number }[];

/** The zoom at which the drawing fits the canvas (14 px margins, at most 1.25, as the console). */
function fitZoom(laid: Laid): number {
  const right = Math.max(...laid.map((n) => n.position.x + (n.width ?? 0)));
  const bottom = Math.max(...laid.map((n) => n.position.y + (n.height ?? 0)));
  const left = Math.min(...laid.map((n) => n.position.x));
  const top = Math.min(...laid.map((n) => n.position.y));
  return Math.min(
    1.25,
    (CANVAS.width - 66) / (right - left),
    (CANVAS.height - 28) / (bottom - top),
  );
}

/** Pairs of edges (straight, bottom centre to top centre) that cross. */
function crossings(laid: Laid, edges: readonly LayoutEdge[]): number {
  const byId = new Map(laid.map((n) => [n.id, n]));
  const segments = edges.map(({ source, target }) => {
    const s = byId.get(source)!;
    const t = byId.get(target)!;
    return [
      s.position.x + (s.width ?? 0) / 2,
      s.position.y + (s.height ?? 0),
      t.position.x + (t.width ?? 0) / 2,
      t.position.y,
    ] as const;
  });
  const side = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) =>
    Math.sign((bx - ax) * (cy - ay) - (by - ay) * (cx - ax));
  let count = 0;
  for (let i = 0; i < segments.length; i++) {
    const [a, b, c, d] = segments[i]!;
    for (let j = i + 1; j < segments.length; j++) {
      const [e, f, g, h] = segments[j]!;
      if (
        side(a, b, c, d, e, f) * side(a, b, c, d, g, h) < 0 &&
        side(e, f, g, h, a, b) * side(e, f, g, h, c, d) < 0
      )
        count++;
    }
  }
  return count;
}

for (const [name, graph] of GRAPHS) {
  const byElk = await layoutWithElk(graph.nodes, graph.edges);
  const byLayered = layoutGraph(graph.nodes, graph.edges, "TB");
  console.log(
    `${name} (${graph.nodes.length} nodes): fitted zoom ELK ${fitZoom(byElk).toFixed(2)}, ` +
      `layeredLayout ${fitZoom(byLayered).toFixed(2)}; crossings ELK ${crossings(byElk, graph.edges)}, ` +
      `layeredLayout ${crossings(byLayered, graph.edges)}`,
  );
}

for (const [name, graph] of GRAPHS) {
  describe(name, () => {
    bench("ELK", async () => {
      await layoutWithElk(graph.nodes, graph.edges);
    });
    bench("layeredLayout", () => {
      layoutGraph(graph.nodes, graph.edges, "TB");
    });
  });
}
