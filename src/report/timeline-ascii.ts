import type { Lifeline, LifelineMark, TraceStep } from '../runner/trace.js';
import { buildAxis, divergingStep, drawnExpiries, largestCounter, linesFor, place, shortTime, shownSteps, stateAfter, type Axis, type LineState, type StepRange, type TimelineInput } from './timeline-layout.js';

export interface AsciiOptions {
  /** ANSI colour; the CLI turns it on for a terminal without NO_COLOR. */
  readonly color?: boolean;
  /** Total width in columns; default 100. */
  readonly width?: number;
}

const LABEL = 13;
const MARK: Record<LifelineMark['kind'], string> = { create: '*', acquire: 'A', query: 'q', release: 'R', break: '!', destroy: 'X' };
/** When two marks want one cell and there is no room for both, the higher one stays. */
const PRIORITY: Record<string, number> = { X: 6, A: 5, R: 5, '*': 4, '!': 3, E: 2, '[': 2, ']': 2, q: 1 };
const FILL: Record<LineState, string> = { none: ' ', idle: '-', busy: '=', gone: ' ' };

export const ASCII_LEGEND = [
  'legend: * created  A acquired  q query  R released  ! broken  X destroyed',
  '        E expiry due  [ ] expiry window  = in use  - idle  (pool value! differs from the model)',
].join('\n');

/**
 * A recorded run as a terminal timeline, at most `width` columns: the steps along a time axis in
 * virtual time, the idle size and size as the model predicted them and as the pool reported them
 * (a pool value that differs is marked `!`), and one lifeline per connection from its creation to
 * its destruction, with its acquires, releases and expiry deadlines. The step where model and
 * pool part is marked `v` above and `^` below. Pure: the same run gives the same text.
 *
 * The axis is not to scale: every step gets a column, so steps at the same instant stand side by
 * side, and the gap between two steps grows with the time that passed. Steps that do not fit are
 * left out from the start, never the diverging one.
 */
export function renderTimelineAscii(input: TimelineInput, options: AsciiOptions = {}): string {
  const steps = input.outcome.trace;
  if (steps.length === 0) return 'timeline: no steps were recorded';
  const color = options.color === true;
  const plot = (options.width ?? 100) - LABEL;
  const diverge = divergingStep(steps);
  // A terminal row holds a few dozen steps: of a long run, only the steps up to the divergence
  // (or the end) and a few after it are candidates, so the work stays bounded.
  const range = shownSteps(steps.length, diverge).at(-1)!;
  const lines = linesFor(input.outcome.timeline?.lifelines ?? [], steps, range);
  const digits = String(largestCounter(steps, range)).length;
  // A few columns stay free past the axis for the last step's number.
  const axis = fit(steps, lines, plot - 3, digits, diverge, range);

  const rows: string[] = [];
  const out = (label: string, cells: string[]): void => {
    rows.push(`${label.padEnd(LABEL)}${cells.join('')}`.trimEnd());
  };
  const blank = (width = axis.width): string[] => Array.from({ length: width }, () => ' ');
  const skipped = axis.slots[0]!.step;
  rows.push('timeline (virtual time, not to scale: a column per step, gaps grow with the time between)');
  const lastDrawn = axis.slots.at(-1)!.step;
  if (lastDrawn < steps.length - 1) rows.push(`steps ${skipped}-${lastDrawn} of ${steps.length} drawn; the others left out to fit`);
  else if (skipped > 0) rows.push(`steps 0-${skipped - 1} left out to fit`);

  // The note reads away from the mark, to whichever side has room.
  const dx = diverge === null ? 0 : slotX(axis, diverge);
  const right = `v step ${diverge ?? 0}: model and pool part here`;
  const note = dx + right.length <= plot ? right : `model and pool part here: step ${diverge ?? 0} v`;
  if (diverge !== null) out('', write(blank(plot), note === right ? dx : Math.max(0, dx - note.length + 1), note));
  out('t', timeLabels(axis, blank(plot)));
  // Step numbers, like times, are left out where they would run into the one before.
  const stepRow = blank(plot);
  let free = 0;
  for (const s of axis.slots) {
    if (s.x < free) continue;
    write(stepRow, s.x, String(s.step));
    free = s.x + String(s.step).length + 1;
  }
  out('step', stepRow);
  const rowsFor: ['idle' | 'size' | 'waiting', string][] = [['idle', 'idle'], ['size', 'size']];
  // Waiting gets rows only in a run where something waited.
  if (axis.slots.some(({ step }) => (steps[step]!.expected?.waiting ?? 0) > 0 || (steps[step]!.actual?.waiting ?? 0) > 0)) rowsFor.push(['waiting', 'wait']);
  for (const [key, label] of rowsFor) {
    const model = blank();
    const pool = blank();
    for (const s of axis.slots) {
      const step = steps[s.step]!;
      const m = step.expected?.[key];
      const p = step.actual?.[key];
      if (m !== undefined) write(model, s.x, String(m));
      if (p !== undefined) {
        const differs = m !== undefined && m !== p;
        write(pool, s.x, `${p}${differs ? '!' : ''}`);
        if (differs && color) paint(pool, s.x, `${p}!`.length, RED);
      }
    }
    out(`${label}  model`, model);
    out(`${' '.repeat(label.length)}  pool`, pool);
  }
  for (const line of lines) out(`#${line.id}`, lifeline(axis, line, color));
  if (diverge !== null) out('', write(blank(), slotX(axis, diverge), '^'));
  rows.push(ASCII_LEGEND);
  const text = rows.join('\n');
  return color && diverge !== null ? text.replace(note, `${RED}${note}${RESET}`).replace(/\^$/m, `${RED}^${RESET}`) : text;
}

