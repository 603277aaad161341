// Lays the drawn graph out (ELK in its worker; layeredLayout on the page for large graphs), once
// per shape: a refetch that changes only flags or statuses reuses the positions it has.

import { useEffect, useReducer, useRef } from "react";
import { elkEngine } from "../../../lib/elkEngine";
import {
  ELK_MAX_NODES,
  layoutLayered,
  layoutWithElk,
  type Positioned,
} from "../../../lib/layoutGraph";
import { layoutShape, NODE_SIZE } from "../traceToFlow";
import type { ViewGraph } from "../viewGraph";

export type Layout = ReadonlyMap<string, Positioned<{ id: string }>>;

const KEPT = 24;
const layouts = new Map<string, Layout>(); // shape → positions, the most recent last

function remember(shape: string, laid: Layout): void {
  layouts.delete(shape);
  layouts.set(shape, laid);
  if (layouts.size > KEPT) layouts.delete(layouts.keys().next().value!);
}

const sized = (view: ViewGraph) =>
  view.nodes.map((node) => ({ id: node.id, ...NODE_SIZE[node.kind] }));
const byId = (nodes: Positioned<{ id: string }>[]): Layout => new Map(nodes.map((n) => [n.id, n]));

/** Starts ELK (its worker and code) before the first graph needs it. */
export const prepareLayout = () => void elkEngine();

/**
 * The positions of `view`'s nodes, with the view they belong to: while a new shape is being laid
 * out, the last laid-out view and its positions (so that the graph stays where it was), and
 * `pending`. Graphs above ELK_MAX_NODES are laid out at once, on the page.
 */
export function useGraphLayout(view: ViewGraph): {
  view: ViewGraph | null;
  laid: Layout | null;
  pending: boolean;
} {
  const shape = layoutShape(view);
  const [, laidOut] = useReducer((n: number) => n + 1, 0);
  let laid = layouts.get(shape);
  if (!laid && view.nodes.length > ELK_MAX_NODES) {
    laid = byId(layoutLayered(sized(view), view.edges, "TB"));
    remember(shape, laid);
  }

  const viewRef = useRef(view);
  viewRef.current = view;
  useEffect(() => {
    if (layouts.has(shape)) return;
    let live = true;
    const graph = viewRef.current;
    layoutWithElk(elkEngine(), sized(graph), graph.edges, "TB")
      // ELK unavailable (its worker blocked or failing): the page lays the graph out itself.
      .catch(() => layoutLayered(sized(graph), graph.edges, "TB"))
      .then((nodes) => {
        remember(shape, byId(nodes));
        if (live) laidOut();
      });
    return () => {
      live = false;
    };
  }, [shape]);

  const last = useRef<{ view: ViewGraph; laid: Layout } | null>(null);
  if (laid) last.current = { view, laid };
  return {
    view: last.current?.view ?? null,
    laid: last.current?.laid ?? null,
    pending: !laid,
  };
}
