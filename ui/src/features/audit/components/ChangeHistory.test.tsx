import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { answers } from "../../../testing/apiDump";
import { renderAt } from "../../../testing/render";
import type { AuditEntry } from "../api/getAudit";
import { describeChange } from "./ChangeHistory";

/** A run of the demo whose recorded history holds a flag of one of its outputs. */
const flaggedRun = answers.find(
  (a) =>
    a.path === "/api/v1/audit" &&
    (a.body as { entries: AuditEntry[] }).entries.some((e) => e.action === "flag"),
)!;

describe("ChangeHistory", () => {
  it("lists who flagged what the run wrote, on the run's inspect page", async () => {
    const runId = Number(flaggedRun.query.run_id);
    const entry = (flaggedRun.body as { entries: AuditEntry[] }).entries.find(
      (e) => e.action === "flag",
    )!;
    renderAt(`/inspect/${runId}`);
    const history = await screen.findByRole("region", { name: "History of changes" });
    const item = await within(history).findByText(new RegExp(`flagged ${entry.target}`));
    expect(item.closest("li")).toHaveTextContent(entry.actor);
  });

  it("says when nothing was changed", async () => {
    const quiet = answers.find(
      (a) =>
        a.path === "/api/v1/audit" && (a.body as { entries: AuditEntry[] }).entries.length === 0,
    )!;
    renderAt(`/inspect/${quiet.query.run_id}`);
    expect(await screen.findByText(/No changes recorded/)).toBeVisible();
  });

  it("says which values were set late and what they replaced", () => {
    const entry: AuditEntry = {
      id: 1,
      at: "2026-12-01T10:00:00+00:00",
      actor: "writer",
      action: "values",
      target_kind: "run",
      target: "12",
      before: { metrics: { test_acc: 0.91 }, params: {} },
      after: { metrics: { test_acc: 0.93 }, params: { seed: 3 } },
    };
    expect(describeChange(entry)).toBe("set metrics.test_acc 0.91 → 0.93, params.seed 3");
  });
});
