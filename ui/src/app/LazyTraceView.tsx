// The graph routes' element: asks for the data and loads the graph views' code at the same time.

import { usePrefetchQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { ErrorMessage, Loading } from "../components/QueryState";
import { runQuery } from "../features/inspect/api/getRun";
import { traceQuery, traceSearch } from "../features/trace/api/getTrace";
import { usePathSegment } from "../lib/usePathSegment";

type TraceViewModule = typeof import("../features/trace/components/graphViews");

// The graph libraries are most of the bundle: they load only when a graph is opened. Not with
// React.lazy: React reveals a Suspense boundary no sooner than 300 ms after its fallback appeared,
// which held every first trace back by up to that long after its code and data had arrived.
let loaded: TraceViewModule | null = null;
const load = () =>
  import("../features/trace/components/graphViews").then((module) => (loaded = module));

// Ask for the data now rather than once the graph code has loaded: the two downloads overlap.
function PrefetchTrace({ id }: { id: string }) {
  const [searchParams] = useSearchParams();
  usePrefetchQuery(traceQuery({ outputId: id, ...traceSearch(searchParams) }));
  return null;
}

function PrefetchRun({ runId }: { runId: number }) {
  usePrefetchQuery(runQuery(runId));
  return null;
}

/**
 * An output's trace (/trace/:id), with `ofRun` a run's downstream (/downstream/:id), with `diff`
 * two outputs' traces compared (/diff/:a/:b).
 */
export function LazyTraceView({
  ofRun = false,
  diff = false,
}: {
  ofRun?: boolean;
  diff?: boolean;
}) {
  const id = usePathSegment(2);
  const runId = /^\d+$/.test(id) ? Number(id) : null;
  const prefetch = diff ? null : !ofRun ? (
    <PrefetchTrace id={id} />
  ) : runId ? (
    <PrefetchRun runId={runId} />
  ) : null;

  const [module, setModule] = useState(loaded);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!module) load().then(setModule, setError);
  }, [module]);

  if (module) {
    if (diff) return <module.DiffView />;
    return ofRun ? <module.RunDownstreamView /> : <module.TraceView />;
  }
  if (error) return <ErrorMessage error={error} title="The graph view could not be loaded" />;
  return (
    <>
      {prefetch}
      <Loading label="Loading the graph view…" />
    </>
  );
}
