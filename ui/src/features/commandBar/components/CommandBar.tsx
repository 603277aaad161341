// The always-visible command bar: parses a command line, completes it from /search, keeps history,
// and opens the command's view (flag/unflag first call the API).

import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import { useLocation, useNavigate } from "react-router-dom";
import { errorMessage } from "../../../lib/apiClient";
import { completionContext, parseCommand } from "../../../lib/commandParser";
import { pathForCommand } from "../../../lib/paths";
import { useClearFlag } from "../../flags/api/clearFlag";
import { useSetFlag } from "../../flags/api/setFlag";
import { useSearch } from "../api/search";
import { useCommandHistory } from "../hooks/useCommandHistory";
import { useDebouncedValue } from "../hooks/useDebouncedValue";
import { useGlobalShortcut } from "../hooks/useGlobalShortcut";
import { buildSuggestions, type Suggestion } from "../suggestions";

const LISTBOX_ID = "command-suggestions";
const MESSAGE_ID = "command-message";
const MAX_SUGGESTIONS = 12;
const SEARCH_DEBOUNCE_MS = 200;

export function CommandBar() {
  const navigate = useNavigate();
  const location = useLocation();
  const inputRef = useRef<HTMLInputElement>(null);
  const history = useCommandHistory();
  const setFlag = useSetFlag();
  const clearFlag = useClearFlag();

  const [value, setValue] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [browsing, setBrowsing] = useState<{ index: number; draft: string } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  useGlobalShortcut(inputRef);

  // A message belongs to the view it was shown on.
  useEffect(() => setMessage(null), [location.key]);

  const context = completionContext(value);
  const term = context.kind === "argument" || context.kind === "search" ? context.prefix : "";
  const debounced = useDebouncedValue(open ? term : "", SEARCH_DEBOUNCE_MS);
  const search = useSearch(debounced);
  const results = term && debounced ? (search.data ?? []) : [];
  const suggestions = open ? buildSuggestions(context, results).slice(0, MAX_SUGGESTIONS) : [];
  const listOpen = suggestions.length > 0;
  const activeIndex = active < suggestions.length ? active : -1;

  const edit = (next: string) => {
    setValue(next);
    setOpen(true);
    setActive(-1);
    setBrowsing(null);
    setMessage(null);
  };

  const execute = async (line: string) => {
    if (pending) return;
    const parsed = parseCommand(line);
    if (!parsed.ok) {
      setMessage(parsed.error);
      setOpen(false);
      return;
    }
    const command = parsed.command;
    history.push(line.trim());
    setValue("");
    setOpen(false);
    setBrowsing(null);
    setMessage(null);
    if (command.name === "flag" || command.name === "unflag") {
      setPending(true);
      try {
        if (command.name === "flag") await setFlag.mutateAsync({ outputId: command.outputId });
        else await clearFlag.mutateAsync(command.outputId);
        navigate(pathForCommand(command));
      } catch (error) {
        setValue(line.trim());
        setMessage(`Could not ${command.name} "${command.outputId}": ${errorMessage(error)}`);
      } finally {
        setPending(false);
      }
      return;
    }
    navigate(pathForCommand(command));
  };

  const accept = (suggestion: Suggestion) => {
    if (suggestion.incomplete) {
      edit(suggestion.line);
      inputRef.current?.focus();
    } else {
      void execute(suggestion.line);
    }
  };

  const recall = (step: 1 | -1) => {
    const { entries } = history;
    if (entries.length === 0) return;
    const current = browsing?.index ?? -1;
    const index = Math.max(-1, Math.min(entries.length - 1, current + step));
    if (index === current) return;
    const draft = browsing?.draft ?? value;
    setBrowsing(index === -1 ? null : { index, draft });
    setValue(index === -1 ? draft : (entries[entries.length - 1 - index] ?? ""));
    setOpen(false);
    setMessage(null);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (listOpen) setActive((activeIndex + 1) % suggestions.length);
        else recall(-1);
        break;
      case "ArrowUp":
        event.preventDefault();
        if (listOpen) setActive(activeIndex <= 0 ? suggestions.length - 1 : activeIndex - 1);
        else recall(1);
        break;
      case "Tab": {
        const chosen = suggestions[activeIndex] ?? suggestions[0];
        if (listOpen && chosen && !event.shiftKey) {
          event.preventDefault();
          edit(chosen.line);
          if (!chosen.incomplete) setOpen(false);
        }
        break;
      }
      case "Enter": {
        event.preventDefault();
        const chosen = suggestions[activeIndex];
        if (listOpen && chosen) accept(chosen);
        else void execute(value);
        break;
      }
      case "Escape":
        if (listOpen) setOpen(false);
        else if (value) edit("");
        else inputRef.current?.blur();
        break;
    }
  };

  return (
    <div className="command-bar">
      <form
        className="command-form"
        onSubmit={(event) => {
          event.preventDefault();
          void execute(value);
        }}
      >
        <label htmlFor="command-input" className="sr-only">
          Command
        </label>
        <div className="command-field">
          <span className="command-prompt" aria-hidden="true">
            ›
          </span>
          <input
            ref={inputRef}
            id="command-input"
            type="text"
            role="combobox"
            aria-autocomplete="list"
            aria-expanded={listOpen}
            aria-controls={LISTBOX_ID}
            aria-activedescendant={activeIndex >= 0 ? `command-option-${activeIndex}` : undefined}
            aria-describedby={message ? MESSAGE_ID : "command-hint"}
            aria-invalid={message ? true : undefined}
            autoComplete="off"
            autoCapitalize="off"
            autoCorrect="off"
            spellCheck={false}
            placeholder="Type a command, e.g. trace data/clean.csv or help"
            value={value}
            onChange={(event) => edit(event.target.value)}
            onKeyDown={onKeyDown}
            onBlur={() => setOpen(false)}
            onFocus={() => value && setOpen(true)}
          />
          <kbd className="command-kbd hide-narrow" aria-hidden="true">
            /
          </kbd>
          <span id="command-hint" className="sr-only">
            Type a command and press Enter. Type help to list the commands.
          </span>
          <ul
            id={LISTBOX_ID}
            role="listbox"
            aria-label="Suggestions"
            className="command-suggestions"
            hidden={!listOpen}
          >
            {suggestions.map((suggestion, index) => (
              <li
                key={`${suggestion.line}|${index}`}
                id={`command-option-${index}`}
                role="option"
                aria-selected={index === activeIndex}
                className={index === activeIndex ? "is-active" : undefined}
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => accept(suggestion)}
              >
                <span className="suggestion-label">{suggestion.label}</span>
                <span className="suggestion-detail">{suggestion.detail}</span>
              </li>
            ))}
          </ul>
        </div>
        <button type="submit" className="button command-run" disabled={pending}>
          {pending ? "…" : "Run"}
        </button>
      </form>
      {message ? (
        <p id={MESSAGE_ID} className="command-message" role="alert">
          {message}
        </p>
      ) : null}
    </div>
  );
}
