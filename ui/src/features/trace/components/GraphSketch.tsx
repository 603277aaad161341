// The zoomed-out drawing of a trace, in one SVG under React Flow's nodes: every edge as one path
// and, furthest out, every node as a coloured block that selects it when clicked. React Flow
// draws each edge and node as its own component, which for a thousand of them takes most of a
// second and shows nothing more at this size.

import { ViewportPortal, type Edge } from "@xyflow/react";
import { memo, useMemo, type MouseEvent } from "react";
import { edgesPath } from "../zoomDetail";
import type { TraceFlowNode } from "../traceToFlow";

function blockClass(node: TraceFlowNode, selected: boolean): string {
  const classes = [`block-${node.type}`];
  if (node.type === "run") {
    if (node.data.node.status !== "success") classes.push("is-failed");
    if (node.data.node.stale.length > 0) classes.push("is-stale");
  } else {
    if (node.data.node.flagged) classes.push("is-flagged");
    if (node.data.isRoot) classes.push("is-root");
  }
  if (selected) classes.push("is-selected");
  return classes.join(" ");
}

function blockTitle(node: TraceFlowNode): string {
  return node.type === "run"
    ? `${node.data.node.component} · Run ${node.data.node.run_id}`
    : node.data.node.name;
}

export const GraphSketch = memo(function GraphSketch({
  nodes,
  edges,
  blocks,
  selectedId,
  onSelect,
}: {
  nodes: readonly TraceFlowNode[];
  edges: readonly Edge[];
  /** Draw the nodes too (React Flow's are hidden), not only the edges. */
  blocks: boolean;
  selectedId: string | null;
  onSelect: (id: string) => void;
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
      // Centre to centre: nodes and blocks are drawn over the lines' ends.
      ends.push({
        sourceX: source.position.x + (source.width ?? 0) / 2,
        sourceY: source.position.y + (source.height ?? 0) / 2,
        targetX: target.position.x + (target.width ?? 0) / 2,
        targetY: target.position.y + (target.height ?? 0) / 2,
      });
    }
    return { d: edgesPath(ends), width, height };
  }, [nodes, edges]);

  const onClick = (event: MouseEvent<SVGGElement>) => {
    const id = (event.target as Element).closest("[data-node-id]")?.getAttribute("data-node-id");
    if (id) onSelect(id);
  };

  return (
    <ViewportPortal>
      <svg className="trace-sketch" width={width} height={height} aria-hidden="true">
        <path className="trace-sketch-edges" d={d} vectorEffect="non-scaling-stroke" />
        {blocks ? (
          <g className="trace-sketch-blocks" onClick={onClick}>
            {nodes.map((node) => {
              const w = node.width ?? 0;
              const h = node.height ?? 0;
              return (
                <rect
                  key={node.id}
                  data-node-id={node.id}
                  className={blockClass(node, node.id === selectedId)}
                  x={node.position.x + w * 0.3}
                  y={node.position.y + h * 0.12}
                  width={w * 0.4}
                  height={h * 0.76}
                  rx={node.type === "run" ? 6 : h * 0.38}
                >
                  <title>{blockTitle(node)}</title>
                </rect>
              );
            })}
          </g>
        ) : null}
      </svg>
    </ViewportPortal>
  );
});
