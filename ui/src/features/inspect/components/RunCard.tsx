// Everything recorded about one run: component, status (and the run a cached one reused), times,
// git, I/O with flags and downloads of stored outputs, staleness, tests, params, metrics, step
// series, code, notes.

import { Link } from "react-router-dom";
import { Hash } from "../../../components/Hash";
import { KeyValueTable } from "../../../components/KeyValueTable";
import { StatusBadge, UpstreamBadge } from "../../../components/StatusBadge";
import { Time } from "../../../components/Time";
import { formatDuration } from "../../../lib/format";
import { paths } from "../../../lib/paths";
import type { RunDetail } from "../../../lib/types";
import { PointerList } from "../../runs/components/PointerList";
import { useRunArtifacts } from "../api/getRunArtifacts";
import { ChangeHistory } from "../../audit/components/ChangeHistory";
import { NotesEditor } from "./NotesEditor";
import { SeriesCharts } from "./SeriesCharts";
import { TestResults } from "./TestResults";

/** A link to where a suspect mark comes from: the flagged output's trace, or the failed run. */
function MarkSource({ source }: { source: string }) {
  if (source.startsWith("output:")) {
    return <Link to={paths.trace(source.slice("output:".length))}>(trace)</Link>;
  }
  const runId = Number(source.slice("run:".length));
  return Number.isInteger(runId) ? <Link to={paths.inspect(runId)}>(run {runId})</Link> : null;
}

export function RunCard({ run, codeOpen = true }: { run: RunDetail; codeOpen?: boolean }) {
  const info = run.component_info;
  const stored = useRunArtifacts(run.id).data ?? [];
  return (
    <article className="run-card" aria-label={`Run ${run.id} details`}>
      <section className="run-card-head card">
        <div className="run-card-title">
          <Link to={paths.history(run.component, 10)} className="run-component">
            {run.component}
          </Link>
          <StatusBadge status={run.status} />
          <UpstreamBadge marks={run.suspect} />
        </div>
        {info?.description ? <p className="description">{info.description}</p> : null}
        <dl className="facts">
          <dt>Owner</dt>
          <dd>{info?.owner || <span className="muted">—</span>}</dd>
          <dt>Component tags</dt>
          <dd>
            {info && info.tags.length > 0 ? (
              <ul className="chips">
                {info.tags.map((tag) => (
                  <li key={tag}>
                    <Link to={paths.tag(tag)} className="chip">
                      {tag}
                    </Link>
                  </li>
                ))}
              </ul>
            ) : (
              <span className="muted">—</span>
            )}
          </dd>
          <dt>Started</dt>
          <dd>
            <Time iso={run.start} />
          </dd>
          <dt>Ended</dt>
          <dd>
            <Time iso={run.end} />
          </dd>
          <dt>Duration</dt>
          <dd>{formatDuration(run.duration_ms)}</dd>
          {run.status === "cached" ? (
            <>
              <dt>Reused</dt>
              <dd>
                {run.reused_run_id ? (
                  <>
                    the stored result of{" "}
                    <Link to={paths.inspect(run.reused_run_id)}>run {run.reused_run_id}</Link> (its
                    body did not run)
                  </>
                ) : (
                  <span className="muted">an earlier run that is not stored</span>
                )}
              </dd>
            </>
          ) : null}
          <dt>Git commit</dt>
          <dd>
            <Hash value={run.git_hash} label="git commit" />
          </dd>
          <dt>Git tags</dt>
          <dd>
            {run.git_tags.length > 0 ? run.git_tags.join(", ") : <span className="muted">—</span>}
          </dd>
          <dt>Code hash</dt>
          <dd>
            <Hash value={run.code_hash} label="code hash" />
          </dd>
          {run.outputs_count > 0 ? (
            <>
              <dt>Feeds</dt>
              <dd>
                <ul className="link-list">
                  <li>
                    <Link to={paths.downstream(run.id)}>What this run's outputs fed</Link>
                  </li>
                  <li>
                    <Link to={paths.impact(`run:${run.id}`)}>What did this run affect?</Link>
                  </li>
                </ul>
              </dd>
            </>
          ) : null}
          <dt>Depends on</dt>
          <dd>
            {run.dependencies.length > 0 ? (
              <ul className="chips">
                {run.dependencies.map((dep) => (
                  <li key={dep}>
                    <Link to={paths.inspect(dep)} className="chip">
                      Run {dep}
                    </Link>
                  </li>
                ))}
              </ul>
            ) : (
              <span className="muted">no upstream runs</span>
            )}
          </dd>
        </dl>
        {run.error ? (
          <div className="run-error" role="note" aria-label="Error">
            <h3>Error</h3>
            <pre className="code">{run.error}</pre>
          </div>
        ) : null}
      </section>

      {run.stale.length > 0 ? (
        <section className="warning" aria-label="Staleness warnings">
          <h3>
            <span className="badge badge-warn">stale</span> Staleness warnings
          </h3>
          <ul>
            {run.stale.map((message) => (
              <li key={message}>{message}</li>
            ))}
          </ul>
        </section>
      ) : null}

      {run.suspect && run.suspect.length > 0 ? (
        <section className="warning" aria-label="Upstream problems">
          <h3>
            <UpstreamBadge marks={run.suspect} /> What upstream makes this run suspect
          </h3>
          <ul>
            {run.suspect.map((mark) => (
              <li key={mark.source}>
                {mark.reason} <MarkSource source={mark.source} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <div className="grid-2">
        <PointerList title="Inputs" pointers={run.inputs} />
        <PointerList title="Outputs" pointers={run.outputs} stored={stored} />
      </div>

      <TestResults results={run.test_results} />

      <div className="grid-2">
        <KeyValueTable caption="Params" values={run.params} />
        <KeyValueTable caption="Metrics" values={run.metrics} />
      </div>

      <SeriesCharts runId={run.id} />

      <details className="code-snapshot" open={codeOpen}>
        <summary>Code snapshot</summary>
        {run.code_snapshot ? (
          <pre className="code">
            <code>{run.code_snapshot}</code>
          </pre>
        ) : (
          <p className="muted">No code recorded.</p>
        )}
      </details>

      <NotesEditor runId={run.id} notes={run.notes ?? ""} />
      <ChangeHistory runId={run.id} />
    </article>
  );
}
