// Lays out a directed graph with dagre: one pure function from nodes and edges to positioned nodes.

import dagre from "@dagrejs/dagre";

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
 * Above this many nodes, dagre's network-simplex ranking (the most compact) takes seconds; the
 * tight-tree ranker gives nearly the same ranks in a fraction of the time.
 */
export const FAST_RANKER_THRESHOLD = 150;

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

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
  const g = new dagre.graphlib.Graph({ multigraph: false, compound: false });
  g.setGraph({
    rankdir: direction,
    ranker: nodes.length > FAST_RANKER_THRESHOLD ? "tight-tree" : "network-simplex",
    nodesep: 16,
    ranksep: 56,
    marginx: 16,
    marginy: 16,
  });
  g.setDefaultEdgeLabel(() => ({}));

  const sorted = [...nodes].sort((a, b) => byString(a.id, b.id));
  for (const node of sorted) {
    g.setNode(node.id, {
      width: node.width ?? DEFAULT_NODE_WIDTH,
      height: node.height ?? DEFAULT_NODE_HEIGHT,
    });
  }
  const sortedEdges = [...edges].sort(
    (a, b) => byString(a.source, b.source) || byString(a.target, b.target),
  );
  for (const edge of sortedEdges) {
    if (edge.source !== edge.target && g.hasNode(edge.source) && g.hasNode(edge.target)) {
      g.setEdge(edge.source, edge.target);
    }
  }

  dagre.layout(g);

  const horizontal = direction === "LR";
  return nodes.map((node) => {
    const laid = g.node(node.id);
    const width = node.width ?? DEFAULT_NODE_WIDTH;
    const height = node.height ?? DEFAULT_NODE_HEIGHT;
    return {
      ...node,
      position: { x: laid.x - width / 2, y: laid.y - height / 2 },
      sourcePosition: horizontal ? "right" : "bottom",
      targetPosition: horizontal ? "left" : "top",
    };
  });
}
