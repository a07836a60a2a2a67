// Chart.js, loaded the first time a chart is drawn (pages without charts never fetch it), with only
// the pieces the results charts use; and the colours they share, told apart by shape as well.
import type { Chart as ChartClass } from 'chart.js';

export type ChartConstructor = typeof ChartClass;

let loading: Promise<ChartConstructor> | null = null;

export function loadChart(): Promise<ChartConstructor> {
  loading ??= import('chart.js').then(
    ({ Chart, BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend }) => {
      Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);
      Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
      Chart.defaults.font.size = 13;
      Chart.defaults.color = '#505a66';
      return Chart;
    },
    (error: unknown) => {
      loading = null; // the next chart tries again
      throw error;
    },
  );
  return loading;
}

/** Calls light, conversations dark blue, new members orange: apart for most colour vision, and by shape. */
export const COLOURS = {
  calls: '#9dbcd4',
  conversations: '#1d5a85',
  reached: '#5b8db3',
  recruits: '#c75b00',
  grid: '#e4e7ea',
} as const;
