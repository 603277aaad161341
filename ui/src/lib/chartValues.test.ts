import { describe, expect, it } from "vitest";
import { farFromMedian, formatChartValue, numberOf, plotValue, thinSeries } from "./chartValues";

describe("chart values", () => {
  it("reads numbers and the API's non-finite strings, and plots only finite numbers", () => {
    expect(numberOf(0.5)).toBe(0.5);
    expect(numberOf("NaN")).toBeNaN();
    expect(numberOf("-Infinity")).toBe(-Infinity);
    expect(numberOf(true)).toBeNull();
    expect(numberOf("resnet18")).toBeNull();
    expect(["NaN", "Infinity", "-Infinity", 2, null].map(plotValue)).toEqual([
      null,
      null,
      null,
      2,
      null,
    ]);
    expect(["Infinity", 0.123456789, 8].map(formatChartValue)).toEqual([
      "Infinity",
      "0.123457",
      "8",
    ]);
  });

  it("marks the bad day's temperature, and nothing in a steady series", () => {
    const temperatures = [64.0, 64.8, 63.5, 65.0, 145.4, 63.1, 62.9, 62.2];
    expect(farFromMedian(temperatures)).toEqual([
      false,
      false,
      false,
      false,
      true,
      false,
      false,
      false,
    ]);
    expect(farFromMedian([48, 48, 48, 48])).toEqual([false, false, false, false]);
  });

  it("when most values agree exactly, marks any alert where there usually are none", () => {
    expect(farFromMedian([0, 0, 0, 8, 8, 0, null])).toEqual([
      false,
      false,
      false,
      true,
      true,
      false,
      false,
    ]);
    // Within twice the usual value is not far; twice or more is.
    expect(farFromMedian([10, 10, 10, 15, 20])).toEqual([false, false, false, false, true]);
    expect(farFromMedian([1, 100])).toEqual([false, false]); // too few to say what is usual
  });

  it("thins a long series to about the asked size, keeping its spike and its gap", () => {
    const points = Array.from({ length: 100_000 }, (_, step) => ({
      step,
      value: step === 51_234 ? 1000 : step === 70_000 ? null : Math.sin(step / 100),
    }));
    const thinned = thinSeries(points, (p) => p.value, 1000);
    expect(thinned.length).toBeLessThanOrEqual(1500);
    expect(thinned.length).toBeGreaterThan(500);
    expect(thinned.map((p) => p.step)).toEqual(
      [...thinned.map((p) => p.step)].sort((a, b) => a - b),
    );
    expect(thinned).toContainEqual({ step: 51_234, value: 1000 });
    expect(thinned).toContainEqual({ step: 70_000, value: null });
    const short = points.slice(0, 10);
    expect(thinSeries(short, (p) => p.value, 1000)).toBe(short);
  });
});
