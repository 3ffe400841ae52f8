import type { ExpiryTrigger, ReaperExpiry } from '../../model/semantics.js';
import { show } from '../choose.js';
import { FIRST_ACQUIRE_AT, FIRST_RELEASE_AT, gcd, observeSpread, type Spread } from '../expiry-spread.js';
import { fits } from '../oracle.js';
import { observeBatches, observeRunTimes } from '../reaper-runs.js';
import type { Finding, Probe, ProbeContext, ProbeResult } from '../types.js';

const NAME = 'expiry';
const CAP_PROBE_SIZE = 10;

/**
 * The expiry trigger. Numbers the model cannot give are measured from the connector's close
 * times (the model's reaper window is deliberately one interval wide, so it accepts any phase);
 * the trigger they add up to is then held against the model on the same scenario.
 *
 * 1. Spread: 8 connections released at uneven times. Each closed exactly one lifetime after its
 *    release: a per-connection timer. Otherwise a reaper: its runs are the distinct close times,
 *    the interval their greatest common divisor, and their phase tells what started the schedule
 *    (pool creation at 0, the first acquire at 101 ms, the first release at 304 ms).
 * 2. Run times: a connection becoming eligible exactly on a run (`>=` closes it then, `>` a run
 *    later), and one released off the schedule once nothing was idle (`while-idle` restarts there).
 * 3. Batches: 10 connections eligible together; the most one run closes, if some were left over.
 */
export const expiryProbe: Probe = {
  name: NAME,
  fields: ['expiry'],
  async run(context) {
    let spread: Spread | null = null;
    let problem = '';
    for (const scale of [1, 20]) {
      const seen = await observeSpread(context.adapter, scale);
      if ('error' in seen) return contradiction(seen.error);
      const early = seen.releases.find((r) => r.closedAt !== null && r.closedAt < r.at + seen.config.lifetimeMs);
      if (early !== undefined) return contradiction(`connection #${early.id}, released at ${early.at} ms with a lifetime of ${seen.config.lifetimeMs} ms, closed at ${early.closedAt} ms, ${early.at + seen.config.lifetimeMs - early.closedAt!} ms before its lifetime ran out`);
      const open = seen.releases.find((r) => r.closedAt === null);
      const times = [...new Set(seen.releases.map((r) => r.closedAt))];
      if (open !== undefined) problem = `connection #${open.id}, released at ${open.at} ms with a lifetime of ${seen.config.lifetimeMs} ms, was still open at ${seen.until} ms`;
      else if (times.length < 2 && !isTimer(seen)) problem = `all ${seen.releases.length} connections, released from ${seen.releases[0]!.at} to ${seen.releases.at(-1)!.at} ms, closed together at ${String(times[0])} ms: the interval cannot be measured`;
      else {
        spread = seen;
        break;
      }
    }
    if (spread === null) return contradiction(problem);
    const measured = isTimer(spread) ? timer(spread) : await reaper(context, spread);
    if ('contradiction' in measured) return measured.contradiction;
    const fit = await fits(context.adapter, { ...context.known, expiry: measured.expiry }, spread.config, spread.commands);
    if (!fit.ok) return contradiction(`the close times point to ${describe(measured.expiry)}, but the model rejects it on the same scenario: ${fit.why}`);
    return { kind: 'found', findings: measured.findings, patch: { expiry: measured.expiry } };
  },
};

type Measured = { readonly expiry: ExpiryTrigger; readonly findings: Finding[] } | { readonly contradiction: ProbeResult };

function isTimer(spread: Spread): boolean {
  return spread.releases.every((r) => r.closedAt === r.at + spread.config.lifetimeMs);
}

function releasesAndCloses(spread: Spread): string {
  const list = (xs: readonly (number | null)[]): string => xs.map((x) => String(x)).join(', ');
  return `connections released at ${list(spread.releases.map((r) => r.at))} ms closed at ${list(spread.releases.map((r) => r.closedAt))} ms (lifetime ${spread.config.lifetimeMs} ms)`;
}

function timer(spread: Spread): Measured {
  return { expiry: { kind: 'timer' }, findings: [{ field: 'expiry', value: { kind: 'timer' }, evidence: `${releasesAndCloses(spread)}: each exactly one lifetime after its release` }] };
}

