// Which node an arrow key moves the focus to in a laid-out graph: the next row up or down, the
// neighbour left or right, so that every node can be reached from any other by keyboard.

export type Arrow = "ArrowUp" | "ArrowDown" | "ArrowLeft" | "ArrowRight";

export interface Box {
  id: string;
  position: { x: number; y: number };
  width?: number;
  height?: number;
}

export const isArrow = (key: string): key is Arrow =>
  key === "ArrowUp" || key === "ArrowDown" || key === "ArrowLeft" || key === "ArrowRight";

/** Positions closer than this count as the same row or column. */
const TOLERANCE = 8;

const centre = (box: Box) => ({
  x: box.position.x + (box.width ?? 0) / 2,
  y: box.position.y + (box.height ?? 0) / 2,
});

/**
 * The id of the node `key` moves to from `from`: up or down, the nearest row that way and in it
 * the node closest across; left or right, the nearest node that way in the closest row. Null when
 * nothing lies that way.
 */
export function nodeTowards(from: Box, nodes: readonly Box[], key: Arrow): string | null {
  const origin = centre(from);
  const vertical = key === "ArrowUp" || key === "ArrowDown";
  const sign = key === "ArrowDown" || key === "ArrowRight" ? 1 : -1;
  let best: { id: string; first: number; second: number } | null = null;
  for (const node of nodes) {
    if (node.id === from.id) continue;
    const c = centre(node);
    const along = sign * (vertical ? c.y - origin.y : c.x - origin.x);
    const across = Math.abs(vertical ? c.x - origin.x : c.y - origin.y);
    if (along <= TOLERANCE / 2) continue;
    // Up and down go to the nearest row first; left and right stay in the closest row first.
    const first = Math.round((vertical ? along : across) / TOLERANCE);
    const second = vertical ? across : along;
    if (!best || first < best.first || (first === best.first && second < best.second)) {
      best = { id: node.id, first, second };
    }
  }
  return best?.id ?? null;
}
