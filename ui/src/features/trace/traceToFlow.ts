// Turns the drawn graph of a trace into React Flow nodes and edges of fixed sizes, positioned by the
// layout, in reading order (top to bottom, left to right) so that Tab follows what the eye does.

import { MarkerType, type Edge, type Node, type NodeHandle } from "@xyflow/react";
import type { Positioned } from "../../lib/layoutGraph";
import type { PointerNode, RunNode, SuspectMark } from "../../lib/types";
import { LABEL_CHARS, pointerLabels, type PointerLabel } from "./pointerLabels";
import type { GroupNode, ViewGraph, ViewNode } from "./viewGraph";

/**
 * Node sizes are fixed (CSS matches them), so the layout needs no DOM measurement: with
 * onlyRenderVisibleElements, nodes outside the viewport are never rendered, hence never measured.
 * Data flows downwards: ranks are rows, so a deep lineage uses the screen's height and its breadth
 * the width, and names read across the nodes.
 */
export const NODE_SIZE = {
  run: { width: 224, height: 40 },
  pointer: { width: 224, height: 34 },
  group: { width: 224, height: 40 },
} as const;

const PATH_ARROW = { type: MarkerType.ArrowClosed, color: "var(--suspect)", width: 7, height: 7 };

/** How a node stands to the highlighted path: on it, off it, or no path is shown. */
export type PathMark = "on" | "off" | null;

type Common = {
  pathMark: PathMark;
  isSuspect: boolean;
  isRoot: boolean;
};

export type RunFlowNode = Node<Common & { node: RunNode }, "run">;
export type PointerFlowNode = Node<Common & { node: PointerNode; label: PointerLabel }, "pointer">;
// Not "group": React Flow styles its own group nodes under that name.
export type GroupFlowNode = Node<Common & { group: GroupNode }, "siblings">;
export type TraceFlowNode = RunFlowNode | PointerFlowNode | GroupFlowNode;

/** One target handle on top, one source handle at the bottom, both mid-width. */
function handles(width: number, height: number): NodeHandle[] {
  return [
    {
      type: "target",
      position: "top" as NodeHandle["position"],
      x: width / 2 - 1,
      y: 0,
      width: 2,
      height: 1,
    },
    {
      type: "source",
      position: "bottom" as NodeHandle["position"],
      x: width / 2 - 1,
      y: height - 1,
      width: 2,
      height: 1,
    },
  ];
}

/**
 * What the server's suspect marks of a node say in a word: "flag upstream" when a flagged output is
 * upstream, "failed test upstream" when only failed tests are; null without marks. (The review's
 * highlighted run is "suspect"; these marks are what every flag makes of the runs it feeds.)
 */
export function upstreamTrouble(marks: SuspectMark[] | undefined): string | null {
  if (!marks || marks.length === 0) return null;
  return marks.some((m) => m.source.startsWith("output:"))
    ? "flag upstream"
    : "failed test upstream";
}

/** What a screen reader says for a node (and what the browser tests find it by). */
export function ariaLabel(node: ViewNode, isSuspect = false): string {
  if (node.kind === "run") {
    const parts = [`Run ${node.run_id}: ${node.component}`, node.status];
    if (isSuspect) parts.push("suspect");
    const upstream = upstreamTrouble(node.suspect);
    if (upstream) parts.push(upstream);
    if (node.stale.length > 0) parts.push("stale");
    return parts.join(", ");
  }
  if (node.kind === "pointer") {
    const upstream = upstreamTrouble(node.suspect);
    return `${node.type} ${node.name}${node.flagged ? ", flagged" : ""}${upstream ? `, ${upstream}` : ""}`;
  }
  const flagged = node.flagged > 0 ? `, ${node.flagged} flagged` : "";
  return `${node.siblings.length} ${node.noun}${flagged}, folded: press Enter to show them`;
}

export interface FlowGraph {
  nodes: TraceFlowNode[];
  edges: Edge[];
}

/** The drawn graph as React Flow elements, at the layout's positions. */
export function viewToFlow(
  view: ViewGraph,
  laid: ReadonlyMap<string, Positioned<unknown>>,
): FlowGraph {
  const names = view.nodes.flatMap((n) => (n.kind === "pointer" ? [n.name] : []));
  const labels = pointerLabels(names);
  // A flagged pointer's flag takes the room of a few characters.
  const flaggedLabels = pointerLabels(names, LABEL_CHARS - 3);
  const markOf = (id: string): PathMark => (view.path ? (view.path.has(id) ? "on" : "off") : null);
  const nodes = view.nodes.map((node): TraceFlowNode => {
    const { width, height } = NODE_SIZE[node.kind];
    const common = {
      id: node.id,
      position: laid.get(node.id)?.position ?? { x: 0, y: 0 },
      width,
      height,
      measured: { width, height },
      handles: handles(width, height),
      ariaLabel:
        ariaLabel(node, node.id === view.suspect) +
        (view.pathLabel && view.path?.has(node.id) ? `, ${view.pathLabel}` : ""),
      draggable: false,
      connectable: false,
    };
    const data = {
      pathMark: markOf(node.id),
      isSuspect: node.id === view.suspect,
      isRoot: node.id === view.root,
    };
    if (node.kind === "run") return { ...common, type: "run", data: { ...data, node } };
    if (node.kind === "pointer") {
      const label = (node.flagged ? flaggedLabels : labels).get(node.name)!;
      return { ...common, type: "pointer", data: { ...data, node, label } };
    }
    return { ...common, type: "siblings", data: { ...data, group: node } };
  });
  nodes.sort((a, b) => a.position.y - b.position.y || a.position.x - b.position.x);
  const edges: Edge[] = view.edges.map((edge) => ({
    id: edge.id,
    source: edge.source,
    target: edge.target,
    focusable: false,
    className: view.path ? (edge.onPath ? "on-path" : "off-path") : undefined,
    // The path's edges are drawn three times as thick: their arrowheads (sized by the stroke) are not.
    ...(edge.onPath ? { markerEnd: PATH_ARROW } : {}),
  }));
  return { nodes, edges };
}

/** What the layout depends on: node ids (whose kind gives the size) and edges, in a stable order. */
export function layoutShape(view: ViewGraph): string {
  const ids = view.nodes.map((n) => n.id).sort();
  const edges = view.edges.map((e) => e.id).sort();
  return `${ids.join("\n")}\n\n${edges.join("\n")}`;
}