async function reaper(context: ProbeContext, spread: Spread): Promise<Measured> {
  const times = [...new Set(spread.releases.map((r) => r.closedAt!))].sort((a, b) => a - b);
  const interval = times.slice(1).reduce((g, t) => gcd(g, t - times[0]!), 0);
  const phase = (t: number): number => ((t % interval) + interval) % interval;
  const starts: { startsOn: ReaperExpiry['startsOn']; anchor: number }[] = [];
  if (phase(times[0]!) === phase(0)) starts.push({ startsOn: 'pool-creation', anchor: 0 });
  if (phase(times[0]!) === phase(FIRST_ACQUIRE_AT)) starts.push({ startsOn: 'first-acquire', anchor: FIRST_ACQUIRE_AT });
  if (phase(times[0]!) === phase(FIRST_RELEASE_AT)) starts.push({ startsOn: 'first-release', anchor: FIRST_RELEASE_AT });
  const base = `${releasesAndCloses(spread)}: closes come in runs at ${times.join(', ')} ms, ${interval} ms apart (their greatest common divisor)`;
  const start = starts[0];
  if (start === undefined) return { contradiction: contradiction(`${base}, on a schedule that started at ${phase(times[0]!)} ms modulo ${interval}, which is neither the pool's creation (0 ms), its first acquire (${FIRST_ACQUIRE_AT} ms) nor its first release (${FIRST_RELEASE_AT} ms)`) };
  // An offset off the first release's schedule, to see whether the schedule restarts at a later release.
  const offset = [37, 38, 41].find((o) => o % interval !== 0) ?? 37;
  const runs = await observeRunTimes(context.adapter, interval, start.anchor, offset);
  if ('error' in runs) return { contradiction: contradiction(runs.error) };
  const { first, second, lifetimeMs } = runs;
  if (first.closedAt === null) return { contradiction: contradiction(`with a lifetime of ${lifetimeMs} ms, a connection released at ${first.releasedAt} ms (a run time) was never closed`) };
  const late = first.closedAt - first.releasedAt - lifetimeMs;
  const compare = late === 0 ? '>=' : late === interval ? '>' : null;
  const onRun = `with a lifetime of ${lifetimeMs} ms (whole intervals), a connection released on a run at ${first.releasedAt} ms closed at ${first.closedAt} ms`;
  if (compare === null) return { contradiction: contradiction(`${onRun}, ${late} ms after it became eligible: neither on that run (>=) nor one interval later (>)`) };
  let startsOn = start.startsOn;
  let startEvidence = `the first run ${start.anchor === 0 ? 'on the pool\'s creation schedule (0 ms)' : start.anchor === FIRST_ACQUIRE_AT ? `on the first acquire's schedule (${FIRST_ACQUIRE_AT} ms)` : `on the first release's schedule (${FIRST_RELEASE_AT} ms)`}`;
  const alsoFits: unknown[] = starts.slice(1).map((s) => s.startsOn);
  if (startsOn === 'first-release' && second.closedAt !== null && offset % interval !== 0) {
    const restarted = phase(second.closedAt) === phase(second.releasedAt);
    if (restarted) startsOn = 'while-idle';
    startEvidence += `; once nothing was idle, a connection released at ${second.releasedAt} ms closed at ${second.closedAt} ms, ${restarted ? 'on a schedule restarted by that release: the reaper runs only while something is idle' : 'on the first release\'s schedule still'}`;
  }
  const batches = await observeBatches(context.adapter, interval, start.anchor, CAP_PROBE_SIZE);
  if ('error' in batches) return { contradiction: contradiction(batches.error) };
  const capped = batches.batches.length > 1;
  const maxPerRun = capped ? Math.max(...batches.batches) : null;
  const expiry: ReaperExpiry = { kind: 'reaper', intervalMs: interval, startsOn, compare, maxPerRun };
  const findings: Finding[] = [
    {
      field: 'expiry',
      value: expiry,
      evidence: `${base}; ${startEvidence}; ${onRun} (${compare === '>=' ? 'on the run where it became eligible: >=' : 'one run after it became eligible: >'}); ${CAP_PROBE_SIZE} connections eligible together closed ${capped ? `in runs of ${batches.batches.join(', ')}` : 'in one run'}`,
      dependsOnConfig:
        maxPerRun === null
          ? `the reaper interval (${interval} ms) is what the adapter's create configured; no cap was seen with ${CAP_PROBE_SIZE} idle connections at once`
          : `the reaper interval (${interval} ms) and its cap of ${maxPerRun} per run are what the adapter's create configured`,
      ...(alsoFits.length === 0 ? {} : { alsoFits }),
    },
  ];
  return { expiry, findings };
}

function describe(expiry: ExpiryTrigger): string {
  return expiry.kind === 'timer' ? 'a per-connection timer' : `a reaper ${show(expiry)}`;
}

function contradiction(observation: string): ProbeResult {
  return { kind: 'contradiction', contradiction: { field: 'expiry', probe: NAME, observation } };
}
