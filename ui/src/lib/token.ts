// The API token the console sends, kept for this tab only (sessionStorage), and the call for one when the
// server answers 401.

const KEY = "mltrace.token";

/** Why the console needs a token: the server's message, and whether the token it sent was refused. */
export interface TokenRequest {
  message: string;
  refused: boolean;
}

type Listener = (request: TokenRequest) => void;
const listeners = new Set<Listener>();

/** The token of this tab, or null. */
export function storedToken(): string | null {
  try {
    return window.sessionStorage.getItem(KEY);
  } catch {
    return null; // storage disabled: the console then asks again after a reload
  }
}

export function storeToken(token: string): void {
  try {
    window.sessionStorage.setItem(KEY, token);
  } catch {
    memory = token;
  }
}

export function forgetToken(): void {
  try {
    window.sessionStorage.removeItem(KEY);
  } catch {
    memory = null;
  }
}

let memory: string | null = null;

/** The token to send: the tab's, or one kept in memory when storage is disabled. */
export function currentToken(): string | null {
  return storedToken() ?? memory;
}

/** Calls `listener` whenever the server asks for a token; returns the function that stops it. */
export function onTokenRequest(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Tells the listeners (the token prompt) that the server answered 401. */
export function requestToken(request: TokenRequest): void {
  for (const listener of listeners) listener(request);
}
