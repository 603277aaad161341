// A run's inputs or outputs: each name links to its trace, with its type, flag state and toggle.

import { Link } from "react-router-dom";
import { FlaggedBadge } from "../../../components/StatusBadge";
import { Empty } from "../../../components/QueryState";
import { paths } from "../../../lib/paths";
import type { RunPointer } from "../../../lib/types";
import { FlagToggle } from "../../flags/components/FlagToggle";

export function PointerList({
  title,
  pointers,
  withFlags = true,
}: {
  title: string;
  pointers: RunPointer[];
  withFlags?: boolean;
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
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
