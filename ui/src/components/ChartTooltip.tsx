// The box a chart shows on hover: a title and label/value rows, styled by the theme (recharts draws it).

import type { ReactNode } from "react";

export function ChartTooltipBox({
  title,
  rows,
}: {
  title: ReactNode;
  rows: [label: string, value: ReactNode][];
}) {
  return (
    <div className="chart-tooltip">
      <strong>{title}</strong>
      <dl>
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

/** Axis numbers short: 1.2k, 0.031, 45000 → 45k. */
export function formatTick(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${+(value / 1e6).toPrecision(3)}M`;
  if (abs >= 1e4) return `${+(value / 1e3).toPrecision(3)}k`;
  return String(+value.toPrecision(3));
}
