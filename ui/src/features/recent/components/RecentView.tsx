// The home view (/ and /recent, ?where=&order_by=): how many outputs are flagged, the filter box, then
// run cards, newest first (or those the filter matches, in its order), loading more as the list end
// scrolls in.

import { useEffect, useRef } from "react";
import { useSearchParams } from "react-router-dom";
import { Empty, ErrorMessage, Loading } from "../../../components/QueryState";
import { ApiError } from "../../../lib/apiClient";
import { FlaggedNotice } from "../../flags/components/FlaggedNotice";
import { RunSummary } from "../../runs/components/RunSummary";
import { isFiltered, RECENT_PAGE_SIZE, useRecentRuns, type RunFilter } from "../api/getRecentRuns";
import { RunFilterForm } from "./RunFilterForm";

/** The filter in the URL's query string. */
function useUrlFilter(): [RunFilter, (filter: RunFilter) => void] {
  const [searchParams, setSearchParams] = useSearchParams();
  const filter = {
    where: searchParams.get("where") ?? "",
    orderBy: searchParams.get("order_by") ?? "",
  };
  const setFilter = (next: RunFilter) => {
    const params = new URLSearchParams();
    if (next.where) params.set("where", next.where);
    if (next.orderBy) params.set("order_by", next.orderBy);
    setSearchParams(params);
  };
  return [filter, setFilter];
}

export function RecentView() {
  const [filter, setFilter] = useUrlFilter();
  const filtered = isFiltered(filter);
  const query = useRecentRuns(RECENT_PAGE_SIZE, filter);
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
  // A filter the server could not read is answered 400: its message goes under the box, not in place of the list.
  const badFilter =
    filtered && query.isError && query.error instanceof ApiError && query.error.status === 400
      ? query.error
      : null;

  return (
    <div className="view">
      <h1>Recent runs</h1>
      <FlaggedNotice />
      <RunFilterForm filter={filter} onApply={setFilter} error={badFilter} />
      {query.isPending ? (
        <Loading label={filtered ? "Filtering runs…" : "Loading recent runs…"} />
      ) : badFilter ? null : query.isError && runs.length === 0 ? (
        <ErrorMessage error={query.error} />
      ) : runs.length === 0 ? (
        filtered ? (
          <Empty>No runs match this filter.</Empty>
        ) : (
          <Empty>
            No runs logged yet. Decorate a pipeline function with <code>@register</code> and run it.
          </Empty>
        )
      ) : (
        <>
          <ol className="run-list" aria-label={filtered ? "Runs matching the filter" : "Runs"}>
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
              <p className="muted">
                {filtered ? "That is every run the filter matches." : "That is every run."}
              </p>
            )}
          </div>
        </>
      )}
    </div>
  );
}
