// Which of a run's listed inputs or outputs to show, and how many are left for the run page.

import type { RunPointer } from "../../lib/types";

/** The first `limit` pointers of a preview and how many of the run's `total` that leaves out. */
export function previewOf(
  pointers: RunPointer[],
  total: number,
  limit = pointers.length,
): { shown: RunPointer[]; hidden: number } {
  const shown = pointers.slice(0, limit);
  return { shown, hidden: Math.max(0, total - shown.length) };
}
