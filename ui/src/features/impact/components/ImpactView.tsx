// The impact view (/impact/:id): what an output or `run:N` affected downstream — runs per
// component, the endpoint outputs (counted, the newest listed) — and flagging them all.

import { Link } from "react-router-dom";
import { FlaggedBadge } from "../../../components/StatusBadge";
import { Empty, ErrorMessage, Loading } from "../../../components/QueryState";
import { Time } from "../../../components/Time";
import { count } from "../../../lib/format";
import { paths } from "../../../lib/paths";
import type { Impact } from "../../../lib/types";
import { usePathSegment } from "../../../lib/usePathSegment";
import { useImpact } from "../api/getImpact";
import { FlagAllButton } from "./FlagAllButton";

/** What the id names, as a link to it: a run's page or an output's trace. */
function Subject({ id }: { id: string }) {
  const run = /^run:(\d+)$/.exec(id);
  return run ? (
    <Link to={paths.inspect(run[1]!)}>Run {run[1]}</Link>
  ) : (
    <Link to={paths.trace(id)} className="mono break">
      {id}
    </Link>
  );
}

function ImpactShown({ id, impact }: { id: string; impact: Impact }) {
  return (
    <>
      <p className="impact-summary">
        {count(impact.runs, "run")} downstream of <Subject id={id} /> ·{" "}
        {count(impact.endpoints, "endpoint output")}, {impact.flagged} flagged
      </p>
      <FlagAllButton id={id} impact={impact} />
      <div className="grid-2 impact-grid">
        <section className="card" aria-labelledby="impact-components">
          <h2 id="impact-components">Runs per component</h2>
          {impact.components.length === 0 ? (
            <Empty>No run downstream.</Empty>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Component</th>
                  <th scope="col" className="num">
                    Runs
                  </th>
                </tr>
              </thead>
              <tbody>
                {impact.components.map((component) => (
                  <tr key={component.name}>
                    <td className="break">
                      <Link to={paths.history(component.name, 10)}>{component.name}</Link>
                    </td>
                    <td className="num">{component.runs}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="card" aria-labelledby="impact-outputs">
          <h2 id="impact-outputs">
            Endpoint outputs
            {impact.outputs.length < impact.endpoints
              ? ` (newest ${impact.outputs.length} of ${impact.endpoints})`
              : ""}
          </h2>
          {impact.outputs.length === 0 ? (
            <Empty>No endpoint output downstream.</Empty>
          ) : (
            <ul className="impact-outputs">
              {impact.outputs.map((output) => (
                <li key={output.output_id}>
                  <Link to={paths.trace(output.output_id)} className="mono break">
                    {output.output_id}
                  </Link>
                  {output.flagged ? <FlaggedBadge /> : null}
                  <span className="muted impact-output-meta">
                    <Link to={paths.inspect(output.run_id)}>
                      {output.component} · Run {output.run_id}
                    </Link>
                    , <Time iso={output.time} />
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}

export function ImpactView() {
  const id = usePathSegment(2);
  const impact = useImpact(id);
  return (
    <div className="view">
      <h1 className="break">What {id} affected</h1>
      {impact.isPending ? (
        <Loading label="Following what it fed…" />
      ) : impact.isError ? (
        <ErrorMessage error={impact.error} />
      ) : (
        <ImpactShown id={id} impact={impact.data} />
      )}
    </div>
  );
}
