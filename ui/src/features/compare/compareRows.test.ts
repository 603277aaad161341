import { describe, expect, it } from "vitest";
import type { Comparison, CompareRow } from "./api/getComparison";
import {
  barChartData,
  cellText,
  groupRows,
  numericMetrics,
  parseRunIds,
  runColor,
  stepChartData,
} from "./compareRows";

const row = (group: CompareRow["group"], key: string, values: unknown[], differs = true) => ({
  group,
  key,
  values,
  differs,
});

const comparison: Comparison = {
  runs: [
    { id: 3, component: "train", status: "success", start: "", end: "", duration_ms: 10 },
    { id: 7, component: "train", status: "failed", start: "", end: "", duration_ms: 12 },
  ],
  differing: 3,
  rows: [
    row("params", "lr", [0.1, 0.01]),
    row("metrics", "auc", [0.9, "NaN"]),
    row("inputs", "data/a.csv", ["0123456789abcdef", true]),
    row("params", "model", ["resnet", "resnet"], false),
    row("metrics", "note", ["a", "b"], false),
  ],
  series: [
    {
      key: "loss",
      runs: [
        { run_id: 3, count: 3, steps: [0, 1, 2], values: [0.9, 0.5, 0.4] },
        { run_id: 7, count: 2, steps: [0, 2], values: [1, "NaN"] },
      ],
    },
  ],
};

describe("compare rows", () => {
  it("groups differing and identical rows apart, params before metrics before inputs", () => {
    expect(
      groupRows(comparison.rows, true).map((g) => [g.group, g.rows.map((r) => r.key)]),
    ).toEqual([
      ["params", ["lr"]],
      ["metrics", ["auc"]],
      ["inputs", ["data/a.csv"]],
    ]);
    expect(groupRows(comparison.rows, false).map((g) => g.group)).toEqual(["params", "metrics"]);
  });

  it("shows hashes short with the whole in the tooltip, a read without version, durations", () => {
    const input = comparison.rows[2]!;
    expect(cellText(input, "0123456789abcdef")).toEqual({
      text: "0123456789…",
      title: "0123456789abcdef",
    });
    expect(cellText(input, true)).toEqual({ text: "read", title: "no version recorded" });
    expect(cellText(input, null)).toEqual({ text: "—" });
    expect(cellText(row("run", "duration_ms", []), 2500)).toEqual({ text: "2.5 s" });
    expect(cellText(row("params", "lr", []), 0.1)).toEqual({ text: "0.1" });
  });

  it("lays step series out a row per step, a column per run, NaN as a gap", () => {
    expect(stepChartData(comparison, "loss")).toEqual([
      { step: 0, run3: 0.9, run7: 1 },
      { step: 1, run3: 0.5 },
      { step: 2, run3: 0.4, run7: null },
    ]);
  });

  it("charts only metrics that hold a number, a bar per run", () => {
    expect(numericMetrics(comparison).map((r) => r.key)).toEqual(["auc"]);
    expect(barChartData(comparison, comparison.rows[1]!)).toEqual([
      { run: "Run 3", value: 0.9 },
      { run: "Run 7", value: null },
    ]);
  });

  it("reads the ids of a compare address and gives runs distinct colours", () => {
    expect(parseRunIds("12,15,12")).toEqual([12, 15]);
    expect(parseRunIds("12,x")).toBeNull();
    expect(parseRunIds("")).toBeNull();
    expect(new Set(Array.from({ length: 50 }, (_, i) => runColor(i))).size).toBe(50);
  });
});
