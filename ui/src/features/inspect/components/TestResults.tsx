// The results of a run's tests (which test, before/after, passed or the error).

import { Empty } from "../../../components/QueryState";
import type { TestResult } from "../../../lib/types";

export function TestResults({ results }: { results: TestResult[] | null }) {
  return (
    <section aria-label="Test results">
      <h3>Test results</h3>
      {!results || results.length === 0 ? (
        <Empty>No tests ran.</Empty>
      ) : (
        <div className="table-scroll">
          <table className="table table-compact">
            <thead>
              <tr>
                <th scope="col">Test</th>
                <th scope="col">Check</th>
                <th scope="col">Phase</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {results.map((result, i) => (
                <tr key={`${result.test}-${result.name}-${result.phase}-${i}`}>
                  <td>{result.test}</td>
                  <td className="mono">{result.name}</td>
                  <td>{result.phase}</td>
                  <td>
                    {result.passed ? (
                      <span className="badge badge-ok">passed</span>
                    ) : (
                      <>
                        <span className="badge badge-danger">failed</span>{" "}
                        <span className="mono">{result.error}</span>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
