// The filter box over the runs listing: a filter in the query language and an order, kept in the URL
// (?where=&order_by=) so that a reload or a shared link shows the same runs; the server's word on a bad
// filter (where it went wrong) shows under the box.

import { useState, type FormEvent } from "react";
import { ApiError, errorMessage } from "../../../lib/apiClient";
import { isFiltered, NO_FILTER, type RunFilter } from "../api/getRecentRuns";

const WHERE_EXAMPLE = "metrics.accuracy > 0.9 and params.model = 'resnet18'";

/** Which box the server's 400 is about and at which 1-based column (`details.where.column`), when it says. */
export function filterMistake(error: unknown): {
  field: "where" | "order_by";
  column: number | null;
} {
  const details = error instanceof ApiError ? error.details : {};
  for (const field of ["where", "order_by"] as const) {
    const about = details[field] as { column?: unknown } | undefined;
    if (about !== undefined) {
      const column = typeof about?.column === "number" && about.column >= 1 ? about.column : null;
      return { field, column };
    }
  }
  return { field: "where", column: null };
}

/** The text as sent with a caret under the column the server pointed at. */
function Caret({ text, column }: { text: string; column: number }) {
  return (
    <pre className="run-filter-caret" aria-hidden="true">
      {text}
      {"\n"}
      {" ".repeat(Math.min(column - 1, text.length))}^
    </pre>
  );
}

export function RunFilterForm({
  filter,
  onApply,
  error,
}: {
  filter: RunFilter;
  onApply: (filter: RunFilter) => void;
  /** The server's answer to a filter it could not read (a 400), shown under the box. */
  error: unknown;
}) {
  const [where, setWhere] = useState(filter.where);
  const [orderBy, setOrderBy] = useState(filter.orderBy);
  // Back/forward change the filter: follow it without remounting (focus stays in the box).
  const [seen, setSeen] = useState(filter);
  if (seen.where !== filter.where || seen.orderBy !== filter.orderBy) {
    setSeen(filter);
    setWhere(filter.where);
    setOrderBy(filter.orderBy);
  }

  const mistake = error ? filterMistake(error) : null;
  const invalid = (field: "where" | "order_by") =>
    mistake?.field === field
      ? { "aria-invalid": true, "aria-describedby": "run-filter-error" }
      : {};

  const apply = (event: FormEvent) => {
    event.preventDefault();
    onApply({ where: where.trim(), orderBy: orderBy.trim() });
  };

  return (
    <form className="run-filter" onSubmit={apply} role="search" aria-label="Filter runs">
      <div className="run-filter-fields">
        <label className="run-filter-where">
          Filter
          <input
            type="text"
            className="mono"
            value={where}
            onChange={(e) => setWhere(e.target.value)}
            placeholder={WHERE_EXAMPLE}
            spellCheck={false}
            autoCapitalize="off"
            autoComplete="off"
            aria-describedby="run-filter-help"
            {...invalid("where")}
          />
        </label>
        <label className="run-filter-order">
          Order by
          <input
            type="text"
            className="mono"
            value={orderBy}
            onChange={(e) => setOrderBy(e.target.value)}
            placeholder="metrics.accuracy desc"
            {...invalid("order_by")}
            spellCheck={false}
            autoCapitalize="off"
            autoComplete="off"
          />
        </label>
        <div className="run-filter-buttons">
          <button type="submit" className="button">
            Apply
          </button>
          {isFiltered(filter) ? (
            <button
              type="button"
              className="button button-ghost"
              onClick={() => {
                setWhere("");
                setOrderBy("");
                onApply(NO_FILTER);
              }}
            >
              Clear
            </button>
          ) : null}
        </div>
      </div>
      {mistake ? (
        <div id="run-filter-error" className="run-filter-error" role="alert">
          <p>{errorMessage(error)}</p>
          {mistake.column !== null ? (
            <Caret
              text={mistake.field === "where" ? filter.where : filter.orderBy}
              column={mistake.column}
            />
          ) : null}
        </div>
      ) : (
        <p id="run-filter-help" className="run-filter-help muted">
          <code>metrics.X</code>, <code>params.X</code>, <code>status</code>, <code>component</code>
          , <code>started</code>, <code>tag</code> with{" "}
          <code>= != &lt; &lt;= &gt; &gt;= in like</code>, joined by <code>and</code>.
        </p>
      )}
    </form>
  );
}
