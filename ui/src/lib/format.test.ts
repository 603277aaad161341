import { describe, expect, it } from "vitest";
import {
  formatDuration,
  formatPercent,
  formatValue,
  isoToLocalInput,
  localInputToIso,
} from "./format";

describe("format", () => {
  it("formats durations at every scale", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(3376.5)).toBe("3.38 s");
    expect(formatDuration(125_000)).toBe("2 min 05 s");
    expect(formatDuration(3_720_000)).toBe("1 h 02 min");
    expect(formatDuration(null)).toBe("—");
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
