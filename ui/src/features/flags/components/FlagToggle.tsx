// A button that flags or unflags one output id, named "Flag <id>" / "Unflag <id>".

import { errorMessage } from "../../../lib/apiClient";
import { useClearFlag } from "../api/clearFlag";
import { useSetFlag } from "../api/setFlag";

export function FlagToggle({ outputId, flagged }: { outputId: string; flagged: boolean }) {
  const setFlag = useSetFlag();
  const clearFlag = useClearFlag();
  const pending = setFlag.isPending || clearFlag.isPending;
  const error = setFlag.error ?? clearFlag.error;

  const toggle = () => {
    setFlag.reset();
    clearFlag.reset();
    if (flagged) clearFlag.mutate(outputId);
    else setFlag.mutate({ outputId });
  };

  return (
    <span className="flag-toggle">
      <button
        type="button"
        className={flagged ? "button button-small button-flagged" : "button button-small"}
        aria-label={`${flagged ? "Unflag" : "Flag"} ${outputId}`}
        onClick={toggle}
        disabled={pending}
      >
        <span aria-hidden="true">⚑ </span>
        {pending ? "Saving…" : flagged ? "Unflag" : "Flag"}
      </button>
      {error ? (
        <span className="inline-error" role="alert">
          {errorMessage(error)}
        </span>
      ) : null}
    </span>
  );
}
