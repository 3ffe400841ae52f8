import type { Semantics, PoolConfig } from '../model/semantics.js';
import type { RunOutcome } from '../runner/run-once.js';
import type { Lifeline, LifelineMark, TraceStep } from '../runner/trace.js';

/**
 * What both timeline pictures draw: one recorded run (a replay) with what it ran on. Shared by
 * the terminal and the HTML renderer, which differ only in units.
 */
export interface TimelineInput {
  /** The adapter's name, for the title. */
  readonly adapter: string;
  readonly config: PoolConfig;
  /** The declared semantics, shown on the page when given. */
  readonly semantics?: Semantics;
  /** A recorded run: `replay()` records; its steps carry both sides' counters. */
  readonly outcome: RunOutcome;
}

/**
 * The step where model and pool part: the first with a violation, or whose counters differ,
 * whichever comes first; `null` when they never do.
 */
export function divergingStep(steps: readonly TraceStep[]): number | null {
  for (const s of steps) {
    if (s.violation !== undefined || countersDiffer(s)) return s.index;
  }
  return null;
}

/** Whether the pool's counters after a step differ from the model's. */
export function countersDiffer(s: TraceStep): boolean {
  const e = s.expected;
  const a = s.actual;
  return e !== undefined && a !== undefined && (e.idle !== a.idle || e.size !== a.size || e.waiting !== a.waiting);
}

/** Virtual time, short, for axis labels: `0`, `250ms`, `1.5s`, `12min`, `3.2h`. */
export function shortTime(ms: number): string {
  if (ms === 0) return '0';
  if (ms < 1000) return `${trim(ms)}ms`;
  if (ms < 120_000) return `${trim(ms / 1000)}s`;
  if (ms < 7_200_000) return `${trim(ms / 60_000)}min`;
  return `${trim(ms / 3_600_000)}h`;
}

function trim(n: number): string {
  return String(Number(n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0)));
}

/** One column per trace step, with a gap before it when virtual time passed since the last one. */
export interface Slot {
  readonly step: number;
  readonly at: number;
  /** Where the slot starts, in the renderer's units. */
  readonly x: number;
  /** The gap before it, which stands for the time from the previous step to this one. */
  readonly gap: number;
}

/**
 * The time axis. It is not to scale: every step gets a slot, so steps at the same instant stand
 * side by side, and the gap between two steps grows with the time that passed between them. A
 * deadline past the last step gets a tail after it.
 */
export interface Axis {
  readonly slots: readonly Slot[];
  readonly slotWidth: number;
  /** The tail after the last slot, standing for time up to `tailTo`, or 0. */
  readonly tail: number;
  readonly tailTo: number;
  readonly width: number;
}

export interface AxisOptions {
  readonly slotWidth: number;
  /** The width of a gap that stands for `ms` of virtual time (ms > 0). */
  readonly gapFor: (ms: number, stepIndex: number) => number;
  /** Steps to draw, from this index on (earlier ones are left out to fit). */
  readonly from?: number;
  /** The last step to draw (inclusive); default the last one. */
  readonly to?: number;
}

export function buildAxis(steps: readonly TraceStep[], lifelines: readonly Lifeline[], options: AxisOptions): Axis {
  const slots: Slot[] = [];
  let x = 0;
  const first = options.from ?? 0;
  const last = Math.min(steps.length - 1, options.to ?? steps.length - 1);
  for (let i = first; i <= last; i++) {
    const s = steps[i]!;
    const prev = i > first ? steps[i - 1] : undefined;
    const gap = prev !== undefined && s.at > prev.at ? options.gapFor(s.at - prev.at, i) : 0;
    x += gap;
    slots.push({ step: s.index, at: s.at, x, gap });
    x += options.slotWidth;
  }
  const lastAt = steps[last]?.at ?? 0;
  // A loop, not Math.max(...): a long run has more expiries than a call can take arguments.
  let beyond = lastAt;
  for (const l of lifelines) for (const w of drawnExpiries(l)) if (Number.isFinite(w.to) && w.to > beyond) beyond = w.to;
  const tail = beyond > lastAt ? options.gapFor(beyond - lastAt, last + 1) : 0;
  return { slots, slotWidth: options.slotWidth, tail, tailTo: beyond, width: x + tail };
}

/**
 * Where a time falls on the axis. A time a step ended at is at that step's slot (the first such
 * slot, or the slot of `step` when given); a time inside a gap is placed in it in proportion.
 * Returns `null` for a time before the first slot drawn.
 */