const RED = '\x1b[31m';
const RESET = '\x1b[0m';

/** The widest layout that fits: wide slots and gaps first, then narrow ones, then fewer steps. */
function fit(steps: readonly TraceStep[], lines: readonly Lifeline[], plot: number, digits: number, diverge: number | null, range: StepRange): Axis {
  // Marks per step and connection, counted once: the busiest cell sets how wide a slot must be.
  const perCell = new Map<string, number>();
  for (const l of lines) {
    for (const m of l.marks) if (m.step >= range.from && steps[m.step]?.at === m.at) perCell.set(`${l.id}/${m.step}`, (perCell.get(`${l.id}/${m.step}`) ?? 0) + 1);
    for (const w of drawnExpiries(l)) for (const at of w.from === w.to ? [w.from] : [w.from, w.to]) perCell.set(`${l.id}@${at}`, (perCell.get(`${l.id}@${at}`) ?? 0) + 1);
  }
  let busiest = 1;
  for (let i = range.from; i <= range.to; i++) {
    const s = steps[i]!;
    for (const l of lines) busiest = Math.max(busiest, (perCell.get(`${l.id}/${i}`) ?? 0) + (perCell.get(`${l.id}@${s.at}`) ?? 0));
  }
  const need = Math.max(digits + 2, busiest + 1);
  const attempts = [
    { slot: Math.min(6, Math.max(4, need)), gapMax: 4 },
    { slot: Math.max(3, Math.min(need, 4)), gapMax: 2 },
    { slot: Math.max(digits + 1, 2), gapMax: 1 },
  ];
  const span = { from: range.from, to: range.to };
  for (const a of attempts) {
    const axis = buildAxis(steps, lines, { slotWidth: a.slot, gapFor: (ms) => Math.min(a.gapMax, gapCells(ms)), ...span });
    if (axis.width <= plot) return axis;
  }
  const last = attempts.at(-1)!;
  // Leave out steps from the start, but never the diverging one.
  const keepUntil = Math.min(diverge ?? range.to, range.to);
  for (let from = range.from + 1; from <= range.to; from++) {
    const axis = buildAxis(steps, lines, { slotWidth: last.slot, gapFor: (ms) => Math.min(last.gapMax, gapCells(ms)), from, to: range.to });
    if (axis.width <= plot || from >= keepUntil) return axis;
  }
  return buildAxis(steps, lines, { slotWidth: last.slot, gapFor: () => 1, from: range.to, to: range.to });
}

