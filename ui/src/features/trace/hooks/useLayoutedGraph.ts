// Lays a trace out (again only when its shape changes), marks the selected node, fits the view to
// each layout and says when that fit is done.

import { getNodesBounds, getViewportForBounds, useReactFlow, type Viewport } from "@xyflow/react";
import { useEffect, useMemo, useState } from "react";
import type { Trace } from "../../../lib/types";
import { graphShape, layoutFlow, traceToFlow, type TraceFlowNode } from "../traceToFlow";

// Hidden nodes count: zoomed far out, React Flow's nodes are hidden behind their sketch.
export const FIT_VIEW_OPTIONS = { padding: 0.12, maxZoom: 1.25, includeHiddenNodes: true } as const;
export const MIN_ZOOM = 0.02;
export const MAX_ZOOM = 2;

export interface Size {
  width: number;
  height: number;
}

/** The viewport that fits `nodes` into a canvas of `size`, as React Flow's fitView computes it. */
function fittedViewport(nodes: TraceFlowNode[], size: Size): Viewport {
  const { padding, maxZoom } = FIT_VIEW_OPTIONS;
  const bounds = getNodesBounds(nodes);
  return getViewportForBounds(bounds, size.width, size.height, MIN_ZOOM, maxZoom, padding);
}

/**
 * `canvas` is the size of the graph's frame when it mounts: the first layout is shown already
 * fitted (`defaultViewport`), so React Flow renders its nodes once, where they will stay.
 */
export function useLayoutedGraph(trace: Trace, selectedId: string | null, canvas: Size) {
  const { fitView } = useReactFlow();
  const graph = useMemo(() => traceToFlow(trace), [trace]);
  const shape = graphShape(graph);

  // Keyed by shape alone: flagging a node refetches the trace but must not move nodes or the view.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const laidOut = useMemo(() => layoutFlow(graph), [shape]);
  const [first] = useState(() => ({
    layout: laidOut,
    viewport: fittedViewport(laidOut.nodes, canvas),
  }));

  const positioned = useMemo(() => {
    const byId = new Map(laidOut.nodes.map((node) => [node.id, node]));
    return graph.nodes.map((node): TraceFlowNode => {
      const laid = byId.get(node.id);
      return laid
        ? {
            ...node,
            position: laid.position,
            sourcePosition: laid.sourcePosition,
            targetPosition: laid.targetPosition,
          }
        : node;
    });
  }, [graph, laidOut]);

  // Only the selected node gets a new object, so React Flow re-renders just that one.
  const nodes = useMemo(
    () =>
      positioned.map((node) =>
        node.id === selectedId ? ({ ...node, selected: true } as TraceFlowNode) : node,
      ),
    [positioned, selectedId],
  );

  // The layout the view was last fitted to: `layoutDone` is true once the current one is.
  const [fitted, setFitted] = useState<object | null>(null);
  useEffect(() => {
    if (laidOut === first.layout) {
      setFitted(laidOut); // mounted fitted
      return;
    }
    // A new shape (another direction or depth): nodes carry their sizes, so React Flow can fit
    // them as soon as it has them.
    let current = true;
    void fitView(FIT_VIEW_OPTIONS).then(() => {
      if (current) setFitted(laidOut);
    });
    return () => {
      current = false;
    };
  }, [laidOut, first, fitView]);
  const layoutDone = fitted === laidOut;

  useEffect(() => {
    // For the browser benchmark and tests: the time from navigation start to a fitted graph.
    if (layoutDone) performance.mark?.("mltrace:trace-layout-done");
  }, [layoutDone]);

  return {
    nodes,
    edges: graph.edges,
    positioned,
    defaultViewport: first.viewport,
    layoutDone,
  };
}
