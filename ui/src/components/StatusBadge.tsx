// A run's status (success / failed / cached) as a coloured, labelled badge, and the badges of what
// else is known about it: stale, flagged, fed by a flag or a failed test upstream.

import type { SuspectMark } from "../lib/types";

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

/**
 * "⤒ flag upstream" (or "failed test upstream") when a flagged output or a run whose test failed
 * is upstream of the run; its tooltip lists the reasons. Nothing when there are none.
 */
export function UpstreamBadge({ marks }: { marks: SuspectMark[] | undefined }) {
  if (!marks || marks.length === 0) return null;
  const word = marks.some((m) => m.source.startsWith("output:"))
    ? "flag upstream"
    : "failed test upstream";
  return (
    <span
      className="badge badge-flag"
      aria-label={word}
      title={marks.map((m) => m.reason).join("\n")}
    >
      ⤒ {word}
    </span>
  );
}
