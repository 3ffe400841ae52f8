import { describeSemantics } from '../model/semantics.js';
import type { Lifeline, LifelineMark, TraceStep } from '../runner/trace.js';
import {
  buildAxis,
  countersDiffer,
  describeConfig,
  divergingStep,
  drawnExpiries,
  largestCounter,
  linesFor,
  place,
  shortTime,
  shownSteps,
  stateAfter,
  type Axis,
  type StepRange,
  type LineState,
  type TimelineInput,
} from './timeline-layout.js';

/** A step's column, px: wide for a short run, narrower for a long one. */
const SLOT = { min: 48, max: 112, budget: 900 };
const LEFT = 96;
const RIGHT = 24;
const CHART_H = 96;
const LANE_H = 28;
const MARK_STEP = 14;

/**
 * A recorded run as one self-contained HTML page: inline SVG and CSS, no script, no external
 * reference. It shows the idle size and the size over virtual time as step charts (the model's
 * prediction against what the pool reported), a lifeline per connection with its creation,
 * acquires, releases, expiry deadlines or windows and destruction, and the steps as a table. The
 * step where model and pool part is highlighted in the charts and in the table. Every text is
 * escaped. Pure: the same run gives the same page.
 */
export function renderTimelineHtml(input: TimelineInput): string {
  const { outcome } = input;
  const steps = outcome.trace;
  const lines = outcome.timeline?.lifelines ?? [];
  const diverge = divergingStep(steps);
  const violation = outcome.violation;
  const title = `poolcheck replay: ${input.adapter}, ${describeConfig(input.config)}${violation === null ? ', passed' : `: ${violation.kind}`}`;
  // A long run is summarised: its first steps, and the divergence (or the end) with its context.
  const ranges = shownSteps(steps.length, diverge);
  const drawn = ranges.at(-1);
  const svg = drawn === undefined ? '<p>No steps were recorded.</p>' : renderSvg(steps, linesFor(lines, steps, drawn), diverge, drawn);
  const summary = ranges.length === 1 && ranges[0]!.to === steps.length - 1 ? '' : `<p class="note">A long run: of its ${steps.length} steps, the timeline draws steps ${drawn!.from} to ${drawn!.to} and the table lists ${ranges.map((r) => `${r.from} to ${r.to}`).join(' and ')}. <code>poolcheck replay --json</code> gives every step.</p>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>poolcheck replay: <span class="adapter">${esc(input.adapter)}</span></h1>
<p class="config">${esc(describeConfig(input.config))}${input.semantics === undefined ? '' : ` &middot; declared: ${esc(describeSemantics(input.semantics))}`}</p>
${
  violation === null
    ? '<p class="verdict pass">Model and pool agreed at every step.</p>'
    : `<p class="verdict fail"><strong>${esc(violation.kind)}</strong> at ${esc(shortTime(violation.at))}${diverge === null ? '' : `, step ${diverge}`}: ${esc(violation.message)}</p>`
}
</header>
<section class="timeline">
<h2>Timeline</h2>
<p class="note">Virtual time, not to scale: every step gets a column, so steps at the same instant stand side by side, and the gap between two steps grows with the time that passed. Dashed: the model; solid: the pool.</p>
${summary}<div class="scroll">${svg}</div>
${LEGEND}
</section>
<section class="steps">
<h2>Steps</h2>
${renderTable(steps, diverge, ranges)}
</section>
</body>
</html>
`;
}

