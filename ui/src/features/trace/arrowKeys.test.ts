import { describe, expect, it } from "vitest";
import { nodeTowards, type Box } from "./arrowKeys";

// Three rows 64 px apart; nodes 200 × 40, columns 212 px apart.
const box = (id: string, column: number, row: number): Box => ({
  id,
  position: { x: column * 212, y: row * 64 },
  width: 200,
  height: 40,
});
const grid = [box("a", 0, 0), box("b", 1, 0), box("c", 2, 0), box("d", 1, 1), box("e", 0, 2)];

describe("nodeTowards", () => {
  it("goes down to the nearest row, and in it to the closest node across", () => {
    expect(nodeTowards(grid[0]!, grid, "ArrowDown")).toBe("d");
    expect(nodeTowards(grid[3]!, grid, "ArrowDown")).toBe("e");
    expect(nodeTowards(grid[4]!, grid, "ArrowUp")).toBe("d");
    expect(nodeTowards(grid[3]!, grid, "ArrowUp")).toBe("b");
  });

  it("goes left and right within the row", () => {
    expect(nodeTowards(grid[1]!, grid, "ArrowRight")).toBe("c");
    expect(nodeTowards(grid[1]!, grid, "ArrowLeft")).toBe("a");
  });

  it("leaves the row when it has nothing that way, and stops at the edge", () => {
    expect(nodeTowards(grid[3]!, grid, "ArrowLeft")).toBe("a");
    expect(nodeTowards(grid[2]!, grid, "ArrowRight")).toBeNull();
    expect(nodeTowards(grid[0]!, grid, "ArrowUp")).toBeNull();
  });

  it("reaches every node from any other", () => {
    for (const start of grid) {
      const seen = new Set([start.id]);
      const queue = [start];
      while (queue.length > 0) {
        const at = queue.shift()!;
        for (const key of ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"] as const) {
          const next = nodeTowards(at, grid, key);
          if (next && !seen.has(next)) {
            seen.add(next);
            queue.push(grid.find((n) => n.id === next)!);
          }
        }
      }
      expect(seen.size).toBe(grid.length);
    }
  });
});
