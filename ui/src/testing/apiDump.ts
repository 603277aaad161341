// The server's recorded answers over the demo data (api-dump.json, `make ui-fixtures`), looked up
// by request: the console's tests are answered by the real server's words, not by a second backend.

import dump from "./api-dump.json";

export interface RecordedAnswer {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  body: unknown;
}

/** Every recorded request and its answer. */
export const answers = dump as RecordedAnswer[];

/** One key per request: method, decoded path, and the query's pairs in name order. */
export function requestKey(method: string, path: string, query: Record<string, string>): string {
  const pairs = Object.entries(query).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${method} ${path} ${JSON.stringify(pairs)}`;
}

const byKey = new Map(answers.map((a) => [requestKey(a.method, a.path, a.query), a]));

/** The recorded answer to a request as the console sends it, or undefined when none was recorded. */
export function recordedAnswer(method: string, url: URL): RecordedAnswer | undefined {
  const query = Object.fromEntries(url.searchParams.entries());
  return byKey.get(requestKey(method, decodeURIComponent(url.pathname), query));
}

/** The body recorded for a GET, for tests that need to know the demo's ids; throws when absent. */
export function recorded<T>(path: string, query: Record<string, string | number> = {}): T {
  const strings = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)]));
  const answer = byKey.get(requestKey("GET", path, strings));
  if (!answer) throw new Error(`No recorded answer to GET ${path} ${JSON.stringify(query)}`);
  return answer.body as T;
}
