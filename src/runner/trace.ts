/** One executed step of a run, as printed in a counterexample. */
export interface TraceStep {
  readonly index: number;
  readonly command: string;
  /** Virtual time after the step, ms since the run started. */
  readonly at: number;
  readonly predicted: string;
  readonly observed: string;
  readonly violation?: string;
}
