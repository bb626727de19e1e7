import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'preact/hooks';

export interface Series {
  label: string;
  color: string;
}

/** Rates over time (uPlot): x in seconds since the epoch, one line per series, per second. */
export function RateChart({
  times,
  values,
  series,
}: {
  times: number[];
  values: number[][];
  series: Series[];
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  useEffect(() => {
    plot.current = new uPlot(
      {
        width: Math.min(720, host.current!.clientWidth || 640),
        height: 180,
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2 }))],
        axes: [{}, { label: 'per second', size: 60 }],
        scales: {
          // why: the last five minutes, even while there are only a few samples
          x: { time: true, range: (_u, _min, max) => [max - 300, max] },
          y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.2)] },
        },
      },
      [times, ...values],
      host.current!,
    );
    return () => plot.current?.destroy();
  }, [series.map((s) => s.label).join()]);
  useEffect(() => {
    plot.current?.setData([times, ...values]);
  }, [times, values]);
  return (
    <div
      class="chart"
      ref={host}
      role="img"
      aria-label={`Rates per second: ${series.map((s) => s.label).join(', ')}`}
    />
  );
}
