// A two-column table of a JSON object's keys and values (params, metrics).

import { formatValue } from "../lib/format";
import { Empty } from "./QueryState";

export function KeyValueTable({
  caption,
  values,
}: {
  caption: string;
  values: Record<string, unknown> | null | undefined;
}) {
  const entries = Object.entries(values ?? {});
  return (
    <section className="kv" aria-label={caption}>
      <h3>{caption}</h3>
      {entries.length === 0 ? (
        <Empty>None recorded.</Empty>
      ) : (
        <div className="table-scroll">
          <table className="table table-compact">
            <tbody>
              {entries.map(([key, value]) => (
                <tr key={key}>
                  <th scope="row">{key}</th>
                  <td className="mono">{formatValue(value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
