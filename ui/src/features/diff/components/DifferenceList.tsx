// The ranked differences of a diff: one button each (selecting its node), and the selected one's
// values side by side, with a code difference's unified diff coloured line by line.

import type { Difference } from "../../../lib/types";

const KIND_LABEL: Record<string, string> = {
  raw_input: "raw input",
  only_in_a: "only in A",
  only_in_b: "only in B",
  code: "code",
  params: "param",
  git: "git commit",
  stale: "staleness",
  input: "input version",
  metrics: "metric",
  status: "status",
  tests: "tests",
};

/** A value as one short line (a raw input as its name and value hash). */
function show(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "object" && typeof (value as { name?: unknown }).name === "string") {
    const { name, value_hash: hash } = value as { name: string; value_hash?: string | null };
    return hash ? `${name} (${hash.slice(0, 12)})` : name;
  }
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

export function differenceTitle(difference: Difference): string {
  const kind = KIND_LABEL[difference.kind] ?? difference.kind;
  return `${kind}${difference.key ? ` ${difference.key}` : ""} · ${difference.component}`;
}

/** A unified diff, each line marked added, removed or hunk header (by a word too, for screen readers). */
export function CodeDiff({ diff }: { diff: string }) {
  const lines = diff.replace(/\n$/, "").split("\n");
  return (
    <pre className="code code-diff" aria-label="Code diff">
      {lines.map((line, i) => {
        const kind =
          line.startsWith("+++") || line.startsWith("---")
            ? "file"
            : line.startsWith("+")
              ? "added"
              : line.startsWith("-")
                ? "removed"
                : line.startsWith("@@")
                  ? "hunk"
                  : "same";
        return (
          <span key={i} className={`diff-line diff-${kind}`}>
            {kind === "added" || kind === "removed" ? (
              <span className="sr-only">{kind}: </span>
            ) : null}
            {line || " "}
            {"\n"}
          </span>
        );
      })}
    </pre>
  );
}

function DifferenceDetail({ difference }: { difference: Difference }) {
  return (
    <div className="diff-detail" aria-label={`Difference ${difference.rank}`} role="region">
      {difference.kind === "code" && difference.code_diff ? (
        <CodeDiff diff={difference.code_diff} />
      ) : (
        <dl className="facts">
          <dt>A (right)</dt>
          <dd className="break">{show(difference.a)}</dd>
          <dt>B (wrong)</dt>
          <dd className="break">{show(difference.b)}</dd>
        </dl>
      )}
    </div>
  );
}

export function DifferenceList({
  differences,
  selectedRank,
  selectedNode,
  nodeOf,
  onSelect,
}: {
  differences: Difference[];
  selectedRank: number | null;
  /** The graph's selected node: its differences are marked too. */
  selectedNode: string | null;
  nodeOf: (difference: Difference) => string | null;
  onSelect: (difference: Difference) => void;
}) {
  return (
    <ol className="diff-list" aria-label="Differences, likeliest cause first">
      {differences.map((difference) => {
        const selected = difference.rank === selectedRank;
        const ofNode = selectedNode !== null && nodeOf(difference) === selectedNode;
        return (
          <li
            key={difference.rank}
            className={[
              "diff-item",
              selected && "diff-item-selected",
              ofNode && "is-of-node",
              difference.explained_by !== null && "is-explained",
            ]
              .filter(Boolean)
              .join(" ")}
          >
            <button
              type="button"
              className="diff-item-button"
              aria-pressed={selected}
              onClick={() => onSelect(difference)}
            >
              <span className="diff-rank">#{difference.rank}</span>{" "}
              <span className="diff-title">{differenceTitle(difference)}</span>
              <span className="diff-runs muted">
                {difference.a_run_id !== null ? `A: Run ${difference.a_run_id}` : "A: —"} ·{" "}
                {difference.b_run_id !== null ? `B: Run ${difference.b_run_id}` : "B: —"}
                {difference.explained_by !== null
                  ? ` · explained by #${difference.explained_by}`
                  : ""}
              </span>
            </button>
            {selected ? <DifferenceDetail difference={difference} /> : null}
          </li>
        );
      })}
    </ol>
  );
}
