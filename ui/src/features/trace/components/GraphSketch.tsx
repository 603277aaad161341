// The zoomed-out drawing of a trace, in one SVG under React Flow's nodes: every edge as one path
// and, when `blocks`, every node as a block that selects it when clicked, or on Enter once focused
// (Tab and the arrow keys reach them). React Flow draws each edge and node as its own component,
// which for a thousand of them takes most of a second and shows nothing more at this size.

import { ViewportPortal, type Edge } from "@xyflow/react";
import { memo, useMemo, type KeyboardEvent, type MouseEvent } from "react";
import { ariaLabel, type TraceFlowNode } from "../traceToFlow";
import { edgesPath } from "../zoomDetail";

function blockClass(node: TraceFlowNode, selected: boolean): string {
  const classes = [`block-${node.type}`];
  if (node.type === "run") {
    if (node.data.node.status === "failed") classes.push("is-failed");
    if (node.data.node.stale.length > 0) classes.push("is-stale");
  } else if (node.type === "pointer") {
    if (node.data.node.flagged) classes.push("is-flagged");
  } else if (node.data.group.flagged > 0) {
    classes.push("is-flagged");
  }
  if (node.data.isRoot) classes.push("is-root");
  if (node.data.isSuspect) classes.push("is-suspect");
  if (node.data.pathMark) classes.push(`${node.data.pathMark}-path`);
  if (selected) classes.push("is-selected");
  return classes.join(" ");
}

function nodeAria(node: TraceFlowNode): string {
  if (node.type === "run") return ariaLabel(node.data.node, node.data.isSuspect);
  if (node.type === "pointer") return ariaLabel(node.data.node);
  return ariaLabel(node.data.group);
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

  const idOf = (event: MouseEvent | KeyboardEvent) =>
    (event.target as Element).closest("[data-node-id]")?.getAttribute("data-node-id");
  const onClick = (event: MouseEvent<SVGGElement>) => {
    const id = idOf(event);
    if (id) onSelect(id);
  };
  const onKeyDown = (event: KeyboardEvent<SVGGElement>) => {
    const id = idOf(event);
    if (id && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      onSelect(id);
    }
  };

  return (
    <ViewportPortal>
      <svg className="trace-sketch" width={width} height={height}>
        <path
          className="trace-sketch-edges"
          d={d}
          vectorEffect="non-scaling-stroke"
          aria-hidden="true"
        />
        {blocks ? (
          <g className="trace-sketch-blocks" onClick={onClick} onKeyDown={onKeyDown}>
            {nodes.map((node) => {
              const w = node.width ?? 0;
              const h = node.height ?? 0;
              return (
                <rect
                  key={node.id}
                  data-node-id={node.id}
                  className={blockClass(node, node.id === selectedId)}
                  tabIndex={0}
                  role="button"
                  aria-label={nodeAria(node)}
                  x={node.position.x + w * 0.1}
                  y={node.position.y + h * 0.1}
                  width={w * 0.8}
                  height={h * 0.8}
                  rx={node.type === "run" ? 6 : h * 0.38}
                />
              );
            })}
          </g>
        ) : null}
      </svg>
    </ViewportPortal>
  );
});
