// Lays the drawn graph out once per shape: a refetch that changes only flags or statuses, or a
// group opened and folded again, reuses the positions it had.

import { useMemo } from "react";
import { layoutGraph, type Positioned } from "../../../lib/layoutGraph";
import { layoutShape, NODE_SIZE } from "../traceToFlow";
import type { ViewGraph } from "../viewGraph";

export type Layout = ReadonlyMap<string, Positioned<{ id: string }>>;

const KEPT = 24;
const layouts = new Map<string, Layout>(); // shape → positions, the most recent last

/** The positions of `view`'s nodes, top to bottom. */
export function useGraphLayout(view: ViewGraph): Layout {
  const shape = layoutShape(view);
  return useMemo(() => {
    const known = layouts.get(shape);
    const laid =
      known ??
      new Map(
        layoutGraph(
          view.nodes.map((node) => ({ id: node.id, ...NODE_SIZE[node.kind] })),
          view.edges,
          "TB",
        ).map((node) => [node.id, node]),
      );
    layouts.delete(shape);
    layouts.set(shape, laid);
    if (layouts.size > KEPT) layouts.delete(layouts.keys().next().value!);
    return laid;
    // The shape is what the layout depends on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape]);
}
