// A compact card for one run in a list: component, id, status, times, inputs → outputs (the first
// few, and a link to the run page for the rest).

import { Link } from "react-router-dom";
import { StaleBadge, StatusBadge, UpstreamBadge } from "../../../components/StatusBadge";
import { Time } from "../../../components/Time";
import { formatDuration } from "../../../lib/format";
import { paths } from "../../../lib/paths";
import type { Run } from "../../../lib/types";
import { previewOf } from "../preview";
import { MoreLink } from "./MoreLink";

const SHOWN = 4;

function PointerLinks({ run, what }: { run: Run; what: "inputs" | "outputs" }) {
  const total = what === "inputs" ? run.inputs_count : run.outputs_count;
  const { shown, hidden } = previewOf(run[what], total, SHOWN);
  if (total === 0) return <span className="muted">none</span>;
  return (
    <>
      {shown.map((p, i) => (
        <span key={p.name}>
          {i > 0 ? ", " : null}
          <Link to={paths.trace(p.name)} className={p.flagged ? "mono is-flagged-text" : "mono"}>
            {p.name}
          </Link>
          {p.flagged ? <span className="sr-only"> (flagged)</span> : null}
        </span>
      ))}
      {hidden > 0 ? " " : null}
      <MoreLink runId={run.id} hidden={hidden} what={what} />
    </>
  );
}

export function RunSummary({ run }: { run: Run }) {
  return (
    <article className="card run-summary" aria-label={`Run ${run.id}`}>
      <header className="run-summary-head">
        <Link to={paths.history(run.component, 10)} className="run-component">
          {run.component}
        </Link>
        <Link to={paths.inspect(run.id)} className="run-id">
          Run {run.id}
        </Link>
        <StatusBadge status={run.status} />
        <StaleBadge messages={run.stale} />
        <UpstreamBadge marks={run.suspect} />
      </header>
      <p className="run-times">
        <Time iso={run.start} /> <span className="muted">· {formatDuration(run.duration_ms)}</span>
      </p>
      <dl className="run-io">
        <dt>In</dt>
        <dd>
          <PointerLinks run={run} what="inputs" />
        </dd>
        <dt>Out</dt>
        <dd>
          <PointerLinks run={run} what="outputs" />
        </dd>
      </dl>
      {run.error ? <p className="run-error mono">{run.error}</p> : null}
    </article>
  );
}
