import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { recorded } from "../../../testing/apiDump";
import { renderAt } from "../../../testing/render";
import type { RecentRunsPage } from "../../../lib/types";

describe("RecentView", () => {
  it("lists the newest runs first", async () => {
    const page = recorded<RecentRunsPage>("/api/v1/runs", { limit: 20 });
    renderAt("/");
    const list = await screen.findByRole("list", { name: "Runs" });
    const cards = within(list).getAllByRole("article");
    expect(cards).toHaveLength(20);
    expect(cards[0]).toHaveAccessibleName(`Run ${page.runs[0]!.id}`);
  });
});
