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

  it("goes from everything straight to blocks in a large graph", () => {
    expect(detailAt(LABEL_ZOOM, true)).toBe("full");
    expect(detailAt(LABEL_ZOOM - 0.01, true)).toBe("block");
  });
});

describe("edgesPath", () => {
  it("draws one vertical-ended bezier per edge in a single path", () => {
    const d = edgesPath([
      { sourceX: 0, sourceY: 0, targetX: 50, targetY: 100 },
      { sourceX: 5, sourceY: 10, targetX: 5, targetY: 30.04 },
    ]);
    expect(d).toBe("M0,0C0,50 50,50 50,100M5,10C5,20 5,20 5,30");
  });

  it("is empty without edges", () => {
    expect(edgesPath([])).toBe("");
  });
});
