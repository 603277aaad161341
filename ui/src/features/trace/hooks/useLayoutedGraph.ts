// Lays a trace out (once per trace), marks the selected node, and fits the view to each new layout.

import { useReactFlow } from "@xyflow/react";
import { useEffect, useMemo } from "react";
import type { Trace } from "../../../lib/types";
import { traceToFlow, type TraceFlowNode } from "../traceToFlow";

export const FIT_VIEW_OPTIONS = { padding: 0.12, maxZoom: 1.25 } as const;

export function useLayoutedGraph(trace: Trace, selectedId: string | null) {
  const { fitView } = useReactFlow();
  const layout = useMemo(() => traceToFlow(trace), [trace]);

  const nodes = useMemo(
    () =>
      layout.nodes.map((node) =>
        node.id === selectedId ? ({ ...node, selected: true } as TraceFlowNode) : node,
      ),
    [layout, selectedId],
  );

  useEffect(() => {
    // Nodes carry their sizes, so React Flow can fit them as soon as it has them.
    void fitView(FIT_VIEW_OPTIONS);
  }, [layout, fitView]);

  return { nodes, edges: layout.edges };
}
