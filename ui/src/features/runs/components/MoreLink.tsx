// "+N more": the inputs or outputs a list of runs leaves out, linking to the run page that has them all.

import { Link } from "react-router-dom";
import { paths } from "../../../lib/paths";

export function MoreLink({
  runId,
  hidden,
  what,
}: {
  runId: number;
  hidden: number;
  what: "inputs" | "outputs";
}) {
  if (hidden <= 0) return null;
  return (
    <Link to={paths.inspect(runId)} className="more-link" onClick={(e) => e.stopPropagation()}>
      +{hidden} more<span className="sr-only"> {hidden === 1 ? what.slice(0, -1) : what}</span>
    </Link>
  );
}
