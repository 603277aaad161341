// Builds the command bar's suggestion list from the completion context and search results.

import { COMMAND_FOR_KIND, type CompletionContext } from "../../lib/commandParser";
import type { SearchResult } from "../../lib/types";

export interface Suggestion {
  /** The whole line the suggestion puts in the bar. */
  line: string;
  /** True when the line still needs an argument, so accepting it should not run it. */
  incomplete: boolean;
  label: string;
  detail: string;
}

export function buildSuggestions(
  context: CompletionContext,
  results: readonly SearchResult[],
): Suggestion[] {
  switch (context.kind) {
    case "none":
      return [];
    case "command":
      return context.matches.map((spec) => ({
        line: spec.argument ? `${spec.name} ` : spec.name,
        incomplete: Boolean(spec.argument),
        label: spec.usage,
        detail: spec.description,
      }));
    case "argument": {
      const before = context.before ?? "";
      // `diff A B` takes two: completing the first leaves the line waiting for the second.
      const incomplete = context.before === "";
      return results
        .filter((result) => result.kind === context.command.argument)
        .map((result) => ({
          line: `${context.command.name} ${before}${result.value}${incomplete ? " " : ""}`,
          incomplete,
          label: result.label || result.value,
          detail: result.kind,
        }));
    }
    case "search":
      return results.map((result) => {
        const command = COMMAND_FOR_KIND[result.kind];
        return {
          line: `${command} ${result.value}`,
          incomplete: false,
          label: `${command} ${result.label || result.value}`,
          detail: result.kind,
        };
      });
  }
}
