// The inspect view (/inspect/:id): one run's full card.

import { useParams } from "react-router-dom";
import { ErrorMessage, Loading } from "../../../components/QueryState";
import { useRun } from "../api/getRun";
import { RunCard } from "./RunCard";

export function InspectView() {
  const { id = "" } = useParams();
  const runId = /^\d+$/.test(id) ? Number(id) : null;
  const run = useRun(runId);

  return (
    <div className="view">
      <h1>Run {id}</h1>
      {runId === null ? (
        <ErrorMessage error={new Error(`"${id}" is not a run id: run ids are whole numbers.`)} />
      ) : run.isPending ? (
        <Loading label="Loading run…" />
      ) : run.isError ? (
        <ErrorMessage error={run.error} />
      ) : (
        <RunCard run={run.data} />
      )}
    </div>
  );
}
