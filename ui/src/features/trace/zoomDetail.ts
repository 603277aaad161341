// How much of each node to draw at the current zoom: everything, one big label, or a bare block.

import { useStore } from "@xyflow/react";
import { createContext, useContext } from "react";

export type Detail = "full" | "label" | "block";

/** Below this zoom a node's 14 px title is under 6 px tall: nodes show one large label instead. */
export const LABEL_ZOOM = 0.45;
/** Below this zoom even that label is under 7 px: nodes are coloured blocks. */
export const BLOCK_ZOOM = 0.2;

/**
 * What nodes draw at `zoom`. A large graph (React Flow draws only the nodes in view) skips the
 * label stage: between the thresholds nearly all of its nodes are in view, and drawing a thousand
 * of them as React Flow nodes takes most of a second; the sketch's blocks take a few milliseconds.
 */
export function detailAt(zoom: number, large = false): Detail {
  if (zoom >= LABEL_ZOOM) return "full";
  return zoom >= BLOCK_ZOOM && !large ? "label" : "block";
}

export const DetailContext = createContext<Detail>("full");

/** What the nodes draw (provided by the graph, read by each node). */
export const useDetail = () => useContext(DetailContext);

/**
 * The detail for React Flow's current zoom; until it has set its viewport up, `initialZoom` (the
 * viewport it is about to take) answers. Changes only when a threshold is crossed.
 */
export function useZoomDetail(initialZoom: number, large: boolean): Detail {
  return useStore((s) => detailAt(s.panZoom ? s.transform[2] : initialZoom, large));
}

export interface EdgeEnds {
  sourceX: number;
  sourceY: number;
  targetX: number;
  targetY: number;
}

/** One SVG path for many top→bottom edges, each a bezier leaving and arriving vertically. */
export function edgesPath(edges: readonly EdgeEnds[]): string {
  const parts: string[] = [];
  const r = (value: number) => Math.round(value * 10) / 10;
  for (const { sourceX, sourceY, targetX, targetY } of edges) {
    const distance = targetY - sourceY;
    const offset = distance >= 0 ? 0.5 * distance : 0.25 * 25 * Math.sqrt(-distance);
    parts.push(
      `M${r(sourceX)},${r(sourceY)}C${r(sourceX)},${r(sourceY + offset)} ` +
        `${r(targetX)},${r(targetY - offset)} ${r(targetX)},${r(targetY)}`,
    );
  }
  return parts.join("");
}
