/** Small statistics for the bench: medians of per-round figures, and a least-squares slope. */

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** The slope of the least-squares line through (x, y). */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** The ratio of the least of `a` to the least of `b`, as read by `of`: each side at its least disturbed. */
export function bestRatio<T>(a: readonly T[], b: readonly T[], of: (x: T) => number): number {
  return Math.min(...a.map(of)) / Math.min(...b.map(of));
}

export const ratios = (xs: readonly number[]): string => xs.map((r) => r.toFixed(2)).join(', ');

/** Time spent per kind of step, and how many: filled by a timed replay (`StepTimes.add`). */
export class StepTimes {
  readonly byOp = new Map<string, { steps: number; ms: number }>();

  add(op: string, ms: number): void {
    const entry = this.byOp.get(op);
    if (entry === undefined) this.byOp.set(op, { steps: 1, ms });
    else {
      entry.steps++;
      entry.ms += ms;
    }
  }

  /** Runs `work`, adding its time under `op`, thrown or not. Both sides time their steps through it. */
  async time(op: string, work: () => Promise<void>): Promise<void> {
    const started = performance.now();
    try {
      await work();
    } finally {
      this.add(op, performance.now() - started);
    }
  }

  total(): number {
    let ms = 0;
    for (const entry of this.byOp.values()) ms += entry.ms;
    return ms;
  }
}
