import type { CommandJson } from '../commands/json.js';
import { noCapabilities, type PoolConfig, type Semantics } from '../model/semantics.js';
import { describeCommands, fits } from './oracle.js';
import type { ProbeContext, ProbeResult, SemanticsPatch } from './types.js';

/** A probe's fixed scenario: a configuration and the commands run on it. */
export interface Scenario {
  readonly config: PoolConfig;
  readonly commands: readonly CommandJson[];
}

/** `min 0, max 2, lifetime 60000 ms: acquire, release #1`, as evidence prints a scenario. */
export function describeScenario({ config, commands }: Scenario): string {
  return `${describeConfig(config)}: ${describeCommands(commands)}`;
}

export interface Candidate<T> {
  readonly value: T;
  readonly patch: SemanticsPatch;
}

/**
 * A discrete field, decided by the oracle: the probe's fixed command list runs under each
 * candidate, in order of preference (the narrowest claim first), and the first that fits wins.
 * The candidates it ruled out are the evidence, each with the model's explanation. None fitting
 * is a contradiction naming the probe.
 */
export async function chooseByOracle<T>(
  context: ProbeContext,
  probe: { readonly name: string; readonly field: string },
  scenarios: Scenario | readonly Scenario[],
  candidates: readonly Candidate<T>[],
): Promise<ProbeResult> {
  const all = Array.isArray(scenarios) ? (scenarios as readonly Scenario[]) : [scenarios as Scenario];
  const fitting: Candidate<T>[] = [];
  const ruledOut: string[] = [];
  for (const candidate of candidates) {
    let why: string | null = null;
    for (const { config, commands } of all) {
      const fit = await fits(context.adapter, withPatch(context.known, candidate.patch), config, commands);
      if (!fit.ok) {
        why = all.length === 1 ? fit.why : `on [${describeScenario({ config, commands })}]: ${fit.why}`;
        break;
      }
    }
    if (why === null) fitting.push(candidate);
    else ruledOut.push(`${show(candidate.value)} ruled out: ${why}`);
  }
  const scenario = all.map(describeScenario).join('] and [');
  const chosen = fitting[0];
  if (chosen === undefined) {
    return { kind: 'contradiction', contradiction: { field: probe.field, probe: probe.name, observation: `no value fits [${scenario}]; ${ruledOut.join('; ')}` } };
  }
  const others = fitting.slice(1).map((c) => c.value);
  const evidence = `[${scenario}] fits ${show(chosen.value)}${ruledOut.length === 0 ? '' : `; ${ruledOut.join('; ')}`}`;
  return {
    kind: 'found',
    findings: [{ field: probe.field, value: chosen.value, evidence, ...(others.length === 0 ? {} : { alsoFits: others }) }],
    patch: chosen.patch,
  };
}

/** The declaration with a probe's fields set. */
export function withPatch(s: Semantics, patch: SemanticsPatch): Semantics {
  const { capabilities, ...rest } = patch;
  const merged = { ...s, ...rest } as Record<string, unknown>;
  for (const [key, value] of Object.entries(rest)) if (value === undefined) delete merged[key];
  return withCapabilities(merged as unknown as Semantics, capabilities);
}

function withCapabilities(merged: Semantics, capabilities: SemanticsPatch['capabilities']): Semantics {
  if (capabilities === undefined) return merged;
  return { ...merged, capabilities: { ...(merged.capabilities ?? noCapabilities), ...capabilities } };
}

export function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

export function describeConfig(c: PoolConfig): string {
  return `min ${c.minSize}, max ${c.maxSize}, lifetime ${c.lifetimeMs} ms${c.acquireTimeoutMs === undefined ? '' : `, acquire timeout ${c.acquireTimeoutMs} ms`}`;
}

/**
 * A capability, decided by the oracle: it is on when the probe's commands, which exercise it, fit
 * the declaration with it on. Off is the answer when they do not, with the model's explanation as
 * the evidence (off never fits a list that uses the capability: the model refuses the step).
 */
export async function capabilityByOracle<K extends BooleanCapability>(
  context: ProbeContext,
  probe: { readonly name: string; readonly capability: K },
  scenarios: Scenario | readonly Scenario[],
): Promise<ProbeResult> {
  const field = `capabilities.${probe.capability}`;
  const on = await chooseByOracle(context, { name: probe.name, field }, scenarios, [{ value: true, patch: { capabilities: { [probe.capability]: true } } }]);
  if (on.kind === 'found') return on;
  return off(field, on.contradiction.observation.replace(/^no value fits (.*); true ruled out: /, '$1 does not fit it on: '), probe.capability);
}

/** The capabilities that are on or off (not `acquireTimeout` or `abort`, whose "off" is null). */
export type BooleanCapability = 'waiters' | 'destroy' | 'failedConnect' | 'slowConnect' | 'brokenIdle' | 'closeRejectsWaiters' | 'failedValidation' | 'slowQuery';

/**
 * A field a probe does not ask, left at `value` (its default, so nothing is patched), with why:
 * the pool lacks what the question needs, or the model cannot tell the answers apart for it.
 */
export function leftAtDefault(field: string, value: unknown, evidence: string): ProbeResult {
  return { kind: 'found', findings: [{ field, value, evidence }], patch: {} };
}

/** A capability found off, with why (not for `acquireTimeout`, whose "off" is null). */
export function off(field: string, evidence: string, capability: BooleanCapability): ProbeResult {
  return { kind: 'found', findings: [{ field, value: false, evidence }], patch: { capabilities: { [capability]: false } } };
}
