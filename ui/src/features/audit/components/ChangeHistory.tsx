// A run's history of changes on its inspect page: notes edited, values set late, its outputs flagged and
// unflagged, by whom.

import { ErrorMessage, Loading } from "../../../components/QueryState";
import { Time } from "../../../components/Time";
import { useRunAudit, type AuditEntry } from "../api/getAudit";

type Sections = Record<string, Record<string, unknown>>;

/** "metrics.test_acc 0.91 → 0.93, params.seed 3": each value set late, with the one it replaced. */
function describeValues(before: Sections | null, after: Sections | null): string {
  const changes = Object.entries(after ?? {}).flatMap(([section, values]) =>
    Object.entries(values).map(([key, value]) => {
      const old = before?.[section]?.[key];
      return `${section}.${key} ${old === undefined ? "" : `${String(old)} → `}${String(value)}`;
    }),
  );
  return `set ${changes.join(", ")}`;
}

export function describeChange(entry: AuditEntry): string {
  switch (entry.action) {
    case "notes":
      return `notes: “${String(entry.before ?? "")}” → “${String(entry.after ?? "")}”`;
    case "flag": {
      const reason = (entry.after as { reason?: string | null } | null)?.reason;
      return `flagged ${entry.target}${reason ? ` (${reason})` : ""}`;
    }
    case "unflag":
      return `unflagged ${entry.target}`;
    case "values":
      return describeValues(entry.before as Sections | null, entry.after as Sections | null);
    case "flag_impact":
      return `flagged ${(entry.after as { flagged?: number } | null)?.flagged ?? 0} outputs downstream`;
    default:
      return `${entry.action} ${entry.target}`;
  }
}

export function ChangeHistory({ runId }: { runId: number }) {
  const audit = useRunAudit(runId);
  return (
    <section className="card" aria-label="History of changes">
      <h3>History of changes</h3>
      {audit.isPending ? (
        <Loading label="Loading history…" />
      ) : audit.isError ? (
        <ErrorMessage error={audit.error} />
      ) : audit.data.entries.length === 0 ? (
        <p className="muted">No changes recorded: no notes edited, no output flagged.</p>
      ) : (
        <ol className="change-history">
          {audit.data.entries.map((entry) => (
            <li key={entry.id}>
              <Time iso={entry.at} /> <strong>{entry.actor}</strong>{" "}
              <span className="break">{describeChange(entry)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