export function place(axis: Axis, at: number, step?: number): { x: number; inSlot: boolean } | null {
  const slots = axis.slots;
  if (step !== undefined) {
    const k = slots.findIndex((s) => s.step === step);
    if (k >= 0) {
      const s = slots[k]!;
      if (at >= s.at || k === 0) return { x: s.x, inSlot: true };
      const prev = slots[k - 1]!;
      return { x: inGap(s, prev.at, at), inSlot: false };
    }
    if (slots.length > 0 && step < slots[0]!.step) return null;
  }
  const k = slots.findIndex((s) => s.at >= at);
  if (k < 0) {
    const last = slots.at(-1);
    if (last === undefined) return null;
    const end = last.x + axis.slotWidth;
    if (axis.tail === 0 || at <= last.at) return { x: end - 1, inSlot: false };
    return { x: end + Math.min(axis.tail - 1, Math.floor(((at - last.at) / (axis.tailTo - last.at)) * axis.tail)), inSlot: false };
  }
  const s = slots[k]!;
  if (s.at === at) return { x: s.x, inSlot: true };
  if (k === 0) return null;
  return { x: inGap(s, slots[k - 1]!.at, at), inSlot: false };
}

function inGap(s: Slot, fromAt: number, at: number): number {
  if (s.gap === 0) return s.x;
  const frac = (at - fromAt) / (s.at - fromAt);
  return s.x - s.gap + Math.min(s.gap - 1, Math.max(0, Math.floor(frac * s.gap)));
}

/**
 * How much of a long trace is shown. A run of a hundred thousand steps cannot be drawn or read
 * step by step; what a reader needs is how it started, and where model and pool part with the
 * steps that led there.
 */
export const LONG_TRACE = { max: 200, head: 20, before: 40, after: 10 } as const;

/** A run of consecutive steps to show, by index, both ends included. */
export interface StepRange {
  readonly from: number;
  readonly to: number;
}

/**
 * The steps to show of a trace of `count` steps: all of a short one; of a long one the first
 * steps, and the diverging step (or the last) with the steps before and after it.
 */
export function shownSteps(count: number, diverge: number | null): StepRange[] {
  if (count === 0) return [];
  if (count <= LONG_TRACE.max) return [{ from: 0, to: count - 1 }];
  const focus = diverge ?? count - 1;
  const from = Math.max(0, focus - LONG_TRACE.before);
  const to = Math.min(count - 1, focus + LONG_TRACE.after);
  if (from <= LONG_TRACE.head) return [{ from: 0, to }];
  return [{ from: 0, to: LONG_TRACE.head - 1 }, { from, to }];
}

/**
 * The lifelines as a picture of steps `from` to `to` needs them: connections that lived then,
 * with their marks up to `to` (the earlier ones set how a row starts) and the expiry windows of
 * idle periods begun by then. One pass over the marks: a long run has many.
 */
export function linesFor(lines: readonly Lifeline[], steps: readonly TraceStep[], range: StepRange): Lifeline[] {
  const until = steps[range.to]?.at ?? Number.POSITIVE_INFINITY;
  const out: Lifeline[] = [];
  for (const line of lines) {
    let state: LineState = 'none';
    // Of the marks before the range, the last that changed the state is enough to start the row.
    let lastChange: LifelineMark | null = null;
    const marks: LifelineMark[] = [];
    for (const m of line.marks) {
      if (m.step > range.to) break;
      if (m.step >= range.from) marks.push(m);
      else {
        state = stateAfter(m, state);
        if (m.kind !== 'query' && m.kind !== 'break') lastChange = m;
      }
    }
    if (marks.length === 0 && state !== 'idle' && state !== 'busy') continue;
    out.push({ id: line.id, marks: lastChange === null ? marks : [lastChange, ...marks], expiries: line.expiries.filter((w) => w.idleSince <= until && (w.ended === null || w.ended.at >= (steps[range.from]?.at ?? 0))) });
  }
  return out;
}

/** The largest of the steps' counters on both sides, by a loop (a long run has too many for Math.max(...)). */
export function largestCounter(steps: readonly TraceStep[], range: StepRange): number {
  let max = 0;
  for (let i = range.from; i <= range.to; i++) {
    const s = steps[i]!;
    for (const c of [s.expected, s.actual]) if (c !== undefined) max = Math.max(max, c.idle, c.size, c.waiting);
  }
  return max;
}

/** What a lifeline is doing after a mark: not yet open or gone, idle, or in use. */
export type LineState = 'none' | 'idle' | 'busy' | 'gone';

export function stateAfter(mark: LifelineMark, before: LineState): LineState {
  switch (mark.kind) {
    case 'create':
    case 'release':
      return 'idle';
    case 'acquire':
      return 'busy';
    case 'destroy':
      return 'gone';
    default:
      return before;
  }
}

/**
 * The expiry windows worth drawing: those that opened while the connection was still idle. One
 * that an acquire or the pool's close ended before it opened never came due.
 */
export function drawnExpiries(line: Lifeline): Lifeline['expiries'] {
  return line.expiries.filter((w) => w.ended === null || w.ended.at >= w.from);
}

export { describeConfig } from '../model/semantics.js';
