// The tag view (/tag/:tag): every component carrying the tag, with its recent runs.

import { Link } from "react-router-dom";
import { usePathSegment } from "../../../lib/usePathSegment";
import { Empty, ErrorMessage, Loading } from "../../../components/QueryState";
import { paths } from "../../../lib/paths";
import { RunSummary } from "../../runs/components/RunSummary";
import { useTagComponents } from "../api/getTagComponents";

export function TagView() {
  const tag = usePathSegment(2);
  const query = useTagComponents(tag);

  return (
    <div className="view">
      <h1>Tag {tag}</h1>
      {query.isPending ? (
        <Loading label="Loading components…" />
      ) : query.isError ? (
        <ErrorMessage error={query.error} />
      ) : query.data.components.length === 0 ? (
        <Empty>No component has the tag {tag}.</Empty>
      ) : (
        query.data.components.map((component) => (
          <section key={component.name} className="tag-component" aria-label={component.name}>
            <header className="section-head">
              <h2>
                <Link to={paths.history(component.name, 10)}>{component.name}</Link>
              </h2>
              {component.owner ? <span className="muted">owner {component.owner}</span> : null}
            </header>
            {component.description ? <p className="description">{component.description}</p> : null}
            {component.tags.length > 1 ? (
              <ul className="chips" aria-label="Tags">
                {component.tags.map((t) => (
                  <li key={t}>
                    <Link to={paths.tag(t)} className="chip">
                      {t}
                    </Link>
                  </li>
                ))}
              </ul>
            ) : null}
            {component.recent_runs.length === 0 ? (
              <Empty>No runs yet.</Empty>
            ) : (
              <ol
                className="run-list run-list-grid"
                aria-label={`Recent runs of ${component.name}`}
              >
                {component.recent_runs.map((run) => (
                  <li key={run.id}>
                    <RunSummary run={run} />
                  </li>
                ))}
              </ol>
            )}
          </section>
        ))
      )}
    </div>
  );
}
