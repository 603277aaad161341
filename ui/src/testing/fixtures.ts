// A seeded, deterministic sample lineage in the API's shapes, for the mock API and UI checks.

import type { Component, Run, RunPointer, PointerType } from "../lib/types";

export interface FixtureRun extends Run {
  code_snapshot: string;
}

export interface Fixtures {
  components: Component[];
  runs: FixtureRun[];
  flags: Map<string, { reason: string | null; flagged_at: string }>;
}

/** A tiny linear congruential generator: the same seed gives the same data. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function pointerType(name: string): PointerType {
  if (name.startsWith("predictions/")) return "endpoint";
  if (name.endsWith(".pkl")) return "model";
  if (/\.(csv|parquet)$/.test(name) || name.startsWith("s3://")) return "data";
  return "unknown";
}

const XSS_NAME = "<img src=x onerror=alert(1)>";

/**
 * ingest → clean → featurize → train → predict over five simulated days; the day-3 raw file is
 * the planted bad input, and the predictions made from it are flagged. Plus a wide "big" lineage
 * of about 600 nodes behind `big/final`.
 */
export function makeFixtures(seed = 7): Fixtures {
  const rand = random(seed);
  const hash = () =>
    Math.floor(rand() * 2 ** 32)
      .toString(16)
      .padStart(8, "0");
  const components: Component[] = [
    {
      name: "ingest",
      owner: "data-team",
      description: "Pulls the day's raw events.",
      tags: ["etl"],
    },
    { name: "clean", owner: "data-team", description: "Drops bad rows.", tags: ["etl"] },
    { name: "featurize", owner: "ml-team", description: "Builds features.", tags: ["features"] },
    { name: "train", owner: "ml-team", description: "Fits the model.", tags: ["training"] },
    { name: "predict", owner: "ml-team", description: "Scores requests.", tags: ["serving"] },
    {
      name: XSS_NAME,
      owner: "<b>mallory</b>",
      description: "<script>alert(1)</script>",
      tags: ["etl"],
    },
    { name: "big-step", owner: null, description: "A wide generated pipeline.", tags: ["big"] },
  ];
  const runs: FixtureRun[] = [];
  const latest = new Map<string, { run: FixtureRun; hash: string }>();
  let clock = Date.parse("2026-11-01T08:00:00Z");

  const log = (
    component: string,
    inputs: string[],
    outputs: string[],
    extra: Partial<FixtureRun> = {},
  ): FixtureRun => {
    const start = new Date(clock);
    const durationMs = Math.round(200 + rand() * 5000);
    clock += durationMs + 60_000;
    const deps = new Set<number>();
    const inputPointers: RunPointer[] = inputs.map((name) => {
      const written = latest.get(name);
      if (written) deps.add(written.run.id);
      return { name, type: pointerType(name), value_hash: written?.hash ?? hash(), flagged: false };
    });
    const outputPointers: RunPointer[] = outputs.map((name) => ({
      name,
      type: pointerType(name),
      value_hash: hash(),
      flagged: false,
    }));
    const run: FixtureRun = {
      id: runs.length + 1,
      component,
      start: start.toISOString().replace("Z", "+00:00"),
      end: new Date(start.getTime() + durationMs).toISOString().replace("Z", "+00:00"),
      duration_ms: durationMs,
      status: "success",
      error: null,
      inputs: inputPointers,
      outputs: outputPointers,
      inputs_count: inputPointers.length,
      outputs_count: outputPointers.length,
      dependencies: [...deps].sort((a, b) => a - b),
      code_hash: hash(),
      code_snapshot: `def ${component.replace(/\W/g, "_")}(...):\n    # <b>not bold</b>\n    return run()\n`,
      git_hash: `${hash()}${hash()}`,
      git_tags: [],
      notes: "",
      params: {},
      metrics: {},
      test_results: [],
      stale: [],
      ...extra,
    };
    runs.push(run);
    outputPointers.forEach((p) => latest.set(p.name, { run, hash: p.value_hash ?? "" }));
    return run;
  };

  for (let day = 1; day <= 5; day++) {
    clock = Date.parse(`2026-11-0${day}T08:00:00Z`);
    log("ingest", [`s3://raw/events day ${day}.csv`], [`data/raw/day-${day}.csv`]);
    log("clean", [`data/raw/day-${day}.csv`], ["data/clean.csv"], {
      test_results: [
        { test: "NotEmpty", name: "test_rows", phase: "before", passed: true, error: null },
        {
          test: "NoNulls",
          name: "test_no_nulls",
          phase: "after",
          passed: day !== 3,
          error: day === 3 ? "column 'age' has 412 nulls" : null,
        },
      ],
    });
    log("featurize", ["data/clean.csv"], ["data/features.parquet"], { params: { window: 7 } });
    if (day === 1 || day === 4) {
      log("train", ["data/features.parquet"], ["models/model.pkl"], {
        params: { lr: 0.1, depth: 6 },
        metrics: { auc: 0.91 + day / 100, loss: 0.2345678 },
        git_tags: day === 4 ? ["v1.1"] : ["v1.0"],
      });
    }
    const predictions = Array.from({ length: 4 }, (_, i) => `predictions/day-${day}/#${i}?v=1`);
    const stale =
      day === 4
        ? ["Dependency 'featurize' read data/clean.csv version that was replaced before this run."]
        : [];
    log("predict", ["models/model.pkl", "data/features.parquet"], predictions, { stale });
  }
  log(XSS_NAME, ["data/clean.csv"], ["reports/<b>weird</b> name.txt"], {
    status: "failed",
    error: "ValueError: <script>alert('x')</script>",
    notes: "<i>not italic</i>",
  });

  // A wide lineage: 12 stages × 25 runs, each reading two outputs of the stage before.
  const width = 25;
  for (let stage = 0; stage < 12; stage++) {
    for (let i = 0; i < width; i++) {
      const inputs =
        stage === 0
          ? [`big/source-${i}`]
          : [`big/${stage - 1}-${i}`, `big/${stage - 1}-${(i + 1) % width}`];
      log("big-step", inputs, [`big/${stage}-${i}`]);
    }
  }
  log(
    "big-step",
    Array.from({ length: width }, (_, i) => `big/11-${i}`),
    ["big/final"],
  );

  const flags = new Map<string, { reason: string | null; flagged_at: string }>();
  for (let i = 0; i < 3; i++) {
    flags.set(`predictions/day-3/#${i}?v=1`, {
      reason: "wrong label",
      flagged_at: "2026-11-06T09:00:00+00:00",
    });
  }
  return { components, runs, flags };
}
