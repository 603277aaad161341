// Where the graph's view starts: fitted to the canvas, or, on a narrow screen where a fitted graph
// would be too small to read, at a readable zoom around the node that matters.

import { getNodesBounds, getViewportForBounds, type Viewport } from "@xyflow/react";
import type { TraceFlowNode } from "./traceToFlow";

export interface Size {
  width: number;
  height: number;
}

/** Room kept free of nodes at the canvas's edges; the zoom buttons sit on the left. */
const PADDING = { top: "14px", right: "14px", bottom: "14px", left: "52px" } as const;
export const FIT_VIEW_OPTIONS = {
  padding: PADDING,
  maxZoom: 1.25,
  includeHiddenNodes: true,
} as const;
export const MIN_ZOOM = 0.02;
export const MAX_ZOOM = 2;
/** The zoom at which nodes' 12 px text is read at 12 px: where "show me this node" zooms to. */
export const READABLE_ZOOM = 1;
/** Below this zoom nodes' 12 px text reads under 11 px. */
export const MIN_READABLE_ZOOM = 11 / 12;
/** Below this width a fitted graph that is not readable opens around one node instead. */
const NARROW = 640;

/** The viewport that fits `nodes` into a canvas of `size`, as React Flow's fitView computes it. */
export function fittedViewport(nodes: readonly TraceFlowNode[], size: Size): Viewport {
  const bounds = getNodesBounds(nodes as TraceFlowNode[]);
  const { maxZoom } = FIT_VIEW_OPTIONS;
  return getViewportForBounds(bounds, size.width, size.height, MIN_ZOOM, maxZoom, PADDING);
}

/**
 * The fitted viewport, unless the canvas is narrow and that would draw nodes smaller than
 * READABLE_ZOOM: then READABLE_ZOOM with `focusId`'s node in the middle.
 */
export function initialViewport(
  nodes: readonly TraceFlowNode[],
  size: Size,
  focusId: string | null,
  coveredRight = 0,
): Viewport {
  const fitted = fittedViewport(nodes, size);
  const focus = nodes.find((node) => node.id === focusId);
  if (fitted.zoom >= MIN_READABLE_ZOOM || size.width >= NARROW || !focus) {
    // A node opened with the page (?node=) stays clear of the details that cover the right side.
    if (!focus || coveredRight === 0) return fitted;
    const right = (focus.position.x + (focus.width ?? 0)) * fitted.zoom + fitted.x;
    const room = size.width - coveredRight - 14;
    return right <= room ? fitted : { ...fitted, x: fitted.x - (right - room) };
  }
  const zoom = READABLE_ZOOM;
  const bounds = getNodesBounds(nodes as TraceFlowNode[]);
  const centre = (start: number, extent: number, focusAt: number, room: number) => {
    // The focus in the middle, but no empty room beyond the graph's edge while it has more to show.
    const offset = room / 2 - focusAt * zoom;
    const pad = 14;
    if (extent * zoom + 2 * pad <= room) return room / 2 - (start + extent / 2) * zoom;
    return Math.min(pad - start * zoom, Math.max(room - pad - (start + extent) * zoom, offset));
  };
  return {
    x: centre(bounds.x, bounds.width, focus.position.x + (focus.width ?? 0) / 2, size.width),
    y: centre(bounds.y, bounds.height, focus.position.y + (focus.height ?? 0) / 2, size.height),
    zoom,
  };
}

/** Whether a node lies wholly within `room` (from the canvas's top left) at `viewport`. */
export function isInView(
  node: { position: { x: number; y: number }; width?: number; height?: number },
  viewport: Viewport,
  room: Size,
): boolean {
  const left = node.position.x * viewport.zoom + viewport.x;
  const top = node.position.y * viewport.zoom + viewport.y;
  const right = left + (node.width ?? 0) * viewport.zoom;
  const bottom = top + (node.height ?? 0) * viewport.zoom;
  return left >= 0 && top >= 0 && right <= room.width && bottom <= room.height;
}
