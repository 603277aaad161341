// The compare view (/compare/12,15,18): 2 to 50 runs side by side, what differs first, then their
// step metrics and run-level metrics as charts (whose code loads only here).

import { lazy, Suspense } from "react";
import { ErrorMessage, Loading } from "../../../components/QueryState";
import { count } from "../../../lib/format";
import { usePathSegment } from "../../../lib/usePathSegment";
import { MAX_COMPARED, MIN_COMPARED, useComparison } from "../api/getComparison";
import { parseRunIds } from "../compareRows";
import { CompareTable } from "./CompareTable";
import "../compare.css";

const CompareCharts = lazy(() => import("./CompareCharts"));

function Compared({ ids }: { ids: number[] }) {
  const comparison = useComparison(ids);
  if (comparison.isPending) return <Loading label="Comparing the runs…" />;
  if (comparison.isError) return <ErrorMessage error={comparison.error} />;
  return (
    <>
      <p className="muted">
        {count(comparison.data.differing, "row")} of {comparison.data.rows.length} differ across{" "}
        {count(comparison.data.runs.length, "run")}.
      </p>
      <CompareTable comparison={comparison.data} />
      <Suspense fallback={<Loading label="Loading the charts…" />}>
        <CompareCharts comparison={comparison.data} />
      </Suspense>
    </>
  );
}

export function CompareView() {
  const segment = usePathSegment(2);
  const ids = parseRunIds(segment);
  const usable = ids !== null && ids.length >= MIN_COMPARED && ids.length <= MAX_COMPARED;
  return (
    <div className="view view-wide compare-view">
      <h1>{usable ? `Compare ${count(ids.length, "run")}` : "Compare runs"}</h1>
      {usable ? (
        <Compared ids={ids} />
      ) : (
        <ErrorMessage
          error={
            new Error(
              `Compare takes ${MIN_COMPARED} to ${MAX_COMPARED} distinct run ids, e.g. /compare/12,15,18.`,
            )
          }
        />
      )}
    </div>
  );
}
