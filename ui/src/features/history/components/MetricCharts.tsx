// Each numeric metric of a component's listed runs over time: one small line chart per metric, the
// points of failed, flagged, suspect and far-from-the-median runs in their own colours, one legend.

import type { MouseEvent } from "react";
import { useNavigate } from "react-router-dom";
import {
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
  type DotItemDotProps,
  type TooltipContentProps,
} from "recharts";
import { ChartTooltipBox, formatTick } from "../../../components/ChartTooltip";
import { formatChartValue } from "../../../lib/chartValues";
import { formatTime } from "../../../lib/format";
import { paths } from "../../../lib/paths";
import type { Run } from "../../../lib/types";
import {
  MARK_LABELS,
  marksUsed,
  metricSeries,
  type MetricPoint,
  type MetricSeries,
} from "../metricPoints";

const CHART_HEIGHT = 170;
const dayFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

function pointLabel(key: string, point: MetricPoint): string {
  const why = point.mark === "usual" ? "" : `, ${MARK_LABELS[point.mark]}`;
  return `Run ${point.runId}: ${key} ${formatChartValue(point.value)} at ${formatTime(point.start)}${why}`;
}

/** One point: a link to its run (click or Enter), coloured by its mark. */
function PointDot({ props, metric }: { props: DotItemDotProps; metric: string }) {
  const navigate = useNavigate();
  const point = props.payload as MetricPoint;
  if (point.y === null || props.cx === undefined || props.cy === undefined) return null;
  const href = paths.inspect(point.runId);
  const open = (event: MouseEvent) => {
    event.preventDefault();
    navigate(href);
  };
  return (
    <a
      href={href}
      onClick={open}
      aria-label={pointLabel(metric, point)}
      className="chart-point-link"
    >
      <circle
        cx={props.cx}
        cy={props.cy}
        r={point.mark === "usual" ? 3.5 : 5}
        className={`chart-point chart-point-${point.mark}`}
        data-run-id={point.runId}
      />
    </a>
  );
}

function PointTooltip({ active, payload, metric }: TooltipContentProps & { metric: string }) {
  const point = active ? (payload?.[0]?.payload as MetricPoint | undefined) : undefined;
  if (!point) return null;
  const rows: [string, string][] = [
    ["Started", formatTime(point.start)],
    [metric, formatChartValue(point.value)],
  ];
  if (point.mark !== "usual") rows.push(["Note", MARK_LABELS[point.mark]]);
  return <ChartTooltipBox title={`Run ${point.runId}`} rows={rows} />;
}

function MetricChart({ series }: { series: MetricSeries }) {
  const { key, points } = series;
  return (
    <figure className="chart card" aria-label={`${key} over time`}>
      <figcaption className="chart-title mono">{key}</figcaption>
      <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
        <LineChart data={points} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid vertical={false} />
          <XAxis
            dataKey="time"
            type="number"
            scale="time"
            domain={["dataMin", "dataMax"]}
            padding={{ left: 10, right: 10 }}
            tickFormatter={(t: number) => dayFormat.format(t)}
            minTickGap={24}
            className="chart-axis"
          />
          <YAxis
            width={44}
            tickFormatter={formatTick}
            domain={["auto", "auto"]}
            allowDecimals
            className="chart-axis"
          />
          <Tooltip
            content={(props) => <PointTooltip {...props} metric={key} />}
            isAnimationActive={false}
            cursor={{ className: "chart-cursor" }}
          />
          <Line
            dataKey="y"
            name={key}
            className="chart-line"
            type="linear"
            connectNulls={false}
            isAnimationActive={false}
            dot={(props) => <PointDot key={props.index} props={props} metric={key} />}
            activeDot={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** Nothing when no listed run has a numeric metric. */
export function MetricCharts({ runs }: { runs: Run[] }) {
  const series = metricSeries(runs);
  if (series.length === 0) return null;
  const marks = marksUsed(series);
  return (
    <section className="charts" aria-label="Metrics over time">
      <h2>Metrics over time</h2>
      {marks.length > 1 ? (
        <ul className="chart-legend" aria-label="Legend">
          {marks.map((mark) => (
            <li key={mark}>
              <svg width="12" height="12" aria-hidden="true">
                <circle cx="6" cy="6" r="5" className={`chart-point chart-point-${mark}`} />
              </svg>
              {MARK_LABELS[mark]}
            </li>
          ))}
        </ul>
      ) : null}
      <div className="chart-grid-list">
        {series.map((s) => (
          <MetricChart key={s.key} series={s} />
        ))}
      </div>
    </section>
  );
}
