import { describe, expect, it } from "vitest";
import type { RunPointer } from "../../lib/types";
import { previewOf } from "./preview";

const pointer = (name: string): RunPointer => ({
  name,
  type: "endpoint",
  value_hash: null,
  flagged: false,
});

describe("previewOf", () => {
  const preview = ["pred/0", "pred/1", "pred/2"].map(pointer);

  it("counts what the listing left out against the run's total", () => {
    expect(previewOf(preview, 200)).toEqual({ shown: preview, hidden: 197 });
  });

  it("shows fewer than the preview holds and counts those too", () => {
    const { shown, hidden } = previewOf(preview, 200, 1);
    expect(shown.map((p) => p.name)).toEqual(["pred/0"]);
    expect(hidden).toBe(199);
  });

  it("hides nothing when the run has no more than it shows", () => {
    expect(previewOf(preview, 3).hidden).toBe(0);
    expect(previewOf([], 0)).toEqual({ shown: [], hidden: 0 });
  });
});
