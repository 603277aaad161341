// Short two-line labels for the pointers of a graph: the file name, and the part of its folder that
// tells it from the other pointers of the same name (`data/raw/` beside `data/clean/`).

/** Characters a line of a pointer node holds at its font size (CSS cuts anything longer). */
export const LABEL_CHARS = 24;

export interface PointerLabel {
  /** The last part of the name: a file name, an id. */
  name: string;
  /** The folder before it (ending in "/"), shortened from the left to what tells it apart; "" if none. */
  folder: string;
}

/** `text` cut in the middle to at most `max` characters ("da6fa138-91…-baa07c35058b"). */
export function middleEllipsis(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const head = Math.ceil((max - 1) / 2);
  const tail = max - 1 - head;
  return `${chars.slice(0, head).join("")}…${tail > 0 ? chars.slice(-tail).join("") : ""}`;
}

/** Folder segments and file name: "s3://b/raw/x.csv" → [["s3:", "", "b", "raw"], "x.csv"]. */
function split(name: string): [string[], string] {
  const trimmed = name.length > 1 ? name.replace(/\/+$/, "") : name;
  const parts = trimmed.split("/");
  const last = parts.pop() ?? "";
  return last ? [parts, last] : [[], name];
}

/** How many trailing folder segments `folder` needs so that no other name with its file name shares them. */
function segmentsNeeded(folder: string[], others: string[][]): number {
  for (let k = 1; k <= folder.length; k++) {
    const tail = folder.slice(-k).join("/");
    if (others.every((other) => other.slice(-k).join("/") !== tail)) return k;
  }
  return folder.length;
}

/**
 * A label for each name: the file name (cut in the middle when long) and as much of its folder as
 * fits, keeping at least the segments that tell it from the other names of the graph with the same
 * file name. The full name stays available (tooltip, accessible name); this is for reading at a glance.
 */
export function pointerLabels(
  names: readonly string[],
  max = LABEL_CHARS,
): Map<string, PointerLabel> {
  const parsed = names.map((name) => ({ name, parts: split(name) }));
  const byFile = new Map<string, string[][]>();
  for (const { parts } of parsed) {
    byFile.set(parts[1], [...(byFile.get(parts[1]) ?? []), parts[0]]);
  }
  const labels = new Map<string, PointerLabel>();
  for (const { name, parts } of parsed) {
    const [folder, file] = parts;
    let shown = "";
    if (folder.length > 0) {
      const whole = `${folder.join("/")}/`;
      if (Array.from(whole).length <= max) {
        shown = whole;
      } else {
        const others = (byFile.get(file) ?? []).filter((other) => other !== folder);
        const k = Math.max(1, segmentsNeeded(folder, others));
        const needed = `…/${folder.slice(-k).join("/")}/`;
        // Too long: the segment that differs first, then an ellipsis for the ones after it.
        const cut =
          Array.from(needed).length > max && k > 1 ? `…/${folder[folder.length - k]}/…/` : needed;
        shown = middleEllipsis(cut, max);
      }
    }
    labels.set(name, { name: middleEllipsis(file, max), folder: shown });
  }
  return labels;
}
