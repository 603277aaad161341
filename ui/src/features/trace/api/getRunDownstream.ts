// What one run's outputs fed: the run, and the downstream trace of each of its outputs (GET
// /runs/{id}, then GET /trace?direction=downstream per output), drawn as one graph rooted at the run.
// The API traces downstream from an output, not from a run; this joins those traces, nothing more.

import { useQueries } from "@tanstack/react-query";
import { useMemo } from "react";
import type { RunDetail, RunNode, Trace, TraceEdge, TraceNode } from "../../../lib/types";
import { useRun } from "../../inspect/api/getRun";
import { traceQuery } from "./getTrace";

/** Outputs whose downstream is asked for, at most: a batch run may have thousands. */
export const DOWNSTREAM_OUTPUTS_LIMIT = 20;

/** The outputs to follow: flagged ones first, then the others, as the run lists them. */
export function outputsToFollow(run: RunDetail): string[] {
  const flagged = run.outputs.filter((p) => p.flagged);
  const others = run.outputs.filter((p) => !p.flagged);
  return [...flagged, ...others].slice(0, DOWNSTREAM_OUTPUTS_LIMIT).map((p) => p.name);
}

/** The run as a trace node. */
export function runNode(run: RunDetail): RunNode {
  return {
    id: `run:${run.id}`,
    kind: "run",
    run_id: run.id,
    component: run.component,
    start: run.start,
    end: run.end,
    status: run.status,
    stale: run.stale,
  };
}

/** One downstream trace rooted at `run`: its node, an edge to each followed output, their traces. */
export function joinDownstream(run: RunDetail, traces: readonly Trace[]): Trace {
  const root = runNode(run);
  const nodes = new Map<string, TraceNode>([[root.id, root]]);
  const edges = new Map<string, TraceEdge>();
  for (const trace of traces) {
    for (const node of trace.nodes) if (!nodes.has(node.id)) nodes.set(node.id, node);
    edges.set(`${root.id}\n${trace.root}`, { source: root.id, target: trace.root });
    for (const edge of trace.edges) edges.set(`${edge.source}\n${edge.target}`, edge);
  }
  return {
    root: root.id,
    direction: "downstream",
    nodes: [...nodes.values()],
    edges: [...edges.values()],
  };
}

export function useRunDownstream(runId: number | null, depth: number | null) {
  const run = useRun(runId);
  const followed = run.data ? outputsToFollow(run.data) : [];
  const traces = useQueries({
    queries: followed.map((outputId) => traceQuery({ outputId, direction: "downstream", depth })),
  });
  const failed = run.error ?? traces.find((t) => t.isError)?.error ?? null;
  const ready = run.data && traces.every((t) => t.data);
  // Joined again only when an answer changed (each answer's time says so).
  const version = [run.dataUpdatedAt, ...traces.map((t) => t.dataUpdatedAt)].join();
  const trace = useMemo(
    () =>
      ready
        ? joinDownstream(
            run.data!,
            traces.map((t) => t.data!),
          )
        : undefined,
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [ready, version],
  );
  return {
    run: run.data,
    trace,
    isPending: !failed && !ready,
    error: failed,
    isFetching: run.isFetching || traces.some((t) => t.isFetching),
    followed: followed.length,
    outputs: run.data?.outputs_count ?? 0,
  };
}
