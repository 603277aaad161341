// Lays a trace out (again only when its shape changes), marks the selected node, and fits the view
// to each new layout.

import { useReactFlow } from "@xyflow/react";
import { useEffect, useMemo } from "react";
import type { Trace } from "../../../lib/types";
import { graphShape, layoutFlow, traceToFlow, type TraceFlowNode } from "../traceToFlow";

export const FIT_VIEW_OPTIONS = { padding: 0.12, maxZoom: 1.25 } as const;

export function useLayoutedGraph(trace: Trace, selectedId: string | null) {
  const { fitView } = useReactFlow();
  const graph = useMemo(() => traceToFlow(trace), [trace]);
  const shape = graphShape(graph);

  // Keyed by shape alone: flagging a node refetches the trace but must not move nodes or the view.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const laidOut = useMemo(() => layoutFlow(graph), [shape]);

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

  useEffect(() => {
    // Nodes carry their sizes, so React Flow can fit them as soon as it has them.
    void fitView(FIT_VIEW_OPTIONS);
  }, [laidOut, fitView]);

  return { nodes, edges: graph.edges };
}
