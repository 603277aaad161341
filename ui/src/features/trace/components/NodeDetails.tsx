// The panel over the trace graph's right side: the selected run's card or the selected pointer's details.

import { Link } from "react-router-dom";
import { ErrorMessage, Loading } from "../../../components/QueryState";
import { FlaggedBadge } from "../../../components/StatusBadge";
import { paths } from "../../../lib/paths";
import type { PointerNode, RunNode, TraceNode } from "../../../lib/types";
import { FlagToggle } from "../../flags/components/FlagToggle";
import { useRun } from "../../inspect/api/getRun";
import { RunCard } from "../../inspect/components/RunCard";

function RunDetails({ node }: { node: RunNode }) {
  const run = useRun(node.run_id);
  return (
    <>
      <h2>
        {node.component} · Run {node.run_id}
      </h2>
      <p className="row">
        <Link to={paths.inspect(node.run_id)}>Open the run page</Link>
        <Link to={paths.impact(`run:${node.run_id}`)}>What did this run affect?</Link>
      </p>
      {run.isPending ? (
        <Loading label="Loading run…" />
      ) : run.isError ? (
        <ErrorMessage error={run.error} />
      ) : (
        <RunCard run={run.data} codeOpen={false} />
      )}
    </>
  );
}

function PointerDetails({ node }: { node: PointerNode }) {
  return (
    <>
      <h2 className="break">{node.name}</h2>
      <dl className="facts">
        <dt>Type</dt>
        <dd>
          <span className={`type type-${node.type}`}>{node.type}</span>
        </dd>
        <dt>Flag</dt>
        <dd className="row">
          {node.flagged ? <FlaggedBadge /> : <span className="muted">not flagged</span>}
          <FlagToggle outputId={node.name} flagged={node.flagged} />
        </dd>
      </dl>
      <ul className="link-list">
        <li>
          <Link to={paths.trace(node.name)}>Trace upstream from {node.name}</Link>
        </li>
        <li>
          <Link to={paths.trace(node.name, { direction: "downstream" })}>
            Trace downstream from {node.name}
          </Link>
        </li>
        <li>
          <Link to={paths.impact(node.name)}>What did {node.name} affect?</Link>
        </li>
      </ul>
    </>
  );
}

export function NodeDetails({ node, onClose }: { node: TraceNode; onClose: () => void }) {
  return (
    <div className="panel-details">
      <button type="button" className="button button-ghost panel-close" onClick={onClose}>
        Close details
      </button>
      {node.kind === "run" ? <RunDetails node={node} /> : <PointerDetails node={node} />}
    </div>
  );
}
