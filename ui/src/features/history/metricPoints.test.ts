import { describe, expect, it } from "vitest";
import type { Run } from "../../lib/types";
import { componentRuns } from "../../testing/demo";
import { marksUsed, metricSeries } from "./metricPoints";

describe("metricSeries", () => {
  it("gives one series per numeric metric, oldest first, each point marked by its run", () => {
    const runs = componentRuns("predict", 20);
    const series = metricSeries(runs);
    expect(series.map((s) => s.key)).toEqual(["alerts", "machines"]);
    const alerts = series[0]!.points;
    expect(alerts.map((p) => p.time)).toEqual([...alerts.map((p) => p.time)].sort((a, b) => a - b));
    for (const point of alerts) {
      const run = runs.find((r) => r.id === point.runId)!;
      expect(point.mark).toBe(run.outputs.some((o) => o.flagged) ? "flagged" : "usual");
    }
    expect(marksUsed(series)).toEqual(["usual", "flagged"]);
  });

  it("keeps NaN as a gap, leaves strings and booleans out, and puts failed and suspect runs first", () => {
    const run = (id: number, status: string, metrics: Record<string, unknown>, suspect = false) =>
      ({
        id,
        status,
        start: `2026-06-0${id}T00:00:00Z`,
        metrics,
        outputs: [],
        suspect: suspect ? [{ reason: "flagged output upstream", source: "output:x" }] : [],
      }) as unknown as Run;
    const series = metricSeries([
      run(4, "success", { loss: 0.5, model: "resnet18", ok: true }),
      run(3, "failed", { loss: "NaN" }),
      run(2, "success", { loss: 0.4 }, true),
      run(1, "success", { loss: 0.45 }),
    ]);
    expect(series.map((s) => s.key)).toEqual(["loss"]);
    expect(series[0]!.points.map((p) => [p.runId, p.y, p.mark])).toEqual([
      [1, 0.45, "usual"],
      [2, 0.4, "suspect"],
      [3, null, "failed"],
      [4, 0.5, "usual"],
    ]);
    // A gap has no point to colour: the failed run is not in the legend.
    expect(marksUsed(series)).toEqual(["usual", "suspect"]);
  });
});
