// History's charts, their code (recharts) loaded only when the listed runs have a number to draw.

import { lazy, Suspense } from "react";
import { Loading } from "../../../components/QueryState";
import type { Run } from "../../../lib/types";
import { metricSeries } from "../metricPoints";

const MetricCharts = lazy(() =>
  import("./MetricCharts").then((module) => ({ default: module.MetricCharts })),
);

export function LazyMetricCharts({ runs }: { runs: Run[] }) {
  if (metricSeries(runs).length === 0) return null;
  return (
    <Suspense fallback={<Loading label="Loading charts…" />}>
      <MetricCharts runs={runs} />
    </Suspense>
  );
}
