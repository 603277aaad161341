import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { recorded } from "../../../testing/apiDump";
import { renderAt } from "../../../testing/render";
import type { TagComponents } from "../../../lib/types";

describe("TagView", () => {
  it("lists the tagged components with their recent runs", async () => {
    const tagged = recorded<TagComponents>("/api/v1/tags/etl/components");
    renderAt("/tag/etl");
    expect(await screen.findByRole("heading", { level: 1, name: "Tag etl" })).toBeInTheDocument();
    for (const component of tagged.components) {
      const runs = await screen.findByRole("list", { name: `Recent runs of ${component.name}` });
      expect(within(runs).getAllByRole("article")).toHaveLength(component.recent_runs.length);
    }
  });

  it("shows text from the database as text", async () => {
    const odd = recorded<TagComponents>("/api/v1/tags/odd/components").components[0]!;
    renderAt("/tag/odd");
    expect(await screen.findByRole("heading", { level: 2, name: odd.name })).toBeInTheDocument();
    expect(document.querySelector("main img, main script")).toBeNull();
  });
});
