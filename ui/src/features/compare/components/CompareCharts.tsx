// The compare view's charts (recharts, loaded with them): a line chart per step metric, a line per
// run, and a bar chart per run-level metric, a bar per run. Colours match the table's swatches.

import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { count, formatValue } from "../../../lib/format";
import type { Comparison } from "../api/getComparison";
import { barChartData, numericMetrics, runColor, runKey, stepChartData } from "../compareRows";

const HEIGHT = 220;
const TOOLTIP_STYLE = {
  background: "var(--surface)",
  border: "1px solid var(--border)",
  borderRadius: "var(--radius)",
  color: "var(--text)",
  fontSize: "0.8rem",
};
const AXIS = { fontSize: 12 };
const tickValue = (value: unknown) => formatValue(value);

function StepChart({ comparison, metricKey }: { comparison: Comparison; metricKey: string }) {
  const data = stepChartData(comparison, metricKey);
  const metric = comparison.series.find((m) => m.key === metricKey)!;
  const colours = new Map(comparison.runs.map((run, i) => [run.id, runColor(i)]));
  const sampled = metric.runs.some((s) => s.count > s.steps.length);
  return (
    <figure className="card compare-chart" aria-label={`${metricKey} by step`} data-chart="step">
      <figcaption>
        <strong>{metricKey}</strong>{" "}
        <span className="muted">
          by step · {count(metric.runs.length, "run")}
          {sampled ? " · sampled" : ""}
        </span>
      </figcaption>
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <LineChart data={data} margin={{ top: 8, right: 12, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="step" type="number" domain={["dataMin", "dataMax"]} tick={AXIS} />
          <YAxis tick={AXIS} width={48} tickFormatter={tickValue} />
          <Tooltip
            contentStyle={TOOLTIP_STYLE}
            formatter={tickValue}
            labelFormatter={(step) => `step ${step}`}
            itemSorter={(item) => -(Number(item.value) || 0)}
          />
          {metric.runs.map((series) => (
            <Line
              key={series.run_id}
              dataKey={runKey(series.run_id)}
              name={`Run ${series.run_id}`}
              stroke={colours.get(series.run_id)}
              strokeWidth={1.5}
              dot={false}
              connectNulls
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

function MetricBars({ comparison, rowKey }: { comparison: Comparison; rowKey: string }) {
  const row = comparison.rows.find((r) => r.group === "metrics" && r.key === rowKey)!;
  return (
    <figure className="card compare-chart" aria-label={`${rowKey} per run`} data-chart="bar">
      <figcaption>
        <strong>{rowKey}</strong> <span className="muted">per run</span>
      </figcaption>
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <BarChart
          data={barChartData(comparison, row)}
          margin={{ top: 8, right: 12, bottom: 4, left: 0 }}
        >
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="run" tick={AXIS} interval="preserveStartEnd" />
          <YAxis tick={AXIS} width={48} tickFormatter={tickValue} />
          <Tooltip
            contentStyle={TOOLTIP_STYLE}
            formatter={tickValue}
            cursor={{ fillOpacity: 0.15 }}
          />
          <Bar dataKey="value" name={rowKey} isAnimationActive={false}>
            {comparison.runs.map((run, i) => (
              <Cell key={run.id} fill={runColor(i)} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

export default function CompareCharts({ comparison }: { comparison: Comparison }) {
  const metrics = numericMetrics(comparison);
  if (comparison.series.length === 0 && metrics.length === 0) return null;
  return (
    <div className="compare-chart-sections">
      {comparison.series.length > 0 ? (
        <section aria-labelledby="compare-steps" className="compare-section">
          <h2 id="compare-steps">Step metrics</h2>
          <div className="compare-charts">
            {comparison.series.map((metric) => (
              <StepChart key={metric.key} comparison={comparison} metricKey={metric.key} />
            ))}
          </div>
        </section>
      ) : null}
      {metrics.length > 0 ? (
        <section aria-labelledby="compare-metrics" className="compare-section">
          <h2 id="compare-metrics">Metrics</h2>
          <div className="compare-charts">
            {metrics.map((row) => (
              <MetricBars key={row.key} comparison={comparison} rowKey={row.key} />
            ))}
          </div>
        </section>
      ) : null}
    </div>
  );
}
