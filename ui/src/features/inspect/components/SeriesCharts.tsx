// A run's step series on its page: one line chart per key, their code (recharts) loaded only when the run
// has a series; nothing at all when it has none.

import { lazy, Suspense } from "react";
import { ErrorMessage, Loading } from "../../../components/QueryState";
import { ApiError } from "../../../lib/apiClient";
import { useRunSeries } from "../api/getRunSeries";

const SeriesChart = lazy(() =>
  import("./SeriesChart").then((module) => ({ default: module.SeriesChart })),
);

/** The step series section of a run's page; absent while loading, when the run has no series, or when the
 * server has no series to give (404). */
export function SeriesCharts({ runId }: { runId: number }) {
  const query = useRunSeries(runId);
  if (query.isError) {
    if (query.error instanceof ApiError && query.error.status === 404) return null;
    return <ErrorMessage error={query.error} title="Could not load the step series" />;
  }
  const entries = Object.entries(query.data?.series ?? {}).filter(
    ([, points]) => points.length > 0,
  );
  if (entries.length === 0) return null;
  return (
    <section className="charts" aria-label="Step series">
      <h3>Step series</h3>
      <Suspense fallback={<Loading label="Loading charts…" />}>
        <div className="chart-grid-list">
          {entries.map(([key, points]) => (
            <SeriesChart key={key} seriesKey={key} points={points} />
          ))}
        </div>
      </Suspense>
    </section>
  );
}
