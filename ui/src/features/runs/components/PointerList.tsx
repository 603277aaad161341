// A run's inputs or outputs: each name links to its trace, with its type, flag state and toggle, and
// a download link with the size when the artifact store holds its bytes.

import { Link } from "react-router-dom";
import { FlaggedBadge } from "../../../components/StatusBadge";
import { Empty } from "../../../components/QueryState";
import { apiUrl, seg } from "../../../lib/apiClient";
import { formatBytes } from "../../../lib/format";
import { paths } from "../../../lib/paths";
import type { Artifact, RunPointer } from "../../../lib/types";
import { FlagToggle } from "../../flags/components/FlagToggle";

export function PointerList({
  title,
  pointers,
  withFlags = true,
  stored = [],
}: {
  title: string;
  pointers: RunPointer[];
  withFlags?: boolean;
  /** The run's outputs whose bytes are in the artifact store (matched by name and hash). */
  stored?: Artifact[];
}) {
  return (
    <section className="pointer-list" aria-label={title}>
      <h3>{title}</h3>
      {pointers.length === 0 ? (
        <Empty>None.</Empty>
      ) : (
        <ul>
          {pointers.map((pointer) => (
            <li key={pointer.name} className={pointer.flagged ? "pointer is-flagged" : "pointer"}>
              <Link to={paths.trace(pointer.name)} className="mono pointer-name" title="Trace">
                {pointer.name}
              </Link>
              <span className={`type type-${pointer.type}`}>{pointer.type}</span>
              {pointer.flagged ? <FlaggedBadge /> : null}
              {withFlags ? <FlagToggle outputId={pointer.name} flagged={pointer.flagged} /> : null}
              <DownloadLink
                artifact={stored.find(
                  (a) => a.name === pointer.name && a.hash === pointer.value_hash,
                )}
              />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function DownloadLink({ artifact }: { artifact: Artifact | undefined }) {
  if (!artifact) return null;
  const file = artifact.name.split("/").pop() || artifact.hash;
  return (
    <a
      className="download"
      href={apiUrl(`/artifacts/${seg(artifact.hash)}`, { name: artifact.name })}
      download={file}
      aria-label={`Download ${artifact.name} (${formatBytes(artifact.size)})`}
    >
      ⤓ {formatBytes(artifact.size)}
    </a>
  );
}
