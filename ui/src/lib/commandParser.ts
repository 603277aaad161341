// Parses a command-bar line (`trace data/clean.csv`, `history train 20`, …) into a typed command.

import type { SearchKind } from "./types";

export type Command =
  | { name: "recent" }
  | { name: "history"; component: string; limit: number }
  | { name: "inspect"; runId: number }
  | { name: "trace"; outputId: string }
  | { name: "diff"; a: string; b: string }
  | { name: "impact"; id: string }
  | { name: "compare"; runIds: number[] }
  | { name: "tag"; tag: string }
  | { name: "flag"; outputId: string }
  | { name: "unflag"; outputId: string }
  | { name: "review" }
  | { name: "help" };

export type CommandName = Command["name"];

export type ParseResult = { ok: true; command: Command } | { ok: false; error: string };

export interface CommandSpec {
  name: CommandName;
  usage: string;
  description: string;
  example: string;
  /** What the argument names, for completion from `/search`; absent when the command takes none. */
  argument?: SearchKind;
}

export const DEFAULT_HISTORY_LIMIT = 10;
/** How many runs `compare` takes (as the API does). */
export const MIN_COMPARED = 2;
export const MAX_COMPARED = 50;

/** Every command, in the order `help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "recent",
    usage: "recent",
    description: "Show the most recent component runs (the home page).",
    example: "recent",
  },
  {
    name: "history",
    usage: "history COMPONENT [N]",
    description: `Show the last N runs of a component (default ${DEFAULT_HISTORY_LIMIT}).`,
    example: "history train 15",
    argument: "component",
  },
  {
    name: "inspect",
    usage: "inspect RUN_ID",
    description: "Show everything recorded about one component run.",
    example: "inspect 42",
    argument: "run",
  },
  {
    name: "trace",
    usage: "trace OUTPUT_ID",
    description: "Show the graph of runs and inputs that produced an output.",
    example: "trace data/clean.csv",
    argument: "output",
  },
  {
    name: "diff",
    usage: "diff A B",
    description:
      "Compare the trace of output B (wrong) with that of output A (right): what differs, likeliest cause first.",
    example: "diff prediction-3 prediction-17",
    argument: "output",
  },
  {
    name: "impact",
    usage: "impact ID",
    description:
      "Show what an output (or run:N) affected downstream, and flag its endpoint outputs.",
    example: "impact run:42",
    argument: "output",
  },
  {
    name: "compare",
    usage: "compare RUN_ID RUN_ID …",
    description: `Show ${MIN_COMPARED} to ${MAX_COMPARED} runs side by side: what differs first, with charts of their metrics.`,
    example: "compare 12 15 18",
  },
  {
    name: "tag",
    usage: "tag TAG",
    description: "Show the components with a tag and their recent runs.",
    example: "tag training",
    argument: "tag",
  },
  {
    name: "flag",
    usage: "flag OUTPUT_ID",
    description: "Flag an output as bad, then show its trace.",
    example: "flag prediction-17",
    argument: "output",
  },
  {
    name: "unflag",
    usage: "unflag OUTPUT_ID",
    description: "Remove the flag from an output, then show the review.",
    example: "unflag prediction-17",
    argument: "output",
  },
  {
    name: "review",
    usage: "review",
    description: "Rank the runs most likely to have caused the flagged outputs.",
    example: "review",
  },
  { name: "help", usage: "help", description: "List the commands.", example: "help" },
];

const SPECS = new Map<string, CommandSpec>(COMMANDS.map((spec) => [spec.name, spec]));

/** Splits a line into its command word (lower-cased) and the rest, trimmed but otherwise verbatim. */
function splitLine(line: string): { word: string; rest: string } {
  const trimmed = line.trim();
  const match = /^(\S+)(?:\s+([\s\S]*))?$/.exec(trimmed);
  return { word: (match?.[1] ?? "").toLowerCase(), rest: (match?.[2] ?? "").trim() };
}

const fail = (error: string): ParseResult => ({ ok: false, error });
const ok = (command: Command): ParseResult => ({ ok: true, command });

function parseHistory(rest: string): ParseResult {
  if (!rest) return fail("history needs a component name, e.g. `history train 15`.");
  const match = /^([\s\S]*\S)\s+(\S+)$/.exec(rest);
  const last = match?.[2];
  if (match && last !== undefined && /^[-+]?\d+(?:\.\d*)?$/.test(last)) {
    const limit = Number(last);
    if (!/^\+?\d+$/.test(last) || !Number.isSafeInteger(limit) || limit < 1) {
      return fail(`history: N must be a positive whole number, not "${last}".`);
    }
    return ok({ name: "history", component: match[1] ?? "", limit });
  }
  return ok({ name: "history", component: rest, limit: DEFAULT_HISTORY_LIMIT });
}

function parseInspect(rest: string): ParseResult {
  if (!rest) return fail("inspect needs a run id, e.g. `inspect 42`.");
  if (!/^\d+$/.test(rest)) return fail(`inspect: a run id is a whole number, not "${rest}".`);
  const runId = Number(rest);
  if (!Number.isSafeInteger(runId)) return fail(`inspect: run id "${rest}" is too large.`);
  return ok({ name: "inspect", runId });
}

