import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { componentRuns } from "../../../testing/demo";
import { renderAt } from "../../../testing/render";

describe("HistoryView", () => {
  it("lists a component's runs, failed ones marked, and opens a run from its row", async () => {
    const runs = componentRuns("ingest", 20);
    const { user, router } = renderAt("/history/ingest/20");
    const table = await screen.findByRole("table", { name: "Last 20 runs of ingest" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(runs.length);
    const failed = runs.findIndex((run) => run.status === "failed");
    expect(within(rows[failed]!).getByText("failed")).toBeInTheDocument();
    await user.click(rows[0]!);
    expect(router.state.location.pathname).toBe(`/inspect/${runs[0]!.id}`);
  });

  it("says so for an unknown component", async () => {
    renderAt("/history/no-such-component/10");
    expect(await screen.findByRole("alert")).toHaveTextContent("no-such-component");
  });
});
