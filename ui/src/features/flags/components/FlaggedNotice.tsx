// A line saying how many outputs are flagged, with the way to the review; nothing when none are.

import { Link } from "react-router-dom";
import { count } from "../../../lib/format";
import { paths } from "../../../lib/paths";
import { useFlags } from "../api/getFlags";

export function FlaggedNotice() {
  const flags = useFlags();
  const n = flags.data?.flags.length ?? 0;
  if (n === 0) return null;
  return (
    <p className="notice notice-flag" role="status">
      <span aria-hidden="true">⚑ </span>
      {count(n, "output")} {n === 1 ? "is" : "are"} flagged.{" "}
      <Link to={paths.review()}>
        Review the runs most likely to have caused {n === 1 ? "it" : "them"}
      </Link>
    </p>
  );
}
