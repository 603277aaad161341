// An ISO timestamp rendered in the viewer's local time, the exact instant in its tooltip.

import { formatTime } from "../lib/format";

export function Time({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={iso}>
      {formatTime(iso)}
    </time>
  );
}
