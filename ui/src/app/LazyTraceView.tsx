// The trace route's element: asks for the trace and loads the graph view's code at the same time.

import { usePrefetchQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { ErrorMessage, Loading } from "../components/QueryState";
import { traceQuery, traceSearch } from "../features/trace/api/getTrace";
import { usePathSegment } from "../lib/usePathSegment";

type TraceViewModule = typeof import("../features/trace/components/TraceView");

// The graph libraries are most of the bundle: they load only when a trace is opened. Not with
// React.lazy: React reveals a Suspense boundary no sooner than 300 ms after its fallback appeared,
// which held every first trace back by up to that long after its code and data had arrived.
let loaded: TraceViewModule | null = null;
const load = () =>
  import("../features/trace/components/TraceView").then((module) => (loaded = module));

export function LazyTraceView() {
  // Ask for the trace now rather than once the graph code has loaded: the two downloads overlap.
  const outputId = usePathSegment(2);
  const [searchParams] = useSearchParams();
  usePrefetchQuery(traceQuery({ outputId, ...traceSearch(searchParams) }));

  const [module, setModule] = useState(loaded);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!module) load().then(setModule, setError);
  }, [module]);

  if (module) return <module.TraceView />;
  if (error) return <ErrorMessage error={error} title="The graph view could not be loaded" />;
  return <Loading label="Loading the graph view…" />;
}