/** 1 ms to 9 ms: one cell; each further factor of 10 one more, up to 4. */
function gapCells(ms: number): number {
  return Math.min(4, 1 + Math.floor(Math.log10(Math.max(1, ms))));
}

function slotX(axis: Axis, step: number): number {
  return axis.slots.find((s) => s.step === step)?.x ?? 0;
}

function write(cells: string[], x: number, text: string): string[] {
  for (let i = 0; i < text.length && x + i < cells.length; i++) cells[x + i] = text[i]!;
  return cells;
}

function paint(cells: string[], x: number, n: number, code: string): void {
  if (x >= cells.length) return;
  const end = Math.min(cells.length, x + n) - 1;
  cells[x] = `${code}${cells[x]}`;
  cells[end] = `${cells[end]}${RESET}`;
}

/** A label at each slot where time moved, left out where it would run into the one before. */
function timeLabels(axis: Axis, cells: string[]): string[] {
  let free = 0;
  let lastAt: number | null = null;
  for (const s of axis.slots) {
    if (s.at === lastAt) continue;
    lastAt = s.at;
    const label = shortTime(s.at);
    if (s.x < free) continue;
    write(cells, s.x, label);
    free = s.x + label.length + 1;
  }
  return cells;
}

/**
 * One connection's row. Marks sit in the slot of the step they happened in, in order; a mark in
 * a sleep sits in the gap before the step, where its time falls; cells between marks show what
 * the connection was doing.
 */
function lifeline(axis: Axis, line: Lifeline, color: boolean): string[] {
  const width = axis.width;
  const glyph: (string | null)[] = Array.from({ length: width }, () => null);
  const change: (LineState | null)[] = Array.from({ length: width }, () => null);
  const put = (x: number, ch: string, limit: number): number | null => {
    for (let c = x; c < Math.min(limit, width); c++) {
      if (glyph[c] === null) {
        glyph[c] = ch;
        return c;
      }
    }
    // No room ahead: shift the marks before it one cell left into a free cell, keeping their order.
    const end = Math.min(limit, width) - 1;
    let free = x - 1;
    while (free >= 0 && glyph[free] !== null && x - free < 4) free--;
    if (free >= 0 && glyph[free] === null) {
      for (let k = free; k < end; k++) {
        glyph[k] = glyph[k + 1]!;
        change[k] = change[k + 1]!;
      }
      glyph[end] = ch;
      change[end] = null;
      return end;
    }
    // Still no room: the more telling mark keeps the cell.
    const c = end;
    if (c >= 0 && (PRIORITY[ch] ?? 0) > (PRIORITY[glyph[c] ?? ''] ?? 0)) {
      glyph[c] = ch;
      return c;
    }
    return null;
  };
  // Expiry first: a deadline the step ended at reads before what the step did.
  for (const w of drawnExpiries(line)) {
    const marks = w.from === w.to ? [['E', w.from]] : [['[', w.from], [']', w.to]];
    for (const [ch, at] of marks as [string, number][]) {
      const p = place(axis, at);
      if (p !== null) put(p.x, ch, p.inSlot ? p.x + axis.slotWidth : slotAfter(axis, p.x));
    }
  }
  let state: LineState = 'none';
  let firstState: LineState | null = null;
  for (const m of line.marks) {
    const next = stateAfter(m, state);
    state = next;
    const p = place(axis, m.at, m.step);
    if (p === null) {
      // Before the first step drawn: it sets how the row starts.
      firstState = next;
      continue;
    }
    const c = put(p.x, MARK[m.kind], p.inSlot ? p.x + axis.slotWidth : slotAfter(axis, p.x));
    if (c !== null) change[c] = next;
  }
  const cells: string[] = [];
  let now: LineState = firstState ?? 'none';
  for (let c = 0; c < width; c++) {
    if (change[c] !== null) now = change[c]!;
    const g = glyph[c];
    cells.push(g === null || g === undefined ? FILL[now] : color && g === 'X' ? `${RED}X${RESET}` : g);
  }
  return cells;
}

/** The first cell of the slot after a gap cell, the limit for marks placed in the gap. */
function slotAfter(axis: Axis, x: number): number {
  return axis.slots.find((s) => s.x > x)?.x ?? axis.width;
}
