// Builds the console's shareable URLs; every id is one encodeURIComponent-ed path segment.

import type { Command } from "./commandParser";
import type { Direction } from "./types";

const enc = encodeURIComponent;

export const paths = {
  recent: () => "/recent",
  history: (component: string, limit: number, range: { since?: string; until?: string } = {}) => {
    const qs = new URLSearchParams();
    if (range.since) qs.set("since", range.since);
    if (range.until) qs.set("until", range.until);
    const query = qs.toString();
    return `/history/${enc(component)}/${limit}${query ? `?${query}` : ""}`;
  },
  inspect: (runId: number | string) => `/inspect/${enc(String(runId))}`,
  trace: (
    outputId: string,
    options: { direction?: Direction; depth?: number | null; suspect?: number | null } = {},
  ) => {
    const qs = new URLSearchParams();
    if (options.direction && options.direction !== "upstream")
      qs.set("direction", options.direction);
    if (options.depth) qs.set("depth", String(options.depth));
    if (options.suspect) qs.set("suspect", `run:${options.suspect}`);
    const query = qs.toString();
    return `/trace/${enc(outputId)}${query ? `?${query}` : ""}`;
  },
  /** What a run's outputs fed; `suspect` marks the run and its paths to the flagged outputs. */
  downstream: (runId: number, options: { suspect?: boolean } = {}) =>
    `/downstream/${enc(String(runId))}${options.suspect ? `?suspect=run%3A${runId}` : ""}`,
  /** The trace of `b` (wrong) against that of `a` (right). */
  diff: (a: string, b: string) => `/diff/${enc(a)}/${enc(b)}`,
  /** What is downstream of an output, or of `run:N`. */
  impact: (id: string) => `/impact/${enc(id)}`,
  /** Runs side by side (ids are digits: the commas stay as they are). */
  compare: (runIds: readonly number[]) => `/compare/${runIds.join(",")}`,
  tag: (tag: string) => `/tag/${enc(tag)}`,
  review: () => "/review",
  help: () => "/help",
};

/** The view a navigating command opens (flag/unflag open theirs after their request succeeds). */
export function pathForCommand(command: Command): string {
  switch (command.name) {
    case "recent":
      return paths.recent();
    case "history":
      return paths.history(command.component, command.limit);
    case "inspect":
      return paths.inspect(command.runId);
    case "trace":
    case "flag":
      return paths.trace(command.outputId);
    case "diff":
      return paths.diff(command.a, command.b);
    case "impact":
      return paths.impact(command.id);
    case "compare":
      return paths.compare(command.runIds);
    case "tag":
      return paths.tag(command.tag);
    case "unflag":
    case "review":
      return paths.review();
    case "help":
      return paths.help();
  }
}
