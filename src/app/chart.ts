// The live training chart (Chart.js): loss per step, and the held-out score after each epoch on a second
// axis. Only the pieces used are registered, to keep the bundle small.

import {
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip);

export class TrainingChart {
  private readonly chart: Chart<'line', { x: number; y: number }[]>;

  constructor(canvas: HTMLCanvasElement) {
    this.chart = new Chart(canvas, {
      type: 'line',
      data: {
        datasets: [
          { label: 'training loss', data: [], borderColor: '#3b6fd8', pointRadius: 0, yAxisID: 'loss' },
          { label: 'held-out score', data: [], borderColor: '#c2410c', pointRadius: 3, yAxisID: 'score' },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        scales: {
          x: { type: 'linear', title: { display: true, text: 'step' } },
          loss: { type: 'linear', position: 'left', title: { display: true, text: 'loss' } },
          score: { type: 'linear', position: 'right', grid: { drawOnChartArea: false } },
        },
      },
    });
  }

  /** Starts a new run; `score` names the held-out metric on the right axis. */
  reset(score: string): void {
    for (const d of this.chart.data.datasets) d.data = [];
    this.chart.data.datasets[1]!.label = score;
    const axis = this.chart.options.scales?.score;
    if (axis) axis.title = { display: true, text: score };
    this.chart.update();
  }

  addLoss(step: number, loss: number): void {
    this.chart.data.datasets[0]!.data.push({ x: step, y: loss });
    this.chart.update('none');
  }

  addScore(step: number, value: number): void {
    this.chart.data.datasets[1]!.data.push({ x: step, y: value });
    this.chart.update('none');
  }

  /** The points drawn so far (for tests and screen readers' summaries). */
  points(): { loss: number; scores: number } {
    const [loss, scores] = this.chart.data.datasets;
    return { loss: loss!.data.length, scores: scores!.data.length };
  }
}
