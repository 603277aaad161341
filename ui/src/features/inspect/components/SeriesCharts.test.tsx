import { screen, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { culprit } from "../../../testing/demo";
import { renderAt } from "../../../testing/render";
import { server } from "../../../testing/server";
import type { RunSeries } from "../../../lib/types";

// GET /runs/{id}/series as the API documents it (the recording predates the endpoint on this branch).
function answerSeries(body: RunSeries) {
  server.use(http.get(`*/api/v1/runs/${body.run_id}/series`, () => HttpResponse.json(body)));
}

const logged = "2026-06-12T03:00:00Z";

describe("SeriesCharts on inspect", () => {
  it("draws one line chart per key, leaving a gap where a value is NaN or Infinity", async () => {
    answerSeries({
      run_id: culprit.id,
      series: {
        loss: [0.9, 0.7, "NaN", 0.5, 0.4].map((value, step) => ({ step, value, logged })),
        accuracy: [0.5, 0.6, "Infinity", 0.8].map((value, step) => ({ step, value, logged })),
      },
    });
    renderAt(`/inspect/${culprit.id}`);
    const section = await screen.findByRole("region", { name: "Step series" });
    // The charts' code loads on first use: on a busy machine that takes more than the default second.
    const charts = await within(section).findAllByRole("figure", {}, { timeout: 10_000 });
    expect(charts.map((c) => c.getAttribute("aria-label"))).toEqual([
      "loss by step",
      "accuracy by step",
    ]);
    const loss = charts[0]!;
    expect(loss).toHaveTextContent("5 steps, 1 value not finite (gaps)");
    const curves = loss.querySelectorAll(".recharts-line-curve");
    expect(curves).toHaveLength(1);
    // Two pieces of line (steps 0–1 and 3–4), four dots: the NaN step is a gap.
    expect(curves[0]!.getAttribute("d")!.match(/M/g)).toHaveLength(2);
    expect(loss.querySelectorAll(".recharts-line-dots circle")).toHaveLength(4);
  });

  it("shows nothing, not an empty frame, for a run without series or a server without them", async () => {
    answerSeries({ run_id: culprit.id, series: {} });
    renderAt(`/inspect/${culprit.id}`);
    await screen.findByRole("article", { name: `Run ${culprit.id} details` });
    await screen.findByRole("region", { name: "Metrics" });
    expect(screen.queryByRole("region", { name: "Step series" })).toBeNull();
    expect(screen.queryByText(/Step series/)).toBeNull();
  });

  it("says so when the series cannot be loaded", async () => {
    server.use(
      http.get(`*/api/v1/runs/${culprit.id}/series`, () =>
        HttpResponse.json(
          { error: { code: "internal", message: "The database is unreachable.", details: {} } },
          { status: 503 },
        ),
      ),
    );
    renderAt(`/inspect/${culprit.id}`);
    // A 5xx is asked once more (after a second) before it shows.
    expect(await screen.findByRole("alert", {}, { timeout: 5000 })).toHaveTextContent(
      "Could not load the step series: The database is unreachable.",
    );
  });
});
