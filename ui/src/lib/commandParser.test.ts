import { describe, expect, it } from "vitest";
import { COMMANDS, completionContext, parseCommand, type Command } from "./commandParser";

function parsed(line: string): Command {
  const result = parseCommand(line);
  if (!result.ok) throw new Error(`expected "${line}" to parse, got: ${result.error}`);
  return result.command;
}

function error(line: string): string {
  const result = parseCommand(line);
  if (result.ok)
    throw new Error(`expected "${line}" to fail, got ${JSON.stringify(result.command)}`);
  return result.error;
}

describe("parseCommand", () => {
  it("parses the commands that take no argument", () => {
    expect(parsed("recent")).toEqual({ name: "recent" });
    expect(parsed("review")).toEqual({ name: "review" });
    expect(parsed("help")).toEqual({ name: "help" });
  });

  it("ignores surrounding whitespace and the case of the command word", () => {
    expect(parsed("   RECENT  ")).toEqual({ name: "recent" });
    expect(parsed("\tTrace x.csv ")).toEqual({ name: "trace", outputId: "x.csv" });
  });

  it("rejects an argument given to a command that takes none", () => {
    expect(error("recent 5")).toMatch(/recent takes no argument/);
    expect(error("review everything")).toMatch(/review takes no argument/);
    expect(error("help me")).toMatch(/help takes no argument/);
  });

  it("defaults history to ten runs", () => {
    expect(parsed("history etl")).toEqual({ name: "history", component: "etl", limit: 10 });
  });

  it("reads a trailing count for history", () => {
    expect(parsed("history etl 15")).toEqual({ name: "history", component: "etl", limit: 15 });
  });

  it("keeps spaces inside a component name before the count", () => {
    expect(parsed("history clean  data 3")).toEqual({
      name: "history",
      component: "clean  data",
      limit: 3,
    });
    expect(parsed("history clean data")).toEqual({
      name: "history",
      component: "clean data",
      limit: 10,
    });
  });

  it("treats a lone number after history as the component name", () => {
    expect(parsed("history 2024")).toEqual({ name: "history", component: "2024", limit: 10 });
  });

  it("rejects a count that is not a positive whole number", () => {
    expect(error("history etl 0")).toMatch(/positive whole number/);
    expect(error("history etl -3")).toMatch(/positive whole number, not "-3"/);
    expect(error("history etl 1.5")).toMatch(/positive whole number, not "1.5"/);
  });

  it("requires a component for history", () => {
    expect(error("history")).toMatch(/history needs a component/);
    expect(error("history    ")).toMatch(/history needs a component/);
  });

  it("parses inspect with an integer run id", () => {
    expect(parsed("inspect 42")).toEqual({ name: "inspect", runId: 42 });
  });

  it("rejects a run id that is not a whole number", () => {
    expect(error("inspect abc")).toMatch(/run id is a whole number, not "abc"/);
    expect(error("inspect 4 2")).toMatch(/whole number/);
    expect(error("inspect -1")).toMatch(/whole number/);
    expect(error("inspect")).toMatch(/inspect needs a run id/);
    expect(error("inspect 99999999999999999999")).toMatch(/too large/);
  });

  it("takes the rest of the line as the output id for trace, flag and unflag", () => {
    for (const name of ["trace", "flag", "unflag"] as const) {
      expect(parsed(`${name} data/clean.csv`)).toEqual({ name, outputId: "data/clean.csv" });
      expect(parsed(`${name} my output #1?.csv`)).toEqual({ name, outputId: "my output #1?.csv" });
      expect(parsed(`${name} s3://bucket/a b/c%20d`)).toEqual({
        name,
        outputId: "s3://bucket/a b/c%20d",
      });
    }
  });

  it("keeps inner whitespace of an id verbatim", () => {
    expect(parsed("trace a  b\tc")).toEqual({ name: "trace", outputId: "a  b\tc" });
  });

  it("keeps non-ASCII ids and the case of ids", () => {
    expect(parsed("trace Données/Été.CSV")).toEqual({ name: "trace", outputId: "Données/Été.CSV" });
  });

  it("requires an output id for trace, flag and unflag", () => {
    expect(error("trace")).toMatch(/trace needs an output id/);
    expect(error("flag ")).toMatch(/flag needs an output id/);
    expect(error("unflag")).toMatch(/unflag needs an output id/);
  });

  it("parses tag with the rest of the line", () => {
    expect(parsed("tag training")).toEqual({ name: "tag", tag: "training" });
    expect(parsed("tag team a/b")).toEqual({ name: "tag", tag: "team a/b" });
    expect(error("tag")).toMatch(/tag needs a tag name/);
  });

  it("reports an unknown command with a hint", () => {
    expect(error("tarce x")).toMatch(/Unknown command "tarce"\. Did you mean `trace`\?/);
    expect(error("zzz")).toMatch(/Unknown command "zzz"\. Type `help`/);
  });

  it("reports an empty line", () => {
    expect(error("")).toMatch(/Type a command/);
    expect(error("   ")).toMatch(/Type a command/);
  });

  it("parses every documented example", () => {
    for (const spec of COMMANDS) {
      expect(parsed(spec.example).name).toBe(spec.name);
    }
  });

  it("reads diff's two output ids, right then wrong, a quoted one holding spaces", () => {
    expect(parsed("diff good.csv bad.csv")).toEqual({ name: "diff", a: "good.csv", b: "bad.csv" });
    expect(parsed('diff "my good.csv" bad.csv')).toEqual({
      name: "diff",
      a: "my good.csv",
      b: "bad.csv",
    });
    expect(error("diff only-one")).toMatch(/diff needs two output ids/);
    expect(error("diff a b c")).toMatch(/diff needs two output ids/);
  });

  it("reads compare's run ids, spaces or commas apart, a repeated one once", () => {
    expect(parsed("compare 12 15 18")).toEqual({ name: "compare", runIds: [12, 15, 18] });
    expect(parsed("compare 12,15, 12")).toEqual({ name: "compare", runIds: [12, 15] });
    expect(error("compare 12")).toMatch(/compare needs 2 to 50 different run ids.*\(got 1\)/);
    expect(error("compare 12 12")).toMatch(/\(got 1\)/);
    expect(error("compare 12 x")).toMatch(/a run id is a whole number, not "x"/);
    const many = Array.from({ length: 51 }, (_, i) => i + 1).join(" ");
    expect(error(`compare ${many}`)).toMatch(/\(got 51\)/);
    expect(parsed(`compare ${many.replace(/ 51$/, "")}`)).toMatchObject({ name: "compare" });
  });

  it("reads impact's output id or run:N and rejects a run:N that names no run id", () => {
    expect(parsed("impact run:42")).toEqual({ name: "impact", id: "run:42" });
    expect(parsed("impact data/raw x.csv")).toEqual({ name: "impact", id: "data/raw x.csv" });
    expect(error("impact run:forty")).toMatch(/run:N names a run by its id/);
    expect(error("impact")).toMatch(/impact needs an output id or run:N/);
  });
});

