// ELK for the console: elkjs's own worker script (a separate file of the same origin, no eval), so
// that laying out a graph never blocks the page. A worker that cannot start fails the layouts
// asked of it, and the caller lays the graph out itself; tests put ELK in the page (setElkEngine).

import ELK from "elkjs/lib/elk-api.js";
import workerUrl from "elkjs/lib/elk-worker.min.js?url";
import type { ElkEngine } from "./layoutGraph";

let engine: ElkEngine | null = null;

/** One ELK for the page, started on first use (call it early to load it while data loads). */
export function elkEngine(): ElkEngine {
  engine ??= typeof Worker === "undefined" ? unavailable() : inWorker();
  return engine;
}

/** Uses `replacement` from now on (the tests' ELK, run in the page). */
export function setElkEngine(replacement: ElkEngine | null): void {
  engine = replacement;
}

function unavailable(): ElkEngine {
  return { layout: () => Promise.reject(new Error("This browser has no web workers.")) };
}

function inWorker(): ElkEngine {
  let fail: (error: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => {}); // handled by each layout that races it
  const elk = new ELK({
    workerFactory: () => {
      const worker = new Worker(workerUrl);
      worker.addEventListener("error", (event) => {
        event.preventDefault();
        fail(new Error(`The layout worker failed: ${event.message || "it could not start"}`));
      });
      return worker;
    },
  });
  return { layout: (graph) => Promise.race([elk.layout(graph), failed]) };
}
