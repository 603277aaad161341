import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { componentRuns, culprit } from "../../../testing/demo";
import { renderAt } from "../../../testing/render";

// The charts' code loads on first use: on a busy machine that takes more than the default second.
const LOADED = { timeout: 10_000 };

describe("MetricCharts in history", () => {
  it("draws the daily alerts, the flagged days in their own colour, and opens a run from its point", async () => {
    const runs = componentRuns("predict", 10).filter(
      (run) => typeof run.metrics?.alerts === "number",
    );
    const flaggedDays = runs.filter((run) => run.outputs.some((output) => output.flagged));
    expect(flaggedDays.length).toBeGreaterThan(0);
    const { user, router } = renderAt("/history/predict/10");
    const charts = await screen.findByRole("region", { name: "Metrics over time" }, LOADED);
    const alerts = within(charts).getByRole("figure", { name: "alerts over time" });
    expect(within(charts).getByRole("figure", { name: "machines over time" })).toBeInTheDocument();
    const points = within(alerts).getAllByRole("link", { name: /^Run \d+: alerts / });
    expect(points).toHaveLength(runs.length);
    const flaggedPoints = points.filter((p) => p.querySelector(".chart-point-flagged"));
    expect(flaggedPoints.map((p) => p.getAttribute("aria-label")!.match(/^Run (\d+)/)![1])).toEqual(
      flaggedDays.map((run) => String(run.id)).reverse(),
    );
    expect(flaggedPoints[0]).toHaveAccessibleName(/alerts 8 at .*, output flagged$/);
    expect(within(charts).getByRole("list", { name: "Legend" })).toHaveTextContent(
      "output flagged",
    );
    // One line per chart.
    expect(alerts.querySelectorAll(".recharts-line-curve")).toHaveLength(1);
    await user.click(flaggedPoints[0]!);
    expect(router.state.location.pathname).toBe(`/inspect/${flaggedDays.at(-1)!.id}`);
  });

  it("marks the Fahrenheit batch's temperature as far from the median", async () => {
    renderAt("/history/ingest/10");
    const chart = await screen.findByRole("figure", { name: "temperature_mean over time" }, LOADED);
    const far = within(chart)
      .getAllByRole("link")
      .filter((p) => p.querySelector(".chart-point-unusual"));
    expect(far.map((p) => p.getAttribute("aria-label"))).toEqual([
      expect.stringMatching(
        new RegExp(`^Run ${culprit.id}: temperature_mean .*, value far from the median$`),
      ),
    ]);
    // The failed run logged no metrics: no point, and no gap either.
    expect(within(chart).getAllByRole("link")).toHaveLength(
      componentRuns("ingest", 10).filter((run) => run.status !== "failed").length,
    );
  });

  it("shows no chart for a component whose runs log no numbers", async () => {
    renderAt("/history/clean/10");
    await screen.findByRole("table", { name: /of clean/ });
    expect(screen.queryByRole("region", { name: "Metrics over time" })).toBeNull();
  });
});
