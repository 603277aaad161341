// A run's status (success / failed / cached) as a coloured, labelled badge.

const TONES: Record<string, string> = { success: "ok", failed: "danger", cached: "cached" };

export function StatusBadge({ status }: { status: string }) {
  const tone = TONES[status] ?? "muted";
  return <span className={`badge badge-${tone}`}>{status}</span>;
}

/** A "stale" badge whose tooltip lists the staleness messages. */
export function StaleBadge({ messages }: { messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <span className="badge badge-warn" aria-label="stale" title={messages.join("\n")}>
      stale
    </span>
  );
}

export function FlaggedBadge() {
  return (
    <span className="badge badge-flag" aria-label="flagged">
      flagged
    </span>
  );
}