describe("completionContext", () => {
  it("offers command names for a partial first word", () => {
    const ctx = completionContext("re");
    expect(ctx.kind).toBe("command");
    if (ctx.kind === "command") {
      expect(ctx.matches.map((m) => m.name)).toEqual(["recent", "review"]);
    }
  });

  it("completes the argument of a command with its search kind", () => {
    const ctx = completionContext("trace data/cl");
    expect(ctx).toMatchObject({ kind: "argument", prefix: "data/cl" });
    if (ctx.kind === "argument") expect(ctx.command.argument).toBe("output");
    const history = completionContext("history tr");
    if (history.kind !== "argument") throw new Error("expected an argument context");
    expect(history.command.argument).toBe("component");
  });

  it("searches everything for a word that is no command", () => {
    expect(completionContext("clean.csv")).toEqual({ kind: "search", prefix: "clean.csv" });
  });

  it("offers nothing for an empty line or a command without argument", () => {
    expect(completionContext("")).toEqual({ kind: "none" });
    expect(completionContext("review ")).toEqual({ kind: "none" });
  });
});

describe("completionContext for diff", () => {
  it("completes the first output id, then the second after the first", () => {
    expect(completionContext("diff goo")).toMatchObject({
      kind: "argument",
      prefix: "goo",
      before: "",
    });
    expect(completionContext("diff good.csv ba")).toMatchObject({
      kind: "argument",
      prefix: "ba",
      before: "good.csv ",
    });
    expect(completionContext("diff good.csv ")).toMatchObject({ prefix: "", before: "good.csv " });
  });
});
