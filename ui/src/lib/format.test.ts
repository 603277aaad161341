import { describe, expect, it } from "vitest";
import durationCases from "./durationCases.json";
import sizeCases from "./sizeCases.json";
import {
  count,
  formatBytes,
  formatDuration,
  formatPercent,
  formatValue,
  isoToLocalInput,
  localInputToIso,
} from "./format";

describe("format", () => {
  it.each(durationCases.cases as [number, string][])(
    "shows %s ms as %s, as the command line does",
    (ms, shown) => {
      expect(formatDuration(ms)).toBe(shown);
    },
  );

  it.each(sizeCases.cases as [number, string][])(
    "shows %s bytes as %s, as the command line does",
    (bytes, shown) => {
      expect(formatBytes(bytes)).toBe(shown);
    },
  );

  it("shows a missing or impossible duration as a dash", () => {
    for (const ms of [null, undefined, -1, Number.NaN]) expect(formatDuration(ms)).toBe("—");
  });

  it("counts in the singular for one", () => {
    expect([0, 1, 2].map((n) => count(n, "run"))).toEqual(["0 runs", "1 run", "2 runs"]);
    expect(count(1, "input and output", "inputs and outputs")).toBe("1 input and output");
  });

  it("formats values and percentages", () => {
    expect(formatValue(0.123456789)).toBe("0.123457");
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
    expect(formatPercent(0.5)).toBe("50%");
  });

  it("round-trips a local datetime input through ISO", () => {
    const iso = localInputToIso("2026-03-04T05:06");
    expect(iso).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$/);
    expect(isoToLocalInput(iso)).toBe("2026-03-04T05:06");
    expect(localInputToIso("")).toBe("");
  });
});
