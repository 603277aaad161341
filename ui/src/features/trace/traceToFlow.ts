// Turns an API trace into React Flow nodes and edges (fixed node sizes) and lays them out with dagre.

import type { Edge, Node, NodeHandle } from "@xyflow/react";
import { layoutGraph } from "../../lib/layoutGraph";
import type { PointerNode, RunNode, Trace } from "../../lib/types";

/**
 * Node sizes are fixed (CSS matches them), so the layout needs no DOM measurement: with
 * onlyRenderVisibleElements, nodes outside the viewport are never rendered, hence never measured.
 */
export const NODE_SIZE = {
  run: { width: 220, height: 64 },
  pointer: { width: 220, height: 40 },
} as const;

export type RunFlowNode = Node<{ node: RunNode; isRoot: false }, "run">;
export type PointerFlowNode = Node<{ node: PointerNode; isRoot: boolean }, "pointer">;
export type TraceFlowNode = RunFlowNode | PointerFlowNode;

/** One target handle on the left, one source handle on the right, both mid-height. */
function handles(width: number, height: number): NodeHandle[] {
  return [
    {
      type: "target",
      position: "left" as NodeHandle["position"],
      x: 0,
      y: height / 2 - 1,
      width: 1,
      height: 2,
    },
    {
      type: "source",
      position: "right" as NodeHandle["position"],
      x: width - 1,
      y: height / 2 - 1,
      width: 1,
      height: 2,
    },
  ];
}

function ariaLabel(node: RunNode | PointerNode): string {
  if (node.kind === "run") {
    const parts = [`Run ${node.run_id}: ${node.component}`, node.status];
    if (node.stale.length > 0) parts.push("stale");
    return parts.join(", ");
  }
  return `${node.type} ${node.name}${node.flagged ? ", flagged" : ""}`;
}

export interface FlowGraph {
  nodes: TraceFlowNode[];
  edges: Edge[];
}

/** The trace as React Flow elements, not yet positioned. */
export function traceToFlow(trace: Trace): FlowGraph {
  const nodes = trace.nodes.map((node): TraceFlowNode => {
    const { width, height } = NODE_SIZE[node.kind];
    const common = {
      id: node.id,
      position: { x: 0, y: 0 },
      width,
      height,
      measured: { width, height },
      handles: handles(width, height),
      ariaLabel: ariaLabel(node),
      draggable: false,
      connectable: false,
    };
    return node.kind === "run"
      ? { ...common, type: "run", data: { node, isRoot: false } }
      : { ...common, type: "pointer", data: { node, isRoot: node.id === trace.root } };
  });
  const edges: Edge[] = trace.edges.map((edge) => ({
    id: `${edge.source}->${edge.target}`,
    source: edge.source,
    target: edge.target,
    focusable: false,
  }));
  return { nodes, edges };
}

/**
 * What the layout depends on: node ids (whose prefix gives the kind, hence the size) and edges.
 * A refetch that only changes flags, statuses or staleness keeps the same shape.
 */
export function graphShape({ nodes, edges }: FlowGraph): string {
  return `${nodes.map((n) => n.id).join("\n")}\n\n${edges.map((e) => e.id).join("\n")}`;
}

/** Positions the elements left→right: data flows from inputs on the left to outputs on the right. */
export function layoutFlow({ nodes, edges }: FlowGraph): FlowGraph {
  return { nodes: layoutGraph(nodes, edges, "LR") as TraceFlowNode[], edges };
}
