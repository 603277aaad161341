// The runs side by side: a column per run, a row per param, metric, fact or input; the rows that
// differ first and highlighted, the identical ones folded behind a toggle. The first column stays
// in place while 50 runs scroll sideways.

import { useState } from "react";
import { Link } from "react-router-dom";
import { StatusBadge } from "../../../components/StatusBadge";
import { count } from "../../../lib/format";
import { paths } from "../../../lib/paths";
import type { Comparison, CompareRow } from "../api/getComparison";
import {
  GROUP_LABELS,
  cellText,
  differsFromFirst,
  groupRows,
  rowLabel,
  runColor,
  type RowGroup,
} from "../compareRows";

function Rows({ groups, comparison }: { groups: RowGroup[]; comparison: Comparison }) {
  return (
    <>
      {groups.map(({ group, rows }) => [
        <tr key={`group-${group}`} className="compare-group">
          <th scope="rowgroup" className="compare-sticky">
            {GROUP_LABELS[group]}
          </th>
          <td colSpan={comparison.runs.length} />
        </tr>,
        ...rows.map((row) => <Row key={`${group}:${row.key}`} row={row} comparison={comparison} />),
      ])}
    </>
  );
}

function Row({ row, comparison }: { row: CompareRow; comparison: Comparison }) {
  return (
    <tr className={row.differs ? "compare-differs" : undefined} data-differs={row.differs}>
      <th scope="row" className="compare-sticky compare-key">
        {row.differs ? (
          <span className="compare-mark" aria-label="differs" title="differs across the runs">
            ≠
          </span>
        ) : null}
        <span className={row.group === "inputs" ? "mono" : undefined} title={row.key}>
          {rowLabel(row)}
        </span>
      </th>
      {row.values.map((value, i) => {
        const { text, title } = cellText(row, value);
        const changed = row.differs && differsFromFirst(row, i);
        return (
          <td
            key={comparison.runs[i]!.id}
            className={`compare-cell${changed ? " compare-changed" : ""}`}
            title={title}
          >
            {row.group === "run" && row.key === "status" && typeof value === "string" ? (
              <StatusBadge status={value} />
            ) : (
              text
            )}
          </td>
        );
      })}
    </tr>
  );
}

export function CompareTable({ comparison }: { comparison: Comparison }) {
  const [showIdentical, setShowIdentical] = useState(false);
  const differing = groupRows(comparison.rows, true);
  const identical = groupRows(comparison.rows, false);
  const identicalCount = comparison.rows.length - comparison.differing;
  return (
    <section aria-labelledby="compare-values" className="compare-section">
      <div className="compare-section-head">
        <h2 id="compare-values">Values</h2>
        {identicalCount > 0 ? (
          <button
            type="button"
            className="button button-small"
            aria-expanded={showIdentical}
            aria-controls="compare-identical"
            onClick={() => setShowIdentical((shown) => !shown)}
          >
            {showIdentical ? "Hide" : "Show"} {count(identicalCount, "identical row")}
          </button>
        ) : null}
      </div>
      <div className="table-scroll compare-scroll">
        <table className="table compare-table">
          <caption className="sr-only">
            {count(comparison.runs.length, "run")} side by side, the rows that differ first
          </caption>
          <thead>
            <tr>
              <th scope="col" className="compare-sticky">
                {count(comparison.differing, "row")} differ
              </th>
              {comparison.runs.map((run, i) => (
                <th key={run.id} scope="col" className="compare-run">
                  <span
                    className="compare-swatch"
                    style={{ background: runColor(i) }}
                    aria-hidden="true"
                  />
                  <Link to={paths.inspect(run.id)}>Run {run.id}</Link>
                  <span className="compare-run-component muted">{run.component}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {differing.length === 0 ? (
              <tr>
                <td colSpan={comparison.runs.length + 1} className="muted">
                  Every value is the same in these runs.
                </td>
              </tr>
            ) : (
              <Rows groups={differing} comparison={comparison} />
            )}
          </tbody>
          <tbody id="compare-identical" hidden={!showIdentical}>
            {showIdentical ? <Rows groups={identical} comparison={comparison} /> : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
