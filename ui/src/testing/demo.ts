// Facts about the recorded demo (api-dump.json) that tests look things up by: the review's
// culprit, the flagged outputs, a stale run. Read from the recording, never written down twice.

import type { Artifact, Review, RunDetail } from "../lib/types";
import { answers, recorded } from "./apiDump";

export const review = recorded<Review>("/api/v1/review", { limit: 20 });
export const culprit = recorded<RunDetail>(`/api/v1/runs/${review.runs[0]!.id}`);
export const flagged = review.flagged;

export function componentRuns(component: string, limit = 20): RunDetail[] {
  return recorded<{ runs: RunDetail[] }>(`/api/v1/components/${component}/runs`, { limit }).runs;
}

/** The good (unflagged) prediction whose flagging was recorded (and undone). */
export const goodPrediction = answers
  .filter((a) => a.method === "PUT" && a.path.startsWith("/api/v1/flags/") && a.status === 200)
  .map((a) => a.path.slice("/api/v1/flags/".length))
  .find((name) => !flagged.includes(name))!;

/** A run of the demo that returned an earlier run's stored result (status `cached`), with a stored output. */
export const cachedTrain = componentRuns("train").find((run) => run.status === "cached")!;

/** The outputs of a run whose bytes are in the artifact store. */
export const storedOutputs = (runId: number) =>
  recorded<{ artifacts: Artifact[] }>("/api/v1/artifacts", { run: runId }).artifacts;
