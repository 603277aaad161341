// The React Flow canvas of a trace: laid-out nodes, click or Enter to select, fit-to-view controls.

import {
  Background,
  Controls,
  MarkerType,
  MiniMap,
  ReactFlow,
  type NodeChange,
  type NodeMouseHandler,
} from "@xyflow/react";
import { useCallback } from "react";
import { useTheme } from "../../../app/theme";
import type { Trace } from "../../../lib/types";
import { FIT_VIEW_OPTIONS, useLayoutedGraph } from "../hooks/useLayoutedGraph";
import type { TraceFlowNode } from "../traceToFlow";
import { nodeTypes } from "./TraceNodes";

const defaultEdgeOptions = { markerEnd: { type: MarkerType.ArrowClosed } };

function miniMapColor(node: TraceFlowNode): string {
  if (node.type === "run") {
    if (node.data.node.stale.length > 0) return "var(--warn)";
    return node.data.node.status === "success" ? "var(--accent)" : "var(--danger)";
  }
  return node.data.node.flagged ? "var(--flag)" : "var(--text-muted)";
}

export function TraceGraph({
  trace,
  selectedId,
  onSelect,
}: {
  trace: Trace;
  selectedId: string | null;
  onSelect: (id: string) => void;
}) {
  const { theme } = useTheme();
  const { nodes, edges } = useLayoutedGraph(trace, selectedId);

  const onNodeClick: NodeMouseHandler<TraceFlowNode> = useCallback(
    (_event, node) => onSelect(node.id),
    [onSelect],
  );
  // Keyboard selection (Enter on a focused node) arrives as a select change.
  const onNodesChange = useCallback(
    (changes: NodeChange<TraceFlowNode>[]) => {
      const picked = changes.find((change) => change.type === "select" && change.selected);
      if (picked && picked.type === "select") onSelect(picked.id);
    },
    [onSelect],
  );

  return (
    <ReactFlow<TraceFlowNode>
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      onNodeClick={onNodeClick}
      onNodesChange={onNodesChange}
      defaultEdgeOptions={defaultEdgeOptions}
      colorMode={theme}
      fitView
      fitViewOptions={FIT_VIEW_OPTIONS}
      minZoom={0.02}
      maxZoom={2}
      onlyRenderVisibleElements
      nodesDraggable={false}
      nodesConnectable={false}
      edgesFocusable={false}
      deleteKeyCode={null}
      selectionKeyCode={null}
      multiSelectionKeyCode={null}
      aria-label="Trace graph"
    >
      <Background gap={24} />
      <Controls showInteractive={false} fitViewOptions={FIT_VIEW_OPTIONS} />
      <MiniMap<TraceFlowNode>
        pannable
        zoomable
        nodeColor={miniMapColor}
        className="hide-narrow"
        style={{ width: 160, height: 100 }}
      />
    </ReactFlow>
  );
}