/** Splits arguments at spaces; a "double-quoted" argument may hold spaces. */
export function splitArguments(rest: string): string[] {
  return [...rest.matchAll(/"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2] ?? "");
}

function parseDiff(rest: string, example: string): ParseResult {
  const args = splitArguments(rest);
  if (args.length !== 2 || !args[0] || !args[1]) {
    return fail(
      `diff needs two output ids, the right one then the wrong one, e.g. \`${example}\`.`,
    );
  }
  return ok({ name: "diff", a: args[0], b: args[1] });
}

function parseImpact(rest: string, example: string): ParseResult {
  if (!rest) return fail(`impact needs an output id or run:N, e.g. \`${example}\`.`);
  if (rest.startsWith("run:") && !/^run:\d{1,10}$/.test(rest)) {
    return fail(`impact: run:N names a run by its id (a whole number), not "${rest}".`);
  }
  return ok({ name: "impact", id: rest });
}

function parseCompare(rest: string, example: string): ParseResult {
  const args = rest.split(/[\s,]+/).filter(Boolean);
  const bad = args.find((arg) => !/^\d{1,10}$/.test(arg));
  if (bad !== undefined) return fail(`compare: a run id is a whole number, not "${bad}".`);
  const runIds = [...new Set(args.map(Number))];
  if (runIds.length < MIN_COMPARED || runIds.length > MAX_COMPARED) {
    return fail(
      `compare needs ${MIN_COMPARED} to ${MAX_COMPARED} different run ids, e.g. \`${example}\` (got ${runIds.length}).`,
    );
  }
  return ok({ name: "compare", runIds });
}

/** Edit distance counting insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      d[i]![j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The command a mistyped word most likely meant, if any is within two edits. */
function closestCommand(word: string): CommandName | null {
  let best: { name: CommandName; distance: number } | null = null;
  for (const { name } of COMMANDS) {
    const distance = editDistance(word, name);
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name ?? null;
}

/** Parses one command-bar line. Never throws: bad input gives `{ok: false, error}`. */
export function parseCommand(line: string): ParseResult {
  const { word, rest } = splitLine(line);
  if (!word) return fail("Type a command, e.g. `recent`, or `help` to list them.");
  const spec = SPECS.get(word);
  if (!spec) {
    const near = closestCommand(word);
    const hint = near ? ` Did you mean \`${near}\`?` : "";
    return fail(`Unknown command "${word}".${hint} Type \`help\` to list the commands.`);
  }
  switch (spec.name) {
    case "recent":
    case "review":
    case "help":
      if (rest) return fail(`${spec.name} takes no argument (usage: \`${spec.usage}\`).`);
      return ok({ name: spec.name });
    case "history":
      return parseHistory(rest);
    case "inspect":
      return parseInspect(rest);
    case "trace":
    case "flag":
    case "unflag":
      if (!rest) return fail(`${spec.name} needs an output id, e.g. \`${spec.example}\`.`);
      return ok({ name: spec.name, outputId: rest });
    case "diff":
      return parseDiff(rest, spec.example);
    case "impact":
      return parseImpact(rest, spec.example);
    case "compare":
      return parseCompare(rest, spec.example);
    case "tag":
      if (!rest) return fail(`tag needs a tag name, e.g. \`${spec.example}\`.`);
      return ok({ name: "tag", tag: rest });
  }
}

/** What the cursor is completing: the command word, a command's argument, or a bare search term. */
export type CompletionContext =
  | { kind: "command"; prefix: string; matches: CommandSpec[] }
  | {
      kind: "argument";
      command: CommandSpec;
      prefix: string;
      /** The arguments already typed before the one being completed (`diff A B`'s "A "). */
      before?: string;
    }
  | { kind: "search"; prefix: string }
  | { kind: "none" };

/** Tells the command bar what to suggest for the line typed so far. */
export function completionContext(line: string): CompletionContext {
  const leading = line.replace(/^\s+/, "");
  if (!leading) return { kind: "none" };
  const hasSpace = /\s/.test(leading);
  const { word, rest } = splitLine(leading);
  if (!hasSpace) {
    const matches = COMMANDS.filter((c) => c.name.startsWith(word) && c.name !== word);
    if (matches.length > 0) return { kind: "command", prefix: word, matches };
    if (SPECS.has(word)) return { kind: "none" };
    return { kind: "search", prefix: leading };
  }
  const spec = SPECS.get(word);
  if (!spec) return { kind: "search", prefix: leading.trim() };
  if (!spec.argument) return { kind: "none" };
  if (spec.name === "diff") {
    const args = splitArguments(rest);
    const typingSecond = args.length > 1 || (args.length === 1 && /\s$/.test(leading));
    if (typingSecond) {
      const first = /\s/.test(args[0] ?? "") ? `"${args[0]}"` : (args[0] ?? "");
      return { kind: "argument", command: spec, prefix: args[1] ?? "", before: `${first} ` };
    }
    return { kind: "argument", command: spec, prefix: rest, before: "" };
  }
  return { kind: "argument", command: spec, prefix: rest };
}

/** The command that opens a search result of a given kind (used for bare search terms). */
export const COMMAND_FOR_KIND: Record<SearchKind, CommandName> = {
  component: "history",
  run: "inspect",
  output: "trace",
  tag: "tag",
};
