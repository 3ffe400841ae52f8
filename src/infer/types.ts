import type { PoolAdapter } from '../adapters/types.js';
import type { Capabilities, Semantics } from '../model/semantics.js';

/** One field of the declaration as a probe found it, with the observation behind it. */
export interface Finding {
  /** `expiry`, `reuse`, `capabilities.waiters`, ... */
  readonly field: string;
  readonly value: unknown;
  /** What the pool did that selects this value and rules out the others. */
  readonly evidence: string;
  /** Set when the value holds for the configuration the adapter's `create` was given, not for the library in general. */
  readonly dependsOnConfig?: string;
  /** Other values that fit every observation too: no probe could tell them apart. */
  readonly alsoFits?: readonly unknown[];
}

/**
 * No value of a field fits what the pool did: a bug in the pool, or a behaviour the vocabulary
 * lacks. Names the probe to look at and the observation that ruled every candidate out.
 */
export interface Contradiction {
  readonly field: string;
  readonly probe: string;
  readonly observation: string;
}

/** A probe not run, because a field its scenario relies on has no value that fits. */
export interface Skipped {
  readonly fields: readonly string[];
  readonly probe: string;
  /** The unsettled fields it relies on. */
  readonly needs: readonly string[];
}

/** What a probe adds: findings, and the fields they set in the declaration being built. */
export type ProbeResult =
  | { readonly kind: 'found'; readonly findings: readonly Finding[]; readonly patch: SemanticsPatch }
  | { readonly kind: 'contradiction'; readonly contradiction: Contradiction };

/** Fields to set; a field given as `undefined` is removed (a shorthand replaced by its fields). */
export type SemanticsPatch = { readonly [K in Exclude<keyof Semantics, 'capabilities'>]?: Semantics[K] | undefined } & { readonly capabilities?: Partial<Capabilities> };

/** What a probe knows when it runs: the adapter and the declaration inferred so far. */
export interface ProbeContext {
  readonly adapter: PoolAdapter;
  /** The fields found by the probes before this one, the rest at their neutral defaults. */
  readonly known: Semantics;
}

/**
 * One probe per field (or per closely tied group of fields): a short scripted scenario under the
 * fake clock. Probes run in order, since fields interact: the expiry trigger must be known before
 * min or the hand-off can be told apart.
 */
export interface Probe {
  /** Its file in src/infer/probes, named in contradictions. */
  readonly name: string;
  /** The fields it settles. */
  readonly fields: readonly string[];
  /**
   * Fields its scenario relies on, found by earlier probes. When one of them has no value that
   * fits, this probe is not run: its answer would rest on a guess.
   */
  readonly needs?: readonly string[];
  run(context: ProbeContext): Promise<ProbeResult>;
}
