// The live training chart (Chart.js): loss per step, and the held-out score after each epoch on a second
// axis. Only the pieces used are registered, to keep the bundle small. Where the canvas cannot draw (a
// browser that blocks canvas, or a test document), there is no chart and training goes on without it.

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
  private readonly chart: Chart<'line', { x: number; y: number }[]> | undefined;

  constructor(canvas: HTMLCanvasElement) {
    const context = canvas.getContext('2d');
    if (!context) return;
    this.chart = new Chart(context, {
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
    if (!this.chart) return;
    for (const d of this.chart.data.datasets) d.data = [];
    this.chart.data.datasets[1]!.label = score;
    const axis = this.chart.options.scales?.score;
    if (axis) axis.title = { display: true, text: score };
    this.chart.update();
  }

  addLoss(step: number, loss: number): void {
    this.add(0, step, loss);
  }

  addScore(step: number, value: number): void {
    this.add(1, step, value);
  }

  private add(dataset: number, x: number, y: number): void {
    if (!this.chart) return;
    this.chart.data.datasets[dataset]!.data.push({ x, y });
    this.chart.update('none');
  }
}
