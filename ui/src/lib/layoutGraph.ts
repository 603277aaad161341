// Lays out a directed graph (dagre, or a faster layered layout when large): one pure function from
// nodes and edges to positioned nodes.

import dagre from "@dagrejs/dagre";
import { layeredLayout } from "./layeredLayout";

export type LayoutDirection = "LR" | "TB";

export interface LayoutNode {
  id: string;
  width?: number;
  height?: number;
}

export interface LayoutEdge {
  source: string;
  target: string;
}

export interface Position {
  x: number;
  y: number;
}

export type Positioned<N> = N & {
  position: Position;
  sourcePosition: "right" | "bottom";
  targetPosition: "left" | "top";
};

export const DEFAULT_NODE_WIDTH = 180;
export const DEFAULT_NODE_HEIGHT = 48;

/**
 * Above this many nodes dagre takes a second or more (network-simplex ranking alone takes seconds;
 * even with the tight-tree ranker, ordering and placement of 1,000 nodes take about one second),
 * so larger graphs get `layeredLayout`, which does the same steps more simply in milliseconds.
 */
export const LAYERED_THRESHOLD = 150;

const NODESEP = 16;
const RANKSEP = 56;
const MARGIN = 16;

/** Natural order of ids ("run:9" before "run:10"), the same in every locale. */
export function byId(a: string, b: string): number {
  const as = a.split(/(\d+)/);
  const bs = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const x = as[i]!;
    const y = bs[i]!;
    if (x === y) continue;
    if (i % 2 === 1) {
      // Runs of digits: by value, then fewer leading zeros first.
      const dx = x.replace(/^0+/, "");
      const dy = y.replace(/^0+/, "");
      if (dx.length !== dy.length) return dx.length - dy.length;
      if (dx !== dy) return dx < dy ? -1 : 1;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return as.length - bs.length;
}

/**
 * Returns new nodes with `position` (top-left corner) set so that every edge points along
 * `direction` (left→right for "LR"). Inputs are not modified; the result depends only on the
 * set of nodes and edges, not on their order. Edges naming unknown nodes are ignored.
 */
export function layoutGraph<N extends LayoutNode>(
  nodes: readonly N[],
  edges: readonly LayoutEdge[],
  direction: LayoutDirection = "LR",
): Positioned<N>[] {
  const sorted = [...nodes].sort((a, b) => byId(a.id, b.id));
  const sortedEdges = [...edges].sort(
    (a, b) => byId(a.source, b.source) || byId(a.target, b.target),
  );
  const centres =
    sorted.length > LAYERED_THRESHOLD
      ? layeredCentres(sorted, sortedEdges, direction)
      : dagreCentres(sorted, sortedEdges, direction);

  const horizontal = direction === "LR";
  return nodes.map((node) => {
    const centre = centres.get(node.id)!;
    return {
      ...node,
      position: { x: centre.x - width(node) / 2, y: centre.y - height(node) / 2 },
      sourcePosition: horizontal ? "right" : "bottom",
      targetPosition: horizontal ? "left" : "top",
    };
  });
}

const width = (node: LayoutNode) => node.width ?? DEFAULT_NODE_WIDTH;
const height = (node: LayoutNode) => node.height ?? DEFAULT_NODE_HEIGHT;

function dagreCentres(
  nodes: readonly LayoutNode[],
  edges: readonly LayoutEdge[],
  direction: LayoutDirection,
): Map<string, Position> {
  const g = new dagre.graphlib.Graph({ multigraph: false, compound: false });
  g.setGraph({
    rankdir: direction,
    nodesep: NODESEP,
    ranksep: RANKSEP,
    marginx: MARGIN,
    marginy: MARGIN,
  });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) g.setNode(node.id, { width: width(node), height: height(node) });
  for (const edge of edges) {
    if (edge.source !== edge.target && g.hasNode(edge.source) && g.hasNode(edge.target)) {
      g.setEdge(edge.source, edge.target);
    }
  }
  dagre.layout(g);
  return new Map(nodes.map((node) => [node.id, { x: g.node(node.id).x, y: g.node(node.id).y }]));
}

function layeredCentres(
  nodes: readonly LayoutNode[],
  edges: readonly LayoutEdge[],
  direction: LayoutDirection,
): Map<string, Position> {
  const horizontal = direction === "LR";
  const index = new Map(nodes.map((node, i) => [node.id, i]));
  const pairs: [number, number][] = [];
  const seen = new Set<string>();
  for (const edge of edges) {
    const u = index.get(edge.source);
    const v = index.get(edge.target);
    const key = `${u},${v}`;
    if (u === undefined || v === undefined || u === v || seen.has(key)) continue;
    seen.add(key);
    pairs.push([u, v]);
  }
  const { main, cross } = layeredLayout(
    nodes.map((node) =>
      horizontal
        ? { main: width(node), cross: height(node) }
        : { main: height(node), cross: width(node) },
    ),
    pairs,
    { nodesep: NODESEP, ranksep: RANKSEP, laneSize: 8 },
  );
  return new Map(
    nodes.map((node, i) => {
      const along = MARGIN + main[i]!;
      const across = MARGIN + cross[i]!;
      return [node.id, horizontal ? { x: along, y: across } : { x: across, y: along }];
    }),
  );
}
