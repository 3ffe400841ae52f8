import type { PoolAdapter } from '../adapters/types.js';
import { noCapabilities, type Semantics } from '../model/semantics.js';
import { check, DEFAULT_RUNS } from '../runner/check.js';
import { validateCheckOptions } from '../runner/validate.js';
import { DefinitionError } from '../runner/violation-error.js';
import { withPatch } from './choose.js';
import { PROBES } from './probes/index.js';
import { ProbeStop } from './session.js';
import type { Contradiction, Finding, Probe, Skipped } from './types.js';

/** An adapter for infer: its `semantics` may be left out (infer finds them) or present (infer audits them). */
export type UndeclaredAdapter = Omit<PoolAdapter, 'semantics'> & { readonly semantics?: Semantics | undefined };

export interface InferOptions {
  readonly adapter: UndeclaredAdapter;
  /**
   * The confirming `check()` of the inferred declaration: its runs (default 200) and seed
   * (default 1, so a session reproduces). `false` skips it; it is skipped too when a field has no
   * value that fits.
   */
  readonly confirm?: { readonly numRuns?: number; readonly seed?: number } | false;
  /** The probes to run, in order. Default: every probe. */
  readonly probes?: readonly Probe[];
}

export interface Confirmation {
  readonly passed: boolean;
  readonly runs: number;
  readonly seed: number;
  /** The first violation found, with the configuration it was found in. */
  readonly violation: string | null;
}

export interface InferResult {
  readonly adapter: string;
  /** The declaration that fits: ready to paste. Fields with a contradiction keep a neutral default. */
  readonly semantics: Semantics;
  readonly findings: readonly Finding[];
  readonly contradictions: readonly Contradiction[];
  /** Probes not run: a field their scenario relies on has no value that fits. Their fields keep neutral defaults. */
  readonly skipped: readonly Skipped[];
  /** The adapter's own declaration, when it had one: infer then audits it. */
  readonly declared: Semantics | null;
  readonly confirmation: Confirmation | null;
  readonly wallMs: number;
}

/**
 * Where every probe starts: a per-connection timer, nothing armed on creation, no min, LIFO, no
 * waits or faults. Probes replace these field by field; a probe never relies on a field that a
 * later probe settles.
 */
export const NEUTRAL: Semantics = {
  expiry: { kind: 'timer' },
  armsOn: 'release',
  min: 'ignored',
  reuse: 'lifo',
  handoff: 'microtask',
  zeroLifetime: 'disables',
  opensMinOnCreate: false,
  gracefulClose: 'idle-at-once',
  capabilities: noCapabilities,
};

/**
 * Finds a pool's semantics by experiment: short probes under the fake clock with the pg-mem
 * connector, one per field, in order, each held against the reference model. Returns the
 * declaration, the evidence for every field, the contradictions (no value fits: a bug in the pool
 * or a behaviour the vocabulary lacks), and the verdict of a full `check()` of the declaration.
 * A malformed adapter, or one that brings its own runtime, is a {@link DefinitionError}.
 *
 * @example
 * const result = await infer({ adapter: { ...myAdapter, semantics: undefined } });
 * console.log(formatInfer(result));
 */
export async function infer(options: InferOptions): Promise<InferResult> {
  const started = performance.now();
  validateCheckOptions({ adapter: options.adapter as PoolAdapter }, 'optional');
  if (options.adapter.runtime !== undefined) {
    throw new DefinitionError(`poolcheck infer: adapter '${options.adapter.name}' brings its own runtime (a pool in another process); infer probes pools in this process, under its fake clock with the pg-mem connector, and cannot probe it: declare its semantics by hand and check them`);
  }
  const { semantics: declared, ...rest } = options.adapter;
  const adapter = { ...rest, semantics: NEUTRAL } as PoolAdapter;
  let known = NEUTRAL;
  const unsettled = new Set<string>();
  const findings: Finding[] = [];
  const contradictions: Contradiction[] = [];
  const skipped: Skipped[] = [];
  for (const probe of options.probes ?? PROBES) {
    const missing = (probe.needs ?? []).filter((f) => unsettled.has(f));
    if (missing.length > 0) {
      skipped.push({ fields: probe.fields, probe: probe.name, needs: missing });
      for (const field of probe.fields) unsettled.add(field);
      continue;
    }
    let result;
    try {
      result = await probe.run({ adapter, known });
    } catch (error) {
      if (!(error instanceof ProbeStop)) throw error;
      result = { kind: 'contradiction' as const, contradiction: { field: probe.fields.join(', '), probe: probe.name, observation: error.message } };
    }
    if (result.kind === 'found') {
      findings.push(...result.findings);
      known = withPatch(known, result.patch);
    } else {
      contradictions.push(result.contradiction);
      for (const field of probe.fields) unsettled.add(field);
    }
  }
  // With a field that has no value, the declaration is known not to fit: a check would only find
  // the contradiction again, after a long shrink.
  const confirmation = options.confirm === false || contradictions.length > 0 ? null : await confirm({ ...adapter, semantics: known }, options.confirm?.numRuns ?? DEFAULT_RUNS, options.confirm?.seed ?? 1);
  return { adapter: adapter.name, semantics: known, findings, contradictions, skipped, declared: declared ?? null, confirmation, wallMs: performance.now() - started };
}

async function confirm(adapter: PoolAdapter, numRuns: number, seed: number): Promise<Confirmation> {
  const result = await check({ adapter, numRuns, seed });
  const failure = result.failure;
  return {
    passed: result.passed,
    runs: result.runs,
    seed: result.seed,
    violation: failure === null ? null : `${failure.violation.kind}: ${failure.violation.message} (minSize ${failure.config.minSize}, maxSize ${failure.config.maxSize}, lifetime ${failure.config.lifetimeMs} ms; rerun: --seed ${result.seed} --path ${failure.path})`,
  };
}
