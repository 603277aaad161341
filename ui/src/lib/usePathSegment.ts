// Reads one decoded segment of the current path, e.g. the id in /trace/<id>.

import { useLocation } from "react-router-dom";

/**
 * React Router decodes `%2F` inside a parameter a second time (an id spelled `a%2Fb` would come
 * back as `a/b`), so ids are read from the still-encoded pathname and decoded exactly once.
 */
export function usePathSegment(position: number): string {
  const { pathname } = useLocation();
  const raw = pathname.split("/")[position] ?? "";
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
