import { BarElement, CategoryScale, Chart as ChartJS, Filler, Legend, LinearScale, LineElement, PointElement,
  Tooltip } from 'chart.js';
import { Flow, SankeyController } from 'chartjs-chart-sankey';
import { Chart, Line } from 'react-chartjs-2';

// Only the pieces the screens use are registered, so the chart chunk stays small.
ChartJS.register(CategoryScale, LinearScale, PointElement, LineElement, BarElement, Filler, Legend, Tooltip,
  SankeyController, Flow);

export interface Series {
  label: string;
  values: number[];
  color: string;
  axis?: 'left' | 'right';
}

/** A line chart over dates; a table with the same numbers is always shown next to it for screen readers. */
export function TimeChart({ labels, series, label }: { labels: string[]; series: Series[]; label: string }) {
  const twoAxes = series.some((s) => s.axis === 'right');
  return (
    <div style={{ height: 280 }}>
      <Line
        aria-label={label}
        role="img"
        fallbackContent={<p>{label}</p>}
        data={{
          labels,
          datasets: series.map((s) => ({
            label: s.label,
            data: s.values,
            borderColor: s.color,
            backgroundColor: s.color,
            pointRadius: 0,
            tension: 0.2,
            yAxisID: s.axis === 'right' ? 'right' : 'left',
          })),
        }}
        options={{
          maintainAspectRatio: false,
          animation: false,
          interaction: { mode: 'index', intersect: false },
          scales: {
            left: { type: 'linear', position: 'left', beginAtZero: true },
            ...(twoAxes ? { right: { type: 'linear', position: 'right', beginAtZero: true,
              grid: { drawOnChartArea: false } } } : {}),
          },
        }}
      />
    </div>
  );
}

export interface FlowLink {
  from: string;
  to: string;
  flow: number;
}

/** Customers moving between segments: left nodes are the from-date, right nodes the to-date. */
export function SankeyChart({ links, label }: { links: FlowLink[]; label: string }) {
  return (
    <div style={{ height: 420 }}>
      <Chart
        aria-label={label}
        role="img"
        fallbackContent={<p>{label}</p>}
        type="sankey"
        data={{
          datasets: [{
            label,
            data: links,
            colorFrom: () => '#5c6ac4',
            colorTo: () => '#47c1bf',
            colorMode: 'gradient',
          } as any],
        }}
        options={{ maintainAspectRatio: false, animation: false } as any}
      />
    </div>
  );
}
