// The home view (/ and /recent): how many outputs are flagged, then run cards, newest first,
// loading more as the list end scrolls in.

import { useEffect, useRef } from "react";
import { Empty, ErrorMessage, Loading } from "../../../components/QueryState";
import { FlaggedNotice } from "../../flags/components/FlaggedNotice";
import { RunSummary } from "../../runs/components/RunSummary";
import { useRecentRuns } from "../api/getRecentRuns";

export function RecentView() {
  const query = useRecentRuns();
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;

  useEffect(() => {
    const element = sentinel.current;
    if (!element || !hasNextPage || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting) && !isFetchingNextPage) {
          void fetchNextPage();
        }
      },
      { rootMargin: "400px 0px" },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const runs = query.data?.pages.flatMap((page) => page.runs) ?? [];

  return (
    <div className="view">
      <h1>Recent runs</h1>
      <FlaggedNotice />
      {query.isPending ? (
        <Loading label="Loading recent runs…" />
      ) : query.isError && runs.length === 0 ? (
        <ErrorMessage error={query.error} />
      ) : runs.length === 0 ? (
        <Empty>
          No runs logged yet. Decorate a pipeline function with <code>@register</code> and run it.
        </Empty>
      ) : (
        <>
          <ol className="run-list" aria-label="Runs">
            {runs.map((run) => (
              <li key={run.id}>
                <RunSummary run={run} />
              </li>
            ))}
          </ol>
          <div ref={sentinel} className="list-end">
            {query.isFetchNextPageError ? (
              <ErrorMessage error={query.error} title="Could not load more runs" />
            ) : null}
            {isFetchingNextPage ? (
              <Loading label="Loading more runs…" />
            ) : hasNextPage ? (
              <button type="button" className="button" onClick={() => void fetchNextPage()}>
                Load more runs
              </button>
            ) : (
              <p className="muted">That is every run.</p>
            )}
          </div>
        </>
      )}
    </div>
  );
}
