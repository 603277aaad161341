import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { paths } from "../../../lib/paths";
import type { Impact } from "../../../lib/types";
import { answers, recorded } from "../../../testing/apiDump";
import { componentRuns } from "../../../testing/demo";
import { renderAt } from "../../../testing/render";
import { IMPACT_LIMIT } from "../api/getImpact";

// The first ingest run fed the model, so every prediction since: most of them not flagged yet.
const firstIngest = `run:${Math.min(...componentRuns("ingest").map((run) => run.id))}`;
const impact = recorded<Impact>("/api/v1/impact", { id: firstIngest, limit: IMPACT_LIMIT });

describe("ImpactView", () => {
  it("counts the affected runs per component and lists the newest endpoint outputs", async () => {
    renderAt(paths.impact(firstIngest));
    const components = await screen.findByRole("region", { name: "Runs per component" });
    const rows = within(components).getAllByRole("row").slice(1);
    expect(rows.map((row) => row.textContent)).toEqual(
      impact.components.map((c) => `${c.name}${c.runs}`),
    );
    const outputs = screen.getByRole("region", { name: /Endpoint outputs/ });
    const first = impact.outputs[0]!;
    expect(within(outputs).getByRole("link", { name: first.output_id })).toHaveAttribute(
      "href",
      paths.trace(first.output_id),
    );
    expect(
      screen.getByText(
        new RegExp(`${impact.endpoints} endpoint outputs, ${impact.flagged} flagged`),
      ),
    ).toBeInTheDocument();
  });

  it("flags every affected output only once the dialog is confirmed, then says how many", async () => {
    const { user } = renderAt(paths.impact(firstIngest));
    await user.click(
      await screen.findByRole("button", { name: `Flag all ${impact.endpoints} affected outputs` }),
    );
    const dialog = screen.getByRole("dialog", {
      name: `Flag ${impact.endpoints} affected outputs?`,
    });
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: /Flag all/ }));
    await user.click(
      within(screen.getByRole("dialog")).getByRole("button", {
        name: `Flag ${impact.endpoints} outputs`,
      }),
    );
    const status = await screen.findByRole("status");
    const answer = answers.find((a) => a.method === "POST" && a.path === "/api/v1/impact/flags")!;
    const { flagged } = answer.body as { flagged: number };
    expect(status).toHaveTextContent(`Flagged ${flagged} outputs.`);
    expect(within(status).getByRole("link", { name: "See the review" })).toHaveAttribute(
      "href",
      "/review",
    );
  });

  it("says so when the run is unknown", async () => {
    renderAt(paths.impact("run:999999"));
    expect(await screen.findByText("Run 999999 not found.")).toBeInTheDocument();
  });
});
