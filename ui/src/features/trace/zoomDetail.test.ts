import { describe, expect, it } from "vitest";
import { BLOCK_ZOOM, detailAt, edgesPath, LABEL_ZOOM } from "./zoomDetail";

describe("detailAt", () => {
  it("draws everything, then a label, then a block as the view zooms out", () => {
    expect(detailAt(1)).toBe("full");
    expect(detailAt(LABEL_ZOOM)).toBe("full");
    expect(detailAt(LABEL_ZOOM - 0.01)).toBe("label");
    expect(detailAt(BLOCK_ZOOM)).toBe("label");
    expect(detailAt(BLOCK_ZOOM - 0.01)).toBe("block");
  });
});

describe("edgesPath", () => {
  it("draws one horizontal-ended bezier per edge in a single path", () => {
    const d = edgesPath([
      { sourceX: 0, sourceY: 0, targetX: 100, targetY: 50 },
      { sourceX: 10, sourceY: 5, targetX: 30.04, targetY: 5 },
    ]);
    expect(d).toBe("M0,0C50,0 50,50 100,50M10,5C20,5 20,5 30,5");
  });

  it("is empty without edges", () => {
    expect(edgesPath([])).toBe("");
  });
});
