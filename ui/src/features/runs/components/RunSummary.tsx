// A compact card for one run in a list: component, id, status, times, inputs → outputs.

import { Link } from "react-router-dom";
import { StaleBadge, StatusBadge } from "../../../components/StatusBadge";
import { Time } from "../../../components/Time";
import { formatDuration } from "../../../lib/format";
import { paths } from "../../../lib/paths";
import type { Run, RunPointer } from "../../../lib/types";

function PointerLinks({ pointers }: { pointers: RunPointer[] }) {
  if (pointers.length === 0) return <span className="muted">none</span>;
  const shown = pointers.slice(0, 4);
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
      {pointers.length > shown.length ? (
        <span className="muted"> and {pointers.length - shown.length} more</span>
      ) : null}
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
      </header>
      <p className="run-times">
        <Time iso={run.start} /> <span className="muted">· {formatDuration(run.duration_ms)}</span>
      </p>
      <dl className="run-io">
        <dt>In</dt>
        <dd>
          <PointerLinks pointers={run.inputs} />
        </dd>
        <dt>Out</dt>
        <dd>
          <PointerLinks pointers={run.outputs} />
        </dd>
      </dl>
      {run.error ? <p className="run-error mono">{run.error}</p> : null}
    </article>
  );
}
