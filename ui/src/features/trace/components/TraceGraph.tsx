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
import { useCallback, useLayoutEffect, useMemo, useRef, useState } from "react";
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
import { GraphSketch } from "./GraphSketch";
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
  const { nodes, edges, positioned, defaultViewport, layoutDone } = useLayoutedGraph(
    trace,
    selectedId,
    canvas,
  );
  // Zoomed out, React Flow's edges (arrowheads too small to see) give way to one path of lines
  // in the sketch; further out its nodes too, to the sketch's blocks.
  const detail = useZoomDetail(defaultViewport.zoom);
  const sketched = detail !== "full";
  const blocks = detail === "block";
  const hidden = useMemo(
    () => (blocks ? nodes.map((node) => ({ ...node, hidden: true })) : nodes),
    [blocks, nodes],
  );

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
      <p className="sr-only" aria-live="polite">
        {blocks ? "Zoomed out: zoom in to reach the runs and outputs with the keyboard." : ""}
      </p>
      <ReactFlow<TraceFlowNode>
        nodes={hidden}
        edges={sketched ? NO_EDGES : edges}
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
        {sketched ? (
          <GraphSketch
            nodes={positioned}
            edges={edges}
            blocks={blocks}
            selectedId={selectedId}
            onSelect={onSelect}
          />
        ) : null}
        <Background gap={24} />
        <Controls showInteractive={false} fitViewOptions={FIT_VIEW_OPTIONS} />
        {blocks ? null : (
          // Furthest out the sketch is its own map (and React Flow's nodes, hidden, are not drawn).
          <MiniMap<TraceFlowNode>
            pannable
            zoomable
            nodeColor={miniMapColor}
            className="hide-narrow"
            style={{ width: 160, height: 100 }}
          />
        )}
      </ReactFlow>
    </DetailContext.Provider>
  );
}
