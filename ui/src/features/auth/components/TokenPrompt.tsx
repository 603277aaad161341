// The dialog that asks for an API token when the server answers 401, keeps it for the tab and asks every
// query again with it.

import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { onTokenRequest, storeToken, type TokenRequest } from "../../../lib/token";

export function TokenPrompt() {
  const [request, setRequest] = useState<TokenRequest | null>(null);
  const [value, setValue] = useState("");
  const queryClient = useQueryClient();
  const title = useId();
  const body = useId();
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => onTokenRequest((asked) => setRequest((open) => open ?? asked)), []);
  useEffect(() => {
    if (request) input.current?.focus();
  }, [request]);

  if (!request) return null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const token = value.trim();
    if (!token) return;
    storeToken(token);
    setValue("");
    setRequest(null);
    void queryClient.invalidateQueries();
  };
  return (
    <div className="dialog-backdrop">
      <form
        role="dialog"
        aria-modal="true"
        aria-labelledby={title}
        aria-describedby={body}
        className="dialog card"
        onSubmit={submit}
      >
        <h2 id={title}>API token needed</h2>
        <p id={body}>
          {request.refused
            ? "The server refused the token of this tab (unknown, revoked or expired). Enter another."
            : "This server requires an API token. Ask its admin for one (mltrace tokens create NAME --scope read)."}{" "}
          It is kept for this tab only.
        </p>
        <label className="field">
          <span>API token</span>
          <input
            ref={input}
            type="password"
            autoComplete="off"
            value={value}
            onChange={(event) => setValue(event.target.value)}
          />
        </label>
        <div className="row dialog-buttons">
          <button type="submit" className="button" disabled={!value.trim()}>
            Use token
          </button>
        </div>
      </form>
    </div>
  );
}
