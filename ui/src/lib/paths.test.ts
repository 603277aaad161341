import { describe, expect, it } from "vitest";
import { parseCommand } from "./commandParser";
import { pathForCommand, paths } from "./paths";

function pathOf(line: string): string {
  const result = parseCommand(line);
  if (!result.ok) throw new Error(result.error);
  return pathForCommand(result.command);
}

describe("paths", () => {
  it("encodes an id with slashes as one path segment", () => {
    expect(paths.trace("data/clean.csv")).toBe("/trace/data%2Fclean.csv");
  });

  it("encodes spaces, #, ? and % in ids", () => {
    expect(paths.trace("a b#c?d%e")).toBe("/trace/a%20b%23c%3Fd%25e");
  });

  it("adds direction and depth only when they differ from the defaults", () => {
    expect(paths.trace("x", { direction: "upstream" })).toBe("/trace/x");
    expect(paths.trace("x", { direction: "downstream", depth: 3 })).toBe(
      "/trace/x?direction=downstream&depth=3",
    );
  });

  it("names a suspect run and a run's downstream view", () => {
    expect(paths.trace("x", { suspect: 20 })).toBe("/trace/x?suspect=run%3A20");
    expect(paths.downstream(20)).toBe("/downstream/20");
    expect(paths.downstream(20, { suspect: true })).toBe("/downstream/20?suspect=run%3A20");
  });

  it("maps each command to its view", () => {
    expect(pathOf("recent")).toBe("/recent");
    expect(pathOf("history my etl 15")).toBe("/history/my%20etl/15");
    expect(pathOf("history etl")).toBe("/history/etl/10");
    expect(pathOf("inspect 42")).toBe("/inspect/42");
    expect(pathOf("trace data/clean.csv")).toBe("/trace/data%2Fclean.csv");
    expect(pathOf("flag data/clean.csv")).toBe("/trace/data%2Fclean.csv");
    expect(pathOf("unflag data/clean.csv")).toBe("/review");
    expect(pathOf("tag ml")).toBe("/tag/ml");
    expect(pathOf("review")).toBe("/review");
    expect(pathOf("help")).toBe("/help");
  });

  it("carries the history time range in the query", () => {
    expect(paths.history("etl", 5, { since: "2026-01-01T00:00:00.000Z" })).toBe(
      "/history/etl/5?since=2026-01-01T00%3A00%3A00.000Z",
    );
  });
});
