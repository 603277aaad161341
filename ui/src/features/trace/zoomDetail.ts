// How much of each node to draw at the current zoom: everything, one big label, or a bare block.

import { useStore } from "@xyflow/react";
import { createContext, useContext } from "react";

export type Detail = "full" | "label" | "block";

/** Below this zoom a node's 14 px title is under 6 px tall: nodes show one large label instead. */
export const LABEL_ZOOM = 0.45;
/** Below this zoom even that label is under 7 px: nodes are coloured blocks. */
export const BLOCK_ZOOM = 0.2;

export function detailAt(zoom: number): Detail {
  return zoom >= LABEL_ZOOM ? "full" : zoom >= BLOCK_ZOOM ? "label" : "block";
}

export const DetailContext = createContext<Detail>("full");

/** What the nodes draw (provided by the graph, read by each node). */
export const useDetail = () => useContext(DetailContext);

/**
 * The detail for React Flow's current zoom; until it has set its viewport up, `initialZoom` (the
 * viewport it is about to take) answers. Changes only when a threshold is crossed.
 */
export function useZoomDetail(initialZoom: number): Detail {
  return useStore((s) => detailAt(s.panZoom ? s.transform[2] : initialZoom));
}

export interface EdgeEnds {
  sourceX: number;
  sourceY: number;
  targetX: number;
  targetY: number;
}

/** One SVG path for many left→right edges, each a bezier leaving and arriving horizontally. */
export function edgesPath(edges: readonly EdgeEnds[]): string {
  const parts: string[] = [];
  const r = (value: number) => Math.round(value * 10) / 10;
  for (const { sourceX, sourceY, targetX, targetY } of edges) {
    const distance = targetX - sourceX;
    const offset = distance >= 0 ? 0.5 * distance : 0.25 * 25 * Math.sqrt(-distance);
    parts.push(
      `M${r(sourceX)},${r(sourceY)}C${r(sourceX + offset)},${r(sourceY)} ` +
        `${r(targetX - offset)},${r(targetY)} ${r(targetX)},${r(targetY)}`,
    );
  }
  return parts.join("");
}
