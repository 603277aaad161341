// The one HTTP client for /api/v1: builds URLs, sends JSON with the tab's API token, and turns error bodies
// into ApiError (a 401 also calls for a token: lib/token.ts).

import { currentToken, requestToken } from "./token";

export const API_BASE = "/api/v1";

/** An error answered by the API (`{"error": {"code", "message", "details"}}`) or by the network. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(
    status: number,
    code: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

type QueryValue = string | number | boolean | null | undefined;

/** Builds `/api/v1<path>?query`, leaving out empty query values. Path segments must already be encoded. */
export function apiUrl(path: string, query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const qs = params.toString();
  return `${API_BASE}${path}${qs ? `?${qs}` : ""}`;
}

/** Encodes one path segment (an output id may hold `/`, `#`, `?`, `%`, spaces). */
export const seg = (value: string | number): string => encodeURIComponent(String(value));

async function toApiError(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's error page, say): fall through to a generic message.
  }
  const err = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)
    ?.error;
  if (err && typeof err.message === "string") {
    return new ApiError(
      response.status,
      typeof err.code === "string" ? err.code : "internal",
      err.message,
      (err.details as Record<string, unknown>) ?? {},
    );
  }
  return new ApiError(
    response.status,
    response.status >= 500 ? "internal" : "bad_request",
    `The server answered ${response.status} ${response.statusText}`.trim(),
  );
}

export interface RequestOptions {
  method?: "GET" | "PUT" | "POST" | "DELETE";
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal;
}

/** Sends one request to the API and returns its parsed JSON body, or throws ApiError. */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = "GET", query, body, signal } = options;
  const token = currentToken();
  let response: Response;
  try {
    response = await fetch(apiUrl(path, query), {
      method,
      signal,
      headers: {
        Accept: "application/json",
        ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw new ApiError(0, "network", "Cannot reach the mltrace server.");
  }
  if (!response.ok) {
    const error = await toApiError(response);
    if (response.status === 401) requestToken({ message: error.message, refused: token !== null });
    throw error;
  }
  return (await response.json()) as T;
}

/** A readable one-line message for any error a query or mutation may throw. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError && error.status === 401)
    return `Not signed in: ${error.message} Enter an API token when the console asks for one.`;
  if (error instanceof ApiError && error.status === 403)
    return `Not allowed with this token: ${error.message}`;
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
