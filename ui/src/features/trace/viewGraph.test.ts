import { describe, expect, it } from "vitest";
import { recorded } from "../../testing/apiDump";
import type { Review, RunDetail, Trace } from "../../lib/types";
import { buildViewGraph, FOLD_AT, isGroup, type GroupNode } from "./viewGraph";

const review = recorded<Review>("/api/v1/review", { limit: 20 });
const culprit = recorded<RunDetail>(`/api/v1/runs/${review.runs[0]!.id}`);
const trace = (outputId: string, direction = "upstream") =>
  recorded<Trace>("/api/v1/trace", { output_id: outputId, direction });

/** The demo's largest trace: everything downstream of the first day's sensor batch. */
function largestTrace(): Trace {
  const first = recorded<{ runs: RunDetail[] }>("/api/v1/components/ingest/runs", { limit: 20 })
    .runs.filter((run) => run.status === "success")
    .at(-1)!;
  return trace(first.inputs[0]!.name, "downstream");
}

describe("buildViewGraph", () => {
  it("draws a small trace as it is", () => {
    const bad = trace(review.flagged[0]!);
    const view = buildViewGraph(bad);
    expect(view.nodes.map((n) => n.id).sort()).toEqual(bad.nodes.map((n) => n.id).sort());
    expect(view.edges).toHaveLength(bad.edges.length);
    expect(view.path).toBeNull();
  });

  it("folds sibling outputs and sibling runs of the largest trace into groups", () => {
    const big = largestTrace();
    expect(big.nodes.length).toBeGreaterThan(80);
    const view = buildViewGraph(big);
    expect(view.nodes.length).toBeLessThanOrEqual(40);
    const groups = view.nodes.filter(isGroup);
    expect(groups.some((g) => g.noun === "outputs" && g.siblings.length === 8)).toBe(true);
    expect(groups.some((g) => g.noun === "predict runs")).toBe(true);
    // Each node of the trace is drawn once: itself, or inside exactly one group.
    const hidden = groups.flatMap((g) => g.hidden.map((n) => n.id));
    expect(new Set(hidden).size).toBe(hidden.length);
    const shown = view.nodes.filter((n) => !isGroup(n)).map((n) => n.id);
    expect([...shown, ...hidden].sort()).toEqual(big.nodes.map((n) => n.id).sort());
    // Groups count what they hide.
    const flagged = big.nodes.filter((n) => n.kind === "pointer" && n.flagged).length;
    const shownFlagged = view.nodes.filter((n) => n.kind === "pointer" && n.flagged).length;
    expect(groups.reduce((sum, g) => sum + g.flagged, 0) + shownFlagged).toBe(flagged);
    // Edges join drawn nodes only.
    const ids = new Set(view.nodes.map((n) => n.id));
    for (const edge of view.edges) expect(ids.has(edge.source) && ids.has(edge.target)).toBe(true);
  });

  it("opens a group the user expanded, and keeps a selected node out of any group", () => {
    const big = largestTrace();
    const folded = buildViewGraph(big);
    const group = folded.nodes.find(
      (n): n is GroupNode => isGroup(n) && n.noun === "predict runs",
    )!;
    const opened = buildViewGraph(big, { expanded: new Set([group.id]) });
    for (const sibling of group.siblings) expect(opened.shownAs.get(sibling.id)).toBe(sibling.id);

    const prediction = folded.nodes
      .filter(isGroup)
      .find((g) => g.noun === "outputs")!
      .siblings.at(0)!;
    const selected = buildViewGraph(big, { keep: new Set([prediction.id]) });
    expect(selected.shownAs.get(prediction.id)).toBe(prediction.id);
  });

  it("folds no fewer than FOLD_AT siblings", () => {
    const outputs = Array.from({ length: FOLD_AT - 1 }, (_, i) => `pointer:out-${i}`);
    const small: Trace = {
      root: "pointer:in",
      direction: "downstream",
      nodes: [
        { id: "pointer:in", kind: "pointer", name: "in", type: "data", flagged: false },
        run(1),
        ...outputs.map((id) => pointer(id.slice(8), false)),
      ],
      edges: [
        { source: "pointer:in", target: "run:1" },
        ...outputs.map((id) => ({ source: "run:1", target: id })),
      ],
    };
    expect(buildViewGraph(small).nodes.some(isGroup)).toBe(false);
  });

  it("marks the path from the suspect run to the flagged outputs, and nothing else", () => {
    // in → run 1 → a → run 2 → bad (flagged); run 1 → b → run 3 → good
    const branching: Trace = {
      root: "run:1",
      direction: "downstream",
      nodes: [run(1), run(2), run(3), pointer("a", false), pointer("b", false)],
      edges: [
        { source: "run:1", target: "pointer:a" },
        { source: "pointer:a", target: "run:2" },
        { source: "run:1", target: "pointer:b" },
        { source: "pointer:b", target: "run:3" },
        { source: "run:2", target: "pointer:bad" },
        { source: "run:3", target: "pointer:good" },
      ],
    };
    branching.nodes.push(pointer("bad", true), pointer("good", false));
    const view = buildViewGraph(branching, { suspect: "run:1" });
    expect([...view.path!].sort()).toEqual(["pointer:a", "pointer:bad", "run:1", "run:2"]);
    expect(view.suspect).toBe("run:1");
    const onPath = view.edges.filter((e) => e.onPath).map((e) => e.id);
    expect(onPath.sort()).toEqual(["pointer:a->run:2", "run:1->pointer:a", "run:2->pointer:bad"]);
  });

  it("folds siblings on the suspect's path apart from those off it", () => {
    // model → 6 predict runs; only the first two wrote flagged outputs.
    const runs = Array.from({ length: 6 }, (_, i) => run(i + 2));
    const outputs = runs.map((r, i) => pointer(`p${r.run_id}`, i < 2));
    const fanOut: Trace = {
      root: "run:1",
      direction: "downstream",
      nodes: [run(1), pointer("model", false), ...runs, ...outputs].map((n) =>
        n.kind === "run" ? { ...n, component: n.run_id === 1 ? "train" : "predict" } : n,
      ),
      edges: [
        { source: "run:1", target: "pointer:model" },
        ...runs.map((r) => ({ source: "pointer:model", target: r.id })),
        ...runs.map((r, i) => ({ source: r.id, target: outputs[i]!.id })),
      ],
    };
    expect(buildViewGraph(fanOut).nodes.filter(isGroup)).toHaveLength(1);
    const highlighted = buildViewGraph(fanOut, { suspect: "run:1" });
    const groups = highlighted.nodes.filter(isGroup);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.siblings.map((n) => n.id)).toEqual(["run:4", "run:5", "run:6", "run:7"]);
    expect(highlighted.path!.has(groups[0]!.id)).toBe(false);
    for (const id of ["run:2", "run:3", "pointer:p2", "pointer:p3"]) {
      expect(highlighted.path!.has(id)).toBe(true);
    }
  });

  it("marks the culprit's path to every flagged output in its downstream trace", () => {
    const down = trace(culprit.inputs[0]!.name, "downstream");
    const view = buildViewGraph(down, { suspect: `run:${culprit.id}` });
    expect(view.suspect).toBe(`run:${culprit.id}`);
    const flaggedShown = new Set(
      down.nodes
        .filter((n) => n.kind === "pointer" && n.flagged)
        .map((n) => view.shownAs.get(n.id)),
    );
    expect(flaggedShown.size).toBeGreaterThan(0);
    for (const id of flaggedShown) expect(view.path!.has(id!)).toBe(true);
  });
});

function run(id: number) {
  return {
    id: `run:${id}`,
    kind: "run" as const,
    run_id: id,
    component: `step-${id}`,
    start: "2026-06-01T00:00:00+00:00",
    end: null,
    status: "success",
    stale: [],
  };
}

function pointer(name: string, flagged: boolean) {
  return { id: `pointer:${name}`, kind: "pointer" as const, name, type: "data" as const, flagged };
}
