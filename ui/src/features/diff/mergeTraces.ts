// Merges the upstream traces of a diff's two outputs into one graph (nodes keyed by run id and
// output name) and says which of its nodes differ: those to highlight, the rest drawn muted.

import type { Difference, Trace, TraceDiff, TraceEdge, TraceNode } from "../../lib/types";

export const runNodeId = (runId: number) => `run:${runId}`;
export const pointerNodeId = (name: string) => `pointer:${name}`;

export interface MergedDiff {
  /** Both traces as one, rooted at the wrong output `b`. */
  trace: Trace;
  /**
   * The nodes that differ, all on `b`'s side: its run of each pair with a difference, its runs
   * left unpaired, its raw inputs that differ; never a node `a`'s trace holds too.
   */
  differing: ReadonlySet<string>;
}

const rawInputName = (value: unknown): string | null =>
  value && typeof value === "object" && typeof (value as { name?: unknown }).name === "string"
    ? (value as { name: string }).name
    : null;

/** The node a difference is about, on `b`'s side where it has one (null when neither trace holds it). */
export function nodeOfDifference(difference: Difference, trace: Trace): string | null {
  const ids = new Set(trace.nodes.map((node) => node.id));
  const candidates = [
    difference.kind === "raw_input" ? rawInputName(difference.b) : null,
    difference.kind === "raw_input" ? rawInputName(difference.a) : null,
  ]
    .filter((name): name is string => name !== null)
    .map(pointerNodeId);
  if (difference.b_run_id !== null) candidates.push(runNodeId(difference.b_run_id));
  if (difference.a_run_id !== null) candidates.push(runNodeId(difference.a_run_id));
  return candidates.find((id) => ids.has(id)) ?? null;
}

/** One graph of both traces: a node in both (the same run, the same output) is drawn once. */
export function mergeTraces(a: Trace, b: Trace, diff: TraceDiff): MergedDiff {
  const nodes = new Map<string, TraceNode>();
  for (const node of [...b.nodes, ...a.nodes]) if (!nodes.has(node.id)) nodes.set(node.id, node);
  const edges = new Map<string, TraceEdge>();
  for (const edge of [...b.edges, ...a.edges]) edges.set(`${edge.source}->${edge.target}`, edge);
  const trace: Trace = {
    root: b.root,
    direction: "upstream",
    nodes: [...nodes.values()],
    edges: [...edges.values()],
  };

  const differing = new Set<string>();
  for (const run of diff.only_b) differing.add(runNodeId(run.run_id));
  for (const difference of diff.differences) {
    if (difference.kind === "raw_input") {
      const name = rawInputName(difference.b);
      if (name && nodes.has(pointerNodeId(name))) differing.add(pointerNodeId(name));
    } else if (difference.b_run_id !== null) {
      differing.add(runNodeId(difference.b_run_id));
    }
  }
  const inA = new Set(a.nodes.map((node) => node.id));
  return {
    trace,
    differing: new Set([...differing].filter((id) => nodes.has(id) && !inA.has(id))),
  };
}