/** Escapes text for HTML element content and attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function renderSvg(steps: readonly TraceStep[], lines: readonly Lifeline[], diverge: number | null, range: StepRange): string {
  const span = { from: range.from, to: range.to };
  const count = range.to - range.from + 1;
  // A gap of 0.3 slot per factor of ten of the time that passed, up to four; the slot as wide as
  // lets the whole axis fit the budget, within bounds (a long run scrolls).
  const gapCells = (ms: number): number => Math.min(4, 1 + Math.floor(Math.log10(Math.max(1, ms))));
  const cells = buildAxis(steps, lines, { slotWidth: 0, gapFor: gapCells, ...span }).width;
  const slot = Math.max(SLOT.min, Math.min(SLOT.max, Math.floor(SLOT.budget / (count + 0.3 * cells))));
  const gap = Math.round(slot * 0.3);
  const axis = buildAxis(steps, lines, { slotWidth: slot, gapFor: (ms) => gap * gapCells(ms), ...span });
  const maxY = Math.max(1, largestCounter(steps, range));
  // Waiting gets a chart only in a run where something waited.
  const charts: ['idle' | 'size' | 'waiting', string][] = [['idle', 'idle size'], ['size', 'size']];
  if (axis.slots.some(({ step }) => (steps[step]!.expected?.waiting ?? 0) > 0 || (steps[step]!.actual?.waiting ?? 0) > 0)) charts.push(['waiting', 'waiting']);
  const width = LEFT + axis.width + RIGHT;
  const top = 44;
  const lanesY = top + charts.length * (CHART_H + 28) + 6;
  const height = lanesY + Math.max(1, lines.length) * LANE_H + 16;
  const parts: string[] = [];
  parts.push(renderAxis(axis, top));
  charts.forEach(([key, label], i) => parts.push(renderChart(steps, axis, key, label, top + i * (CHART_H + 28), maxY)));
  parts.push(`<text class="chart-title" x="8" y="${lanesY - 12}">connections</text>`);
  lines.forEach((line, i) => parts.push(renderLifeline(line, axis, lanesY + i * LANE_H + LANE_H / 2)));
  if (lines.length === 0) parts.push(`<text class="none" x="${LEFT}" y="${lanesY + LANE_H / 2}">no connection was opened</text>`);
  // Over everything, faint, so the charts and lifelines show through it.
  const divergeSlot = axis.slots.find((s) => s.step === diverge);
  if (divergeSlot !== undefined) {
    const x = LEFT + divergeSlot.x;
    parts.push(`<rect class="diverge-band" data-step="${divergeSlot.step}" x="${x}" y="${top - 30}" width="${axis.slotWidth}" height="${height - top + 24}"><title>step ${divergeSlot.step}: model and pool part here</title></rect>`);
    parts.push(`<text class="diverge-label" x="${x + axis.slotWidth / 2}" y="${height - 2}" text-anchor="middle">step ${divergeSlot.step} diverges</text>`);
  }
  return `<svg class="timeline-svg" role="img" aria-label="timeline of the replayed steps" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
}

function renderAxis(axis: Axis, top: number): string {
  const out: string[] = [];
  let lastAt: number | null = null;
  for (const s of axis.slots) {
    const x = LEFT + s.x + axis.slotWidth / 2;
    if (s.gap > 0) out.push(`<line class="gap" x1="${LEFT + s.x - s.gap / 2}" y1="${top - 8}" x2="${LEFT + s.x - s.gap / 2}" y2="${top - 2}"/>`);
    if (s.at !== lastAt) out.push(`<text class="time" x="${x}" y="${top - 24}" text-anchor="middle">${esc(shortTime(s.at))}</text>`);
    lastAt = s.at;
    out.push(`<text class="step-no" x="${x}" y="${top - 10}" text-anchor="middle">${s.step}</text>`);
  }
  out.push(`<text class="axis-label" x="8" y="${top - 24}">t</text><text class="axis-label" x="8" y="${top - 10}">step</text>`);
  return out.join('');
}

function renderChart(steps: readonly TraceStep[], axis: Axis, key: 'idle' | 'size' | 'waiting', label: string, y0: number, maxY: number): string {
  const yOf = (v: number): number => y0 + CHART_H - 8 - (v / maxY) * (CHART_H - 16);
  const out: string[] = [`<g class="chart" data-chart="${key}">`];
  out.push(`<rect class="chart-bg" x="${LEFT}" y="${y0}" width="${axis.width}" height="${CHART_H}"/>`);
  out.push(`<text class="chart-title" x="8" y="${y0 + 14}">${esc(label)}</text>`);
  for (let v = 0; v <= maxY; v += Math.max(1, Math.ceil(maxY / 4))) {
    out.push(`<line class="grid" x1="${LEFT}" y1="${yOf(v)}" x2="${LEFT + axis.width}" y2="${yOf(v)}"/><text class="tick" x="${LEFT - 6}" y="${yOf(v) + 4}" text-anchor="end">${v}</text>`);
  }
  // The pool first, the dashed model over it, so both show where they agree.
  for (const side of ['actual', 'expected'] as const) {
    const points: string[] = [];
    let prev: number | null = null;
    for (const s of axis.slots) {
      const v = steps[s.step]![side]?.[key];
      if (v === undefined) continue;
      const x = LEFT + s.x + axis.slotWidth / 2;
      if (prev !== null) points.push(`${x},${yOf(prev)}`);
      points.push(`${x},${yOf(v)}`);
      prev = v;
    }
    if (prev !== null && points.length > 0) points.push(`${LEFT + axis.width},${yOf(prev)}`);
    const cls = side === 'expected' ? 'model' : 'pool';
    out.push(`<polyline class="line ${cls}" points="${points.join(' ')}"><title>${side === 'expected' ? 'model' : 'pool'}: ${esc(label)}</title></polyline>`);
  }
  for (const s of axis.slots) {
    const step = steps[s.step]!;
    const m = step.expected?.[key];
    const p = step.actual?.[key];
    if (m !== undefined && p !== undefined && m !== p) {
      out.push(`<circle class="mismatch" cx="${LEFT + s.x + axis.slotWidth / 2}" cy="${yOf(p)}" r="5"><title>step ${s.step}: model ${m}, pool ${p}</title></circle>`);
    }
  }
  out.push('</g>');
  return out.join('');
}

const MARK_TITLE: Record<LifelineMark['kind'], string> = { create: 'created', acquire: 'acquired', query: 'queried', release: 'released', break: 'broken by the server', destroy: 'destroyed' };

function renderLifeline(line: Lifeline, axis: Axis, y: number): string {
  const out: string[] = [`<g class="lifeline" data-connection="${line.id}">`, `<text class="lane-label" x="8" y="${y + 4}">#${line.id}</text>`];
  out.push(`<line class="lane" x1="${LEFT}" y1="${y}" x2="${LEFT + axis.width}" y2="${y}"/>`);
  // Where each mark goes: marks of one step share its slot, side by side in order.
  const perSlot = new Map<number, number>();
  const placed = line.marks.map((m): { m: LifelineMark; x: number | null; slotX: number | null } => {
    const p = place(axis, m.at, m.step);
    if (p === null) return { m, x: null, slotX: null };
    if (!p.inSlot) return { m, x: LEFT + p.x, slotX: null };
    const n = perSlot.get(p.x) ?? 0;
    perSlot.set(p.x, n + 1);
    return { m, x: LEFT + p.x + 10 + n * MARK_STEP, slotX: p.x };
  });
  // Centre the marks of a slot.
  for (const item of placed) {
    if (item.x === null || item.slotX === null) continue;
    const n = perSlot.get(item.slotX)!;
    item.x += (axis.slotWidth - 20 - (n - 1) * MARK_STEP) / 2;
  }
  // Segments: what the connection was doing between marks.
  let state: LineState = 'none';
  let from: number = LEFT;
  const segment = (to: number): void => {
    if ((state === 'idle' || state === 'busy') && to > from) out.push(`<line class="seg ${state}" x1="${from}" y1="${y}" x2="${to}" y2="${y}"/>`);
  };
  for (const { m, x } of placed) {
    const next = stateAfter(m, state);
    if (x === null) {
      state = next;
      continue;
    }
    segment(x);
    state = next;
    from = x;
  }
  segment(LEFT + axis.width);
  for (const w of drawnExpiries(line)) {
    const a = place(axis, w.from);
    const b = place(axis, w.to);
    if (a === null || b === null) continue;
    const xa = LEFT + a.x + (a.inSlot ? 4 : 0);
    const xb = LEFT + b.x + (b.inSlot ? 4 : 0);
    const tip = `expiry ${w.from === w.to ? `due at ${shortTime(w.from)}` : `window ${shortTime(w.from)} to ${shortTime(w.to)}`} (idle since ${shortTime(w.idleSince)}; ${w.reason})`;
    if (xb - xa >= 3) out.push(`<rect class="mark expiry-window" x="${xa}" y="${y - 9}" width="${xb - xa}" height="18"><title>${esc(tip)}</title></rect>`);
    out.push(`<line class="mark expiry" x1="${xa}" y1="${y - 11}" x2="${xa}" y2="${y + 11}"><title>${esc(tip)}</title></line>`);
  }
  for (const { m, x } of placed) {
    if (x === null) continue;
    out.push(markShape(m, x, y, `#${line.id} ${MARK_TITLE[m.kind]} at ${shortTime(m.at)} (step ${m.step})`));
  }
  out.push('</g>');
  return out.join('');
}

function markShape(m: LifelineMark, x: number, y: number, tip: string): string {
  const t = `<title>${esc(tip)}</title>`;
  switch (m.kind) {
    case 'create':
      return `<circle class="mark create" cx="${x}" cy="${y}" r="5">${t}</circle>`;
    case 'acquire':
      return `<path class="mark acquire" d="M${x - 5},${y - 7} L${x + 5},${y - 7} L${x},${y + 1} Z">${t}</path>`;
    case 'release':
      return `<path class="mark release" d="M${x - 5},${y + 7} L${x + 5},${y + 7} L${x},${y - 1} Z">${t}</path>`;
    case 'query':
      return `<circle class="mark query" cx="${x}" cy="${y}" r="2.5">${t}</circle>`;
    case 'break':
      return `<path class="mark break" d="M${x + 2},${y - 8} L${x - 3},${y + 1} L${x + 1},${y + 1} L${x - 2},${y + 8} L${x + 4},${y - 2} L${x},${y - 2} Z">${t}</path>`;
    case 'destroy':
      return `<path class="mark destroy" d="M${x - 5},${y - 5} L${x + 5},${y + 5} M${x + 5},${y - 5} L${x - 5},${y + 5}">${t}</path>`;
  }
}

function renderTable(steps: readonly TraceStep[], diverge: number | null, ranges: readonly StepRange[]): string {
  const rows: string[] = [];
  let next = 0;
  for (const r of ranges) {
    if (r.from > next) rows.push(leftOut(next, r.from - 1));
    for (let i = r.from; i <= r.to; i++) rows.push(tableRow(steps[i]!, diverge));
    next = r.to + 1;
  }
  if (next < steps.length) rows.push(leftOut(next, steps.length - 1));
  return `<table><thead><tr><th>step</th><th>t</th><th>command</th><th>model</th><th>pool</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function leftOut(from: number, to: number): string {
  return `<tr class="left-out"><td colspan="5">steps ${from} to ${to} left out (${to - from + 1} steps)</td></tr>`;
}

function tableRow(s: TraceStep, diverge: number | null): string {
  const cls = [s.index === diverge ? 'diverge' : '', s.violation === undefined ? '' : 'violation'].filter(Boolean).join(' ');
  const differs = countersDiffer(s);
  const detail = s.violation === undefined ? '' : `<div class="violation-text">&#10007; ${esc(s.violation)}</div>`;
  return `<tr${cls === '' ? '' : ` class="${cls}"`} data-step="${s.index}"><td class="num">${s.index}</td><td class="num">${esc(shortTime(s.at))}</td><td><code>${esc(s.command)}</code>${detail}</td><td>${esc(s.predicted)}</td><td${differs ? ' class="differs"' : ''}>${esc(s.observed)}</td></tr>`;
}

const LEGEND = `<ul class="legend">
<li><svg width="28" height="12"><line class="line model" x1="0" y1="6" x2="28" y2="6"/></svg> model</li>
<li><svg width="28" height="12"><line class="line pool" x1="0" y1="6" x2="28" y2="6"/></svg> pool</li>
<li><svg width="14" height="14"><circle class="mark create" cx="7" cy="7" r="5"/></svg> created</li>
<li><svg width="14" height="14"><path class="mark acquire" d="M2,3 L12,3 L7,11 Z"/></svg> acquired</li>
<li><svg width="14" height="14"><path class="mark release" d="M2,11 L12,11 L7,3 Z"/></svg> released</li>
<li><svg width="14" height="14"><line class="mark expiry" x1="7" y1="0" x2="7" y2="14"/></svg> expiry due (a band: the window)</li>
<li><svg width="14" height="14"><path class="mark destroy" d="M2,2 L12,12 M12,2 L2,12"/></svg> destroyed</li>
<li><svg width="28" height="12"><line class="seg busy" x1="0" y1="6" x2="28" y2="6"/></svg> in use</li>
<li><svg width="28" height="12"><line class="seg idle" x1="0" y1="6" x2="28" y2="6"/></svg> idle</li>
<li><span class="swatch diverge"></span> the step where model and pool part</li>
</ul>`;

const CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; background: #fff; margin: 24px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
.config { color: #57606a; margin: 0 0 8px; }
.verdict { padding: 8px 12px; border-radius: 6px; margin: 8px 0; }
.verdict.fail { background: #ffebe9; border: 1px solid #ff8182; }
.verdict.pass { background: #dafbe1; border: 1px solid #4ac26b; }
.note { color: #57606a; font-size: 13px; margin: 0 0 8px; }
.scroll { overflow-x: auto; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 0; }
svg text { font: 12px system-ui, sans-serif; fill: #1f2328; }
.time { font-weight: 600; } .step-no, .tick { fill: #57606a; } .axis-label, .chart-title, .lane-label { font-weight: 600; }
.chart-bg { fill: #f6f8fa; } .grid { stroke: #d8dee4; stroke-width: 1; }
.gap { stroke: #8c959f; stroke-width: 1; }
.line { fill: none; stroke-width: 2.5; stroke-linejoin: round; }
.line.model { stroke: #0969da; stroke-dasharray: 6 4; }
.line.pool { stroke: #e16f24; }
.mismatch { fill: none; stroke: #cf222e; stroke-width: 2; }
.lane { stroke: #eaeef2; stroke-width: 1; }
.seg.idle { stroke: #8c959f; stroke-width: 3; }
.seg.busy { stroke: #1a7f37; stroke-width: 7; stroke-linecap: butt; }
.mark.create { fill: #fff; stroke: #1f2328; stroke-width: 2; }
.mark.acquire { fill: #1a7f37; stroke: #fff; stroke-width: 1; }
.mark.release { fill: #0969da; stroke: #fff; stroke-width: 1; }
.mark.query { fill: #1f2328; }
.mark.break { fill: #bf8700; }
.mark.destroy { stroke: #cf222e; stroke-width: 2.5; fill: none; }
.mark.expiry { stroke: #bf8700; stroke-width: 2; stroke-dasharray: 3 2; }
.mark.expiry-window { fill: #bf8700; fill-opacity: 0.18; stroke: none; }
.diverge-band { pointer-events: none; fill: #cf222e; fill-opacity: 0.10; stroke: #cf222e; stroke-opacity: 0.5; stroke-dasharray: 4 3; }
.diverge-label { fill: #cf222e; font-weight: 600; }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 16px; color: #57606a; font-size: 13px; }
.legend li { display: flex; align-items: center; gap: 6px; }
.swatch.diverge { display: inline-block; width: 14px; height: 14px; background: rgba(207, 34, 46, 0.15); border: 1px dashed #cf222e; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #d8dee4; vertical-align: top; }
th { background: #f6f8fa; } td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.diverge td { background: #ffebe9; } tr.diverge td:first-child { box-shadow: inset 4px 0 #cf222e; }
td.differs { color: #cf222e; font-weight: 600; }
tr.left-out td { color: #57606a; font-style: italic; text-align: center; }
.violation-text { color: #cf222e; margin-top: 2px; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
`;
