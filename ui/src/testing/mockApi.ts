// A Vite dev-server plugin answering /api/v1 from the sample fixtures, for working on the UI
// without the Python server (`npm run dev:mock`). It follows docs/API.md, simply.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Plugin } from "vite";
import type { Run, RunPointer, TraceEdge, TraceNode } from "../lib/types";
import { makeFixtures, type FixtureRun } from "./fixtures";

type Handler = (
  params: string[],
  query: URLSearchParams,
  body: unknown,
) => { status?: number; body: unknown };

const PREVIEW = 10;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function createMockApi() {
  const data = makeFixtures();
  const byId = new Map(data.runs.map((run) => [run.id, run]));
  const writers = new Map<string, FixtureRun[]>();
  const readers = new Map<string, FixtureRun[]>();
  for (const run of data.runs) {
    run.outputs.forEach((p) => writers.set(p.name, [...(writers.get(p.name) ?? []), run]));
    run.inputs.forEach((p) => readers.set(p.name, [...(readers.get(p.name) ?? []), run]));
  }

  const withFlags = (pointers: RunPointer[]) =>
    pointers.map((p) => ({ ...p, flagged: data.flags.has(p.name) }));
  // Lists of runs carry the first PREVIEW inputs and outputs, sorted by name; the run page all.
  const listed = (pointers: RunPointer[], detail: boolean) =>
    detail
      ? pointers
      : pointers.slice(0, PREVIEW).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const toRun = (run: FixtureRun, detail = false): Run => {
    const { code_snapshot, ...rest } = run;
    return {
      ...rest,
      inputs: withFlags(listed(run.inputs, detail)),
      outputs: withFlags(listed(run.outputs, detail)),
      ...(detail ? { code_snapshot } : {}),
    };
  };
  const runOf = (raw: string | undefined) => {
    if (!raw || !/^\d+$/.test(raw)) throw new HttpError(400, "bad_request", `Bad run id '${raw}'.`);
    const run = byId.get(Number(raw));
    if (!run) throw new HttpError(404, "not_found", `No run with id ${raw}.`);
    return run;
  };
  const pointerExists = (name: string) => writers.has(name) || readers.has(name);
  const pointerJson = (name: string) => {
    const flag = data.flags.get(name);
    const any = (writers.get(name) ?? readers.get(name) ?? [])[0];
    const p = [...(any?.outputs ?? []), ...(any?.inputs ?? [])].find((x) => x.name === name);
    return {
      name,
      type: p?.type ?? "unknown",
      value_hash: p?.value_hash ?? null,
      flagged: Boolean(flag),
      flag_reason: flag?.reason ?? null,
      flagged_at: flag?.flagged_at ?? null,
    };
  };
  const limitOf = (query: URLSearchParams, fallback: number) => {
    const raw = query.get("limit");
    if (raw === null) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 500) {
      throw new HttpError(400, "validation_error", "limit must be between 1 and 500.");
    }
    return Number(raw);
  };

  function trace(outputId: string, direction: string, depth: number | null) {
    if (!pointerExists(outputId)) throw new HttpError(404, "not_found", `No output '${outputId}'.`);
    const nodes = new Map<string, TraceNode>();
    const edges = new Map<string, TraceEdge>();
    const addPointer = (p: RunPointer) =>
      nodes.set(`pointer:${p.name}`, {
        id: `pointer:${p.name}`,
        kind: "pointer",
        name: p.name,
        type: p.type,
        flagged: data.flags.has(p.name),
      });
    const addRun = (r: FixtureRun) =>
      nodes.set(`run:${r.id}`, {
        id: `run:${r.id}`,
        kind: "run",
        run_id: r.id,
        component: r.component,
        start: r.start,
        end: r.end,
        status: r.status,
        stale: r.stale,
      });
    const edge = (source: string, target: string) =>
      edges.set(`${source}>${target}`, { source, target });
    const root = `pointer:${outputId}`;
    addPointer(pointerJson(outputId));
    const seen = new Set<number>();
    if (direction === "upstream") {
      const producer = (writers.get(outputId) ?? []).at(-1);
      let frontier = producer ? [producer] : [];
      if (producer) edge(`run:${producer.id}`, root);
      for (let level = 1; frontier.length > 0 && (depth === null || level <= depth); level++) {
        const next: FixtureRun[] = [];
        for (const run of frontier) {
          if (seen.has(run.id)) continue;
          seen.add(run.id);
          addRun(run);
          for (const p of run.outputs) {
            if (p.name === outputId || run === producer) {
              addPointer(p);
              edge(`run:${run.id}`, `pointer:${p.name}`);
            }
          }
          for (const p of run.inputs) {
            addPointer(p);
            edge(`pointer:${p.name}`, `run:${run.id}`);
            const dep = run.dependencies
              .map((id) => byId.get(id)!)
              .find((d) => d.outputs.some((o) => o.name === p.name));
            if (dep && (depth === null || level < depth)) {
              edge(`run:${dep.id}`, `pointer:${p.name}`);
              next.push(dep);
            }
          }
        }
        frontier = next;
      }
    } else {
      let frontier = readers.get(outputId) ?? [];
      for (let level = 1; frontier.length > 0 && (depth === null || level <= depth); level++) {
        const next: FixtureRun[] = [];
        for (const run of frontier) {
          if (seen.has(run.id)) continue;
          seen.add(run.id);
          addRun(run);
          run.inputs
            .filter((p) => nodes.has(`pointer:${p.name}`))
            .forEach((p) => edge(`pointer:${p.name}`, `run:${run.id}`));
          for (const p of run.outputs) {
            addPointer(p);
            edge(`run:${run.id}`, `pointer:${p.name}`);
            next.push(
              ...(readers.get(p.name) ?? []).filter((r) => r.dependencies.includes(run.id)),
            );
          }
        }
        frontier = next;
      }
    }
    return { root, direction, nodes: [...nodes.values()], edges: [...edges.values()] };
  }

  const routes: [string, RegExp, Handler][] = [
    ["GET", /^\/health$/, () => ({ body: { status: "ok", version: "mock", database: "sqlite" } })],
    [
      "GET",
      /^\/runs$/,
      (_, q) => {
        const limit = limitOf(q, 20);
        const before = q.get("before");
        const all = [...data.runs].reverse().filter((r) => !before || r.id < Number(before));
        const page = all.slice(0, limit);
        const next = all.length > limit ? String(page.at(-1)!.id) : null;
        return { body: { runs: page.map((r) => toRun(r)), next } };
      },
    ],
    [
      "GET",
      /^\/runs\/([^/]+)$/,
      ([id]) => {
        const run = runOf(id);
        const info = data.components.find((c) => c.name === run.component) ?? null;
        return { body: { ...toRun(run, true), component_info: info } };
      },
    ],
    [
      "PUT",
      /^\/runs\/([^/]+)\/notes$/,
      ([id], _, body) => {
        const run = runOf(id);
        const notes = (body as { notes?: unknown } | null)?.notes;
        if (typeof notes !== "string")
          throw new HttpError(422, "validation_error", "notes must be a string.");
        run.notes = notes;
        return { body: toRun(run) };
      },
    ],
    [
      "GET",
      /^\/components\/([^/]+)\/runs$/,
      ([name], q) => {
        if (!data.components.some((c) => c.name === name)) {
          throw new HttpError(404, "not_found", `No component '${name}'.`);
        }
        const since = q.get("since");
        const until = q.get("until");
        const runs = [...data.runs]
          .reverse()
          .filter((r) => r.component === name)
          .filter((r) => !since || Date.parse(r.start) >= Date.parse(since))
          .filter((r) => !until || Date.parse(r.start) < Date.parse(until))
          .slice(0, limitOf(q, 10));
        return { body: { component: name, runs: runs.map((r) => toRun(r)) } };
      },
    ],
    [
      "GET",
      /^\/tags$/,
      () => ({ body: { tags: [...new Set(data.components.flatMap((c) => c.tags))].sort() } }),
    ],
    [
      "GET",
      /^\/tags\/([^/]+)\/components$/,
      ([tag]) => ({
        body: {
          tag,
          components: data.components
            .filter((c) => c.tags.includes(tag!))
            .map((c) => ({
              ...c,
              recent_runs: [...data.runs]
                .reverse()
                .filter((r) => r.component === c.name)
                .slice(0, 5)
                .map((r) => toRun(r)),
            })),
        },
      }),
    ],
    [
      "GET",
      /^\/trace$/,
      (_, q) => {
        const outputId = q.get("output_id");
        if (!outputId) throw new HttpError(400, "bad_request", "output_id is required.");
        const direction = q.get("direction") ?? "upstream";
        const depthRaw = q.get("depth");
        return { body: trace(outputId, direction, depthRaw ? Number(depthRaw) : null) };
      },
    ],
    [
      "PUT",
      /^\/flags\/(.+)$/,
      ([id], _, body) => {
        if (!pointerExists(id!)) throw new HttpError(404, "not_found", `No output '${id}'.`);
        const reason = (body as { reason?: string } | null)?.reason ?? null;
        data.flags.set(id!, { reason, flagged_at: new Date().toISOString() });
        return { body: pointerJson(id!) };
      },
    ],
    [
      "DELETE",
      /^\/flags\/(.+)$/,
      ([id]) => {
        if (!pointerExists(id!)) throw new HttpError(404, "not_found", `No output '${id}'.`);
        data.flags.delete(id!);
        return { body: pointerJson(id!) };
      },
    ],
    [
      "GET",
      /^\/flags$/,
      () => ({
        body: { flags: [...data.flags].map(([output_id, f]) => ({ output_id, ...f })) },
      }),
    ],
    [
      "GET",
      /^\/review$/,
      (_, q) => {
        const flagged = [...data.flags.keys()];
        const counts = new Map<number, number>();
        for (const id of flagged) {
          for (const node of trace(id, "upstream", null).nodes) {
            if (node.kind === "run") counts.set(node.run_id, (counts.get(node.run_id) ?? 0) + 1);
          }
        }
        const runs = [...counts]
          .map(([id, count]) => {
            const run = byId.get(id)!;
            const written = (readers.get(run.outputs[0]?.name ?? "")?.length ?? 0) + 1;
            const score = count / Math.sqrt(flagged.length * (count + written));
            return { ...toRun(run), count, coverage: count / flagged.length, score };
          })
          .sort((a, b) => b.score - a.score || b.start.localeCompare(a.start) || b.id - a.id)
          .slice(0, limitOf(q, 20));
        return { body: { flagged, runs } };
      },
    ],
    [
      "GET",
      /^\/search$/,
      (_, q) => {
        const term = (q.get("q") ?? "").toLowerCase();
        const limit = limitOf(q, 20);
        if (!term) return { body: { results: [] } };
        const results = [
          ...data.components
            .filter((c) => c.name.toLowerCase().includes(term))
            .map((c) => ({ kind: "component", value: c.name, label: c.name })),
          ...[...new Set(data.components.flatMap((c) => c.tags))]
            .filter((t) => t.toLowerCase().includes(term))
            .map((t) => ({ kind: "tag", value: t, label: t })),
          ...data.runs
            .filter((r) => String(r.id).startsWith(term))
            .map((r) => ({ kind: "run", value: String(r.id), label: `${r.id} · ${r.component}` })),
          ...[...writers.keys()]
            .filter((name) => name.toLowerCase().includes(term))
            .map((name) => ({ kind: "output", value: name, label: name })),
        ];
        return { body: { results: results.slice(0, limit) } };
      },
    ],
  ];

  return async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://mock");
    const path = url.pathname.replace(/^\/api\/v1/, "");
    let status = 200;
    let payload: unknown;
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString("utf8");
      const body: unknown = text ? JSON.parse(text) : null;
      const matching = routes.filter(([, pattern]) => pattern.test(path));
      const route = matching.find(([method]) => method === req.method);
      if (!route) {
        throw matching.length > 0
          ? new HttpError(405, "method_not_allowed", `${req.method} is not allowed here.`)
          : new HttpError(404, "not_found", `No route ${path}.`);
      }
      const params = (route[1].exec(path) ?? []).slice(1).map((p) => decodeURIComponent(p));
      const result = route[2](params, url.searchParams, body);
      status = result.status ?? 200;
      payload = result.body;
    } catch (error) {
      const e = error instanceof HttpError ? error : new HttpError(500, "internal", String(error));
      status = e.status;
      payload = { error: { code: e.code, message: e.message, details: {} } };
    }
    await new Promise((resolve) => setTimeout(resolve, 120));
    res.statusCode = status;
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify(payload));
  };
}

/** Serves the mock API under /api/v1 on the Vite dev server. */
export function mockApiPlugin(): Plugin {
  return {
    name: "mltrace-mock-api",
    configureServer(server) {
      const handle = createMockApi();
      server.middlewares.use("/api/v1", (req, res) => {
        req.url = `/api/v1${req.url ?? ""}`;
        void handle(req, res);
      });
    },
  };
}
