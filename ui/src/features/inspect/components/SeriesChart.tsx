// One step series as a line chart (x = step): NaN and Infinity as gaps, a long series thinned.

import {
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
  type TooltipContentProps,
} from "recharts";
import { ChartTooltipBox, formatTick } from "../../../components/ChartTooltip";
import { formatChartValue, plotValue, thinSeries } from "../../../lib/chartValues";
import { count, formatTime } from "../../../lib/format";
import type { SeriesPoint } from "../../../lib/types";

const CHART_HEIGHT = 180;
/** Points a chart draws at most (a series of 100,000 steps is thinned, keeping its peaks and gaps). */
const MAX_POINTS = 1000;
/** Up to this many points, each gets a dot; a longer line is drawn as a line only. */
const DOTS_UP_TO = 25;

interface PlotPoint extends SeriesPoint {
  y: number | null;
}

function StepTooltip({ active, payload, seriesKey }: TooltipContentProps & { seriesKey: string }) {
  const point = active ? (payload?.[0]?.payload as PlotPoint | undefined) : undefined;
  if (!point) return null;
  const rows: [string, string][] = [[seriesKey, formatChartValue(point.value)]];
  if (point.logged) rows.push(["Logged", formatTime(point.logged)]);
  return <ChartTooltipBox title={`Step ${point.step}`} rows={rows} />;
}

export function SeriesChart({ seriesKey, points }: { seriesKey: string; points: SeriesPoint[] }) {
  const plotted = thinSeries(
    points.map((p) => ({ ...p, y: plotValue(p.value) })),
    (p) => p.y,
    MAX_POINTS,
  );
  const gaps = points.filter((p) => plotValue(p.value) === null).length;
  return (
    <figure className="chart card" aria-label={`${seriesKey} by step`}>
      <figcaption className="chart-title">
        <span className="mono">{seriesKey}</span>{" "}
        <span className="muted">
          {count(points.length, "step")}
          {gaps > 0 ? `, ${count(gaps, "value")} not finite (gaps)` : ""}
        </span>
      </figcaption>
      <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
        <LineChart data={plotted} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid vertical={false} />
          <XAxis
            dataKey="step"
            type="number"
            domain={["dataMin", "dataMax"]}
            allowDecimals={false}
            tickFormatter={formatTick}
            minTickGap={16}
            className="chart-axis"
          />
          <YAxis
            width={44}
            tickFormatter={formatTick}
            domain={["auto", "auto"]}
            className="chart-axis"
          />
          <Tooltip
            content={(props) => <StepTooltip {...props} seriesKey={seriesKey} />}
            isAnimationActive={false}
            cursor={{ className: "chart-cursor" }}
          />
          <Line
            dataKey="y"
            name={seriesKey}
            className="chart-line"
            type="linear"
            connectNulls={false}
            isAnimationActive={false}
            dot={
              plotted.length <= DOTS_UP_TO
                ? { r: 2.5, className: "chart-point chart-point-usual" }
                : false
            }
            activeDot={{ r: 4, className: "chart-point chart-point-usual" }}
          />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
