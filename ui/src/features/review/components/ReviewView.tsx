// The review view (/review): runs ranked by how likely they caused the flagged outputs, each
// linked to its page and to what it fed (its paths to the flagged outputs highlighted), and the
// flagged outputs themselves, each linked to its trace.

import { Link } from "react-router-dom";
import { Empty, ErrorMessage, Loading } from "../../../components/QueryState";
import { StaleBadge, StatusBadge } from "../../../components/StatusBadge";
import { Time } from "../../../components/Time";
import { count, formatPercent } from "../../../lib/format";
import { paths } from "../../../lib/paths";
import { FlagToggle } from "../../flags/components/FlagToggle";
import { useReview } from "../api/getReview";

function CoverageBar({ coverage }: { coverage: number }) {
  const pct = Math.max(0, Math.min(1, coverage));
  return (
    <div
      className="coverage"
      role="meter"
      aria-label="Coverage"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(pct * 100)}
      aria-valuetext={formatPercent(pct)}
    >
      <div className="coverage-bar" style={{ width: `${pct * 100}%` }} />
      <span className="coverage-text">{formatPercent(pct)}</span>
    </div>
  );
}

export function ReviewView() {
  const query = useReview();
  // A flagged output's trace highlights the most suspicious run's path to it, when it has one.
  const top = query.data?.runs[0];

  return (
    <div className="view">
      <h1>Review</h1>
      {query.isPending ? (
        <Loading label="Ranking runs…" />
      ) : query.isError ? (
        <ErrorMessage error={query.error} />
      ) : (
        <div className="review">
          <section aria-labelledby="review-runs">
            <h2 id="review-runs">Most suspicious runs</h2>
            {query.data.runs.length === 0 ? (
              <Empty>
                Nothing to rank. Flag bad outputs (<code>flag OUTPUT_ID</code>) and the runs that
                produced them show up here.
              </Empty>
            ) : (
              <div className="table-scroll">
                <table className="table review-table">
                  <thead>
                    <tr>
                      <th scope="col">#</th>
                      <th scope="col">Run</th>
                      <th scope="col" className="hide-narrow">
                        Started
                      </th>
                      <th scope="col">Flagged outputs downstream</th>
                      <th scope="col">Coverage</th>
                      <th scope="col">Score</th>
                    </tr>
                  </thead>
                  <tbody>
                    {query.data.runs.map((run, rank) => (
                      <tr key={run.id}>
                        <td>{rank + 1}</td>
                        <td>
                          <Link to={paths.inspect(run.id)}>
                            {run.component} · Run {run.id}
                          </Link>{" "}
                          <StatusBadge status={run.status} /> <StaleBadge messages={run.stale} />
                        </td>
                        <td className="hide-narrow">
                          <Time iso={run.start} />
                        </td>
                        <td>
                          <Link
                            to={paths.downstream(run.id, { suspect: true })}
                            aria-label={`${count(run.count, "flagged output")} downstream of ${run.component} · Run ${run.id}: trace`}
                            className="review-downstream"
                            title="What this run fed, with its paths to the flagged outputs"
                          >
                            {run.count}
                            <span aria-hidden="true"> ↓</span>
                          </Link>
                        </td>
                        <td>
                          <CoverageBar coverage={run.coverage} />
                        </td>
                        <td className="mono">{run.score.toFixed(3)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          <section aria-labelledby="review-flagged">
            <h2 id="review-flagged">Flagged outputs</h2>
            {query.data.flagged.length === 0 ? (
              <Empty>No output is flagged.</Empty>
            ) : (
              <ul className="flagged-list">
                {query.data.flagged.map((outputId) => (
                  <li key={outputId}>
                    <Link to={paths.trace(outputId, { suspect: top?.id })} className="mono">
                      {outputId}
                    </Link>
                    <FlagToggle outputId={outputId} flagged />
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      )}
    </div>
  );
}
