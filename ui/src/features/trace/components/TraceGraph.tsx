// The React Flow canvas of a trace: laid-out nodes, click or Enter to select, fit-to-view controls.

import {
  Background,
  Controls,
  MarkerType,
  MiniMap,
  ReactFlow,
  type Edge,
  type NodeChange,
  type NodeMouseHandler,
} from "@xyflow/react";
import { useCallback, useLayoutEffect, useRef, useState } from "react";
import { useTheme } from "../../../app/theme";
import type { Trace } from "../../../lib/types";
import {
  FIT_VIEW_OPTIONS,
  MAX_ZOOM,
  MIN_ZOOM,
  useLayoutedGraph,
  type Size,
} from "../hooks/useLayoutedGraph";
import { DetailContext, useZoomDetail } from "../zoomDetail";
import type { TraceFlowNode } from "../traceToFlow";
import { EdgeLines } from "./EdgeLines";
import { nodeTypes } from "./TraceNodes";

// Edges are not selectable: no invisible wide path for catching clicks.
const defaultEdgeOptions = { markerEnd: { type: MarkerType.ArrowClosed }, interactionWidth: 0 };
const NO_EDGES: Edge[] = [];

function miniMapColor(node: TraceFlowNode): string {
  if (node.type === "run") {
    if (node.data.node.stale.length > 0) return "var(--warn)";
    return node.data.node.status === "success" ? "var(--accent)" : "var(--danger)";
  }
  return node.data.node.flagged ? "var(--flag)" : "var(--text-muted)";
}

interface TraceGraphProps {
  trace: Trace;
  selectedId: string | null;
  onSelect: (id: string) => void;
}

/** Measures its frame first, so that the graph can mount already fitted to it. */
export function TraceGraph(props: TraceGraphProps) {
  const frame = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState<Size | null>(null);
  useLayoutEffect(() => {
    const element = frame.current;
    if (element) setSize({ width: element.offsetWidth, height: element.offsetHeight });
  }, []);
  return (
    <div ref={frame} className="trace-graph">
      {size ? <TraceFlow {...props} canvas={size} /> : null}
    </div>
  );
}

function TraceFlow({ trace, selectedId, onSelect, canvas }: TraceGraphProps & { canvas: Size }) {
  const { theme } = useTheme();
  const { nodes, edges, laidOutNodes, defaultViewport, layoutDone } = useLayoutedGraph(
    trace,
    selectedId,
    canvas,
  );
  // Zoomed out, React Flow's edges (arrowheads too small to see) give way to one path of lines.
  const detail = useZoomDetail(defaultViewport.zoom);
  const lines = detail !== "full";

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
    <DetailContext.Provider value={detail}>
      <ReactFlow<TraceFlowNode>
        nodes={nodes}
        edges={lines ? NO_EDGES : edges}
        nodeTypes={nodeTypes}
        onNodeClick={onNodeClick}
        onNodesChange={onNodesChange}
        defaultEdgeOptions={defaultEdgeOptions}
        colorMode={theme}
        defaultViewport={defaultViewport}
        minZoom={MIN_ZOOM}
        maxZoom={MAX_ZOOM}
        onlyRenderVisibleElements
        nodesDraggable={false}
        nodesConnectable={false}
        edgesFocusable={false}
        deleteKeyCode={null}
        selectionKeyCode={null}
        multiSelectionKeyCode={null}
        aria-label="Trace graph"
        data-layout={layoutDone ? "done" : "pending"}
        className={`detail-${detail}`}
      >
        {lines ? <EdgeLines nodes={laidOutNodes} edges={edges} /> : null}
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
    </DetailContext.Provider>
  );
}
