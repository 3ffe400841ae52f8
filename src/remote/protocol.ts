import type { PoolCounters } from '../adapters/types.js';
import type { ConnectorEvent } from '../connectors/types.js';
import { WAKE_PHASES, type WakePhase } from '../model/handoff.js';

/**
 * The JSON-lines protocol between poolcheck (the parent) and a pool process (the child): one JSON
 * request per line on the child's stdin, one JSON reply per line on its stdout. README, "Pools in
 * other languages: the JSON-lines protocol", is the full description; this file is its types.
 */
export const PROTOCOL_VERSION = 1;

export type Request =
  | { readonly op: 'hello'; readonly protocol: number }
  | { readonly op: 'create'; readonly config: { readonly minSize: number; readonly maxSize: number; readonly lifetimeMs: number }; readonly options: Readonly<Record<string, unknown>> }
  | { readonly op: 'acquire' }
  | { readonly op: 'release'; readonly connection: number }
  | { readonly op: 'query'; readonly connection: number; readonly sql: string }
  | { readonly op: 'sleep'; readonly ms: number }
  | { readonly op: 'block'; readonly ms: number }
  /**
   * `phase`: the loop phase the block ended in (`'timers'` or `'io'`), sent only to a pool process
   * whose hello listed it in `wakePhases`; a protocol 1 peer that listed none never sees it.
   */
  | { readonly op: 'wake'; readonly phase?: WakePhase }
  | { readonly op: 'settle' }
  | { readonly op: 'observe' }
  | { readonly op: 'close' }
  | { readonly op: 'terminate' };

export type Op = Request['op'];

/** What every reply carries besides its result: the child's state when it was sent. */
export interface ReplyState {
  /** Virtual ms since the child started. */
  readonly at: number;
  readonly counters: PoolCounters;
  /** Timers the child's loop still has scheduled (cancelled ones not counted). */
  readonly timers: number;
  /** Connector events since the previous reply, in order. */
  readonly events: readonly ConnectorEvent[];
}

export type Reply =
  | (ReplyState & { readonly id: number; readonly ok: true; readonly result: unknown })
  | (ReplyState & { readonly id: number | null; readonly ok: false; readonly error: { readonly type: string; readonly message: string } });

/**
 * The wake phases a hello announces (its optional `wakePhases`, a list that holds `"timers"`),
 * or what is wrong with it; left out, only `timers`, as every protocol 1 peer wakes.
 */
export function helloWakePhases(hello: Readonly<Record<string, unknown>>): readonly WakePhase[] | string {
  const phases = hello['wakePhases'];
  if (phases === undefined) return ['timers'];
  if (!Array.isArray(phases) || phases.length === 0 || phases.some((p) => !WAKE_PHASES.includes(p as WakePhase)) || new Set(phases).size !== phases.length || !phases.includes('timers')) {
    return `"wakePhases" in the hello must list distinct phases among ${WAKE_PHASES.map((p) => JSON.stringify(p)).join(', ')}, "timers" among them (or be left out: timers only), got ${JSON.stringify(phases)}`;
  }
  return phases as WakePhase[];
}

const EVENT_TYPES = new Set(['create', 'destroy', 'query', 'connect-failed', 'connect-began', 'break']);

/** Checks one line from the child; returns the reply, or what is wrong with it. */
export function parseReply(line: string): Reply | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return `not a JSON line: ${clip(line)}`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `a reply must be a JSON object, got ${clip(line)}`;
  const r = value as Record<string, unknown>;
  if (r['ok'] !== true && r['ok'] !== false) return `a reply needs "ok": true or false, got ${clip(line)}`;
  if (!(Number.isSafeInteger(r['id']) || (r['ok'] === false && r['id'] === null))) return `a reply needs an integer "id" (null only for an error about no request), got ${clip(line)}`;
  if (!isWhole(r['at'])) return `a reply needs "at", the virtual time in whole ms >= 0, got ${clip(line)}`;
  if (!isWhole(r['timers'])) return `a reply needs "timers", a whole number >= 0, got ${clip(line)}`;
  const counters = r['counters'] as Record<string, unknown> | undefined;
  if (typeof counters !== 'object' || counters === null || !isWhole(counters['idle']) || !isWhole(counters['size']) || !(counters['waiting'] === undefined || isWhole(counters['waiting']))) {
    return `a reply needs "counters": { "idle", "size", optionally "waiting" } as whole numbers, got ${clip(line)}`;
  }
  if (!Array.isArray(r['events'])) return `a reply needs "events", an array, got ${clip(line)}`;
  for (const e of r['events'] as unknown[]) {
    const ev = e as Record<string, unknown> | null;
    if (typeof ev !== 'object' || ev === null || !EVENT_TYPES.has(ev['type'] as string) || !Number.isSafeInteger(ev['id']) || !isWhole(ev['at'])) {
      return `an event needs "type" (create, destroy, query, connect-failed, connect-began or break), an integer "id" and "at" in whole ms, got ${JSON.stringify(e)}`;
    }
  }
  if (r['ok'] === false) {
    const error = r['error'] as Record<string, unknown> | undefined;
    if (typeof error !== 'object' || error === null || typeof error['message'] !== 'string') return `an error reply needs "error": { "type", "message" }, got ${clip(line)}`;
  }
  return value as Reply;
}

function isWhole(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function clip(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}
