// Every edge of a zoomed-out trace as one SVG path under the nodes: React Flow draws each edge as
// its own component, which for a thousand edges costs more than the rest of the graph.

import { ViewportPortal, type Edge } from "@xyflow/react";
import { memo, useMemo } from "react";
import { edgesPath } from "../zoomDetail";
import type { TraceFlowNode } from "../traceToFlow";

export const EdgeLines = memo(function EdgeLines({
  nodes,
  edges,
}: {
  nodes: readonly TraceFlowNode[];
  edges: readonly Edge[];
}) {
  const { d, width, height } = useMemo(() => {
    const byId = new Map(nodes.map((node) => [node.id, node]));
    let width = 0;
    let height = 0;
    for (const node of nodes) {
      width = Math.max(width, node.position.x + (node.width ?? 0));
      height = Math.max(height, node.position.y + (node.height ?? 0));
    }
    const ends = [];
    for (const edge of edges) {
      const source = byId.get(edge.source);
      const target = byId.get(edge.target);
      if (!source || !target) continue;
      // Centre to centre: the blocks are drawn smaller than the nodes, over the lines' ends.
      ends.push({
        sourceX: source.position.x + (source.width ?? 0) / 2,
        sourceY: source.position.y + (source.height ?? 0) / 2,
        targetX: target.position.x + (target.width ?? 0) / 2,
        targetY: target.position.y + (target.height ?? 0) / 2,
      });
    }
    return { d: edgesPath(ends), width, height };
  }, [nodes, edges]);
  return (
    <ViewportPortal>
      <svg className="trace-edge-lines" width={width} height={height} aria-hidden="true">
        <path d={d} vectorEffect="non-scaling-stroke" />
      </svg>
    </ViewportPortal>
  );
});
