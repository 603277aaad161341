// The history view (/history/:name/:n?since=&until=): a component's runs, filterable by start time, as
// a chart per metric over time and as a table.

import { useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { usePathSegment } from "../../../lib/usePathSegment";
import { Empty, ErrorMessage, Loading } from "../../../components/QueryState";
import { StaleBadge, StatusBadge } from "../../../components/StatusBadge";
import { Time } from "../../../components/Time";
import { DEFAULT_HISTORY_LIMIT } from "../../../lib/commandParser";
import { count, formatDuration, isoToLocalInput, localInputToIso } from "../../../lib/format";
import { paths } from "../../../lib/paths";
import type { Run } from "../../../lib/types";
import { CompareButton, PickCell, useRunPicks } from "../../compare/components/RunPicker";
import { MoreLink } from "../../runs/components/MoreLink";
import { previewOf } from "../../runs/preview";
import { useComponentRuns } from "../api/getComponentRuns";
import { LazyMetricCharts } from "./LazyMetricCharts";

function RangeFilter({
  component,
  limit,
  since,
  until,
}: {
  component: string;
  limit: number;
  since: string;
  until: string;
}) {
  const navigate = useNavigate();
  const [from, setFrom] = useState(isoToLocalInput(since));
  const [to, setTo] = useState(isoToLocalInput(until));
  const [count, setCount] = useState(String(limit));
  // Back/forward change the props: follow them without remounting (focus stays on the form).
  const [seen, setSeen] = useState({ limit, since, until });
  if (seen.limit !== limit || seen.since !== since || seen.until !== until) {
    setSeen({ limit, since, until });
    setFrom(isoToLocalInput(since));
    setTo(isoToLocalInput(until));
    setCount(String(limit));
  }

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const n = Number(count);
    navigate(
      paths.history(component, Number.isInteger(n) && n > 0 ? n : limit, {
        since: localInputToIso(from),
        until: localInputToIso(to),
      }),
    );
  };

  return (
    <form className="filters" onSubmit={apply} aria-label="Filter runs">
      <label>
        Since
        <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
      </label>
      <label>
        Until
        <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
      </label>
      <label>
        Runs
        <input
          type="number"
          min={1}
          step={1}
          value={count}
          onChange={(e) => setCount(e.target.value)}
          className="input-narrow"
        />
      </label>
      <button type="submit" className="button">
        Apply
      </button>
      {since || until ? (
        <button
          type="button"
          className="button button-ghost"
          onClick={() => {
            setFrom("");
            setTo("");
            navigate(paths.history(component, limit));
          }}
        >
          Clear time range
        </button>
      ) : null}
    </form>
  );
}

/** The names a listed run carries, then "+N more" for the ones only its run page shows. */
function PointerNames({ run, what }: { run: Run; what: "inputs" | "outputs" }) {
  const { shown, hidden } = previewOf(
    run[what],
    what === "inputs" ? run.inputs_count : run.outputs_count,
  );
  return (
    <>
      {shown.map((p) => p.name).join(", ")}
      {hidden > 0 ? " " : null}
      <MoreLink runId={run.id} hidden={hidden} what={what} />
    </>
  );
}

export function HistoryView() {
  const name = usePathSegment(2);
  const n = usePathSegment(3);
  const [searchParams] = useSearchParams();
  const navigate = useNavigate();
  const parsedLimit = Number(n);
  const limit =
    Number.isInteger(parsedLimit) && parsedLimit > 0 ? parsedLimit : DEFAULT_HISTORY_LIMIT;
  const since = searchParams.get("since") ?? "";
  const until = searchParams.get("until") ?? "";
  const picks = useRunPicks();
  const query = useComponentRuns({
    component: name,
    limit,
    since: since || undefined,
    until: until || undefined,
  });

  return (
    <div className="view">
      <h1>History of {name}</h1>
      <RangeFilter key={name} component={name} limit={limit} since={since} until={until} />
      {query.isPending ? (
        <Loading label="Loading runs…" />
      ) : query.isError ? (
        <ErrorMessage error={query.error} />
      ) : query.data.runs.length === 0 ? (
        <Empty>
          No runs of {name}
          {since || until ? " in this time range" : ""}.
        </Empty>
      ) : (
        <>
          <LazyMetricCharts runs={query.data.runs} />
          <h2>Runs</h2>
          <CompareButton picks={picks} order={query.data.runs.map((run) => run.id)} />
          <div className="table-scroll">
            <table className="table table-clickable">
              <caption className="sr-only">
                Last {count(limit, "run")} of {name}
              </caption>
              <thead>
                <tr>
                  <th scope="col">
                    <span className="sr-only">Compare</span>
                  </th>
                  <th scope="col">Run</th>
                  <th scope="col">Status</th>
                  <th scope="col">Started</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Inputs</th>
                  <th scope="col">Outputs</th>
                  <th scope="col">Git</th>
                </tr>
              </thead>
              <tbody>
                {query.data.runs.map((run) => (
                  <tr key={run.id} onClick={() => navigate(paths.inspect(run.id))}>
                    <PickCell runId={run.id} picks={picks} />
                    <td>
                      <Link to={paths.inspect(run.id)} onClick={(e) => e.stopPropagation()}>
                        Run {run.id}
                      </Link>
                    </td>
                    <td>
                      <StatusBadge status={run.status} /> <StaleBadge messages={run.stale} />
                    </td>
                    <td>
                      <Time iso={run.start} />
                    </td>
                    <td>{formatDuration(run.duration_ms)}</td>
                    <td className="mono cell-list">
                      <PointerNames run={run} what="inputs" />
                    </td>
                    <td className="mono cell-list">
                      <PointerNames run={run} what="outputs" />
                    </td>
                    <td className="mono">{run.git_hash ? run.git_hash.slice(0, 8) : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
