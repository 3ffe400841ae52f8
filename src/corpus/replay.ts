import type { PoolAdapter } from '../adapters/types.js';
import { differences, type Difference } from '../infer/compare.js';
import { replay } from '../runner/replay.js';
import type { ConnectorFactory, RunOutcome } from '../runner/run-once.js';
import { DefinitionError } from '../runner/violation-error.js';
import { loadAdapter, sourceFromRef } from './adapter-ref.js';
import type { Expectation, RegressionCase } from './file.js';

export interface ReplayCaseOptions {
  /** The case's file, to resolve a module path against; default: the file it was read from. */
  readonly file?: string;
  /** The adapter to use instead of loading the one the case names. */
  readonly adapter?: PoolAdapter;
  /** Where connections come from; default pg-mem. */
  readonly connector?: ConnectorFactory;
}

export interface CaseReplay {
  readonly outcome: RunOutcome;
  readonly expected: Expectation;
  /** Whether the file's expectation is met. */
  readonly holds: boolean;
  /** One or two sentences on what was expected and what happened. */
  readonly explanation: string;
  /** Whether the adapter now declares other semantics than the case was saved with. */
  readonly semanticsChanged: boolean;
}

/**
 * Replays a saved case strictly (every step must apply) against its adapter as it is now, with the
 * semantics the adapter declares now, and compares the outcome with the case's expectation.
 *
 * A `pass` case holds when the run finds no violation. A `fail` case (a known bug kept as
 * evidence) holds when the run fails with the saved violation kind; a different message is
 * mentioned, not failed, since messages carry wording that may improve.
 *
 * The saved semantics are a record, not an input: when the adapter's declaration changed since,
 * the case runs against the new declaration (what the pool promises now), and the explanation
 * says the declaration changed, so a reader knows why a verdict may have moved.
 */
export async function replayCase(c: RegressionCase, options: ReplayCaseOptions = {}): Promise<CaseReplay> {
  const file = options.file ?? c.file ?? '<unsaved case>';
  let adapter: PoolAdapter;
  try {
    adapter = options.adapter ?? (await loadAdapter(sourceFromRef(c.adapter, file)));
  } catch (error) {
    throw new DefinitionError(`poolcheck: regression file ${file}: ${(error as Error).message}`);
  }
  let outcome: RunOutcome;
  try {
    outcome = await replay(adapter, c.config, c.steps, ...(options.connector === undefined ? [] : [options.connector]));
  } catch (error) {
    if (error instanceof DefinitionError) throw new DefinitionError(`poolcheck: regression file ${file}: ${error.message.replace(/^poolcheck: /, '')}`);
    throw error;
  }
  // Compared as they mean, field by field with every default spelled out, so a declaration
  // restated in newer fields, or a capability written out at its default, is not a change.
  // As infer compares a declaration with what it found: the saved one stands as `declared`, the
  // adapter's now as `inferred`.
  const changed = differences(c.semantics, adapter.semantics);
  const semanticsChanged = changed.length > 0;
  const found = outcome.violation;
  const expected = c.expect;
  let holds: boolean;
  let explanation: string;
  if (expected.verdict === 'pass') {
    holds = found === null;
    explanation = holds ? `passes, as expected (${outcome.commands} commands)` : `must pass, but fails: ${found?.kind}: ${found?.message}`;
  } else {
    holds = found !== null && found.kind === expected.violation.kind;
    if (found === null) explanation = `kept as evidence of a bug (${expected.violation.kind}: ${expected.violation.message}), but now passes: if the pool was fixed, set "expect" to { "verdict": "pass" }`;
    else if (!holds) explanation = `kept as evidence of ${expected.violation.kind}, but fails as ${found.kind}: ${found.message}`;
    else explanation = `still fails as expected: ${found.kind}${found.message === expected.violation.message ? '' : ` (the message now reads: ${found.message})`}`;
  }
  if (semanticsChanged) explanation += `; note: the adapter's declaration changed since the case was saved: ${describeChanges(changed)}`;
  return { outcome, expected, holds, explanation, semanticsChanged };
}

/** The fields that changed, each with its value now and then: the first few, and how many more. */
function describeChanges(changed: readonly Difference[], shown = 4): string {
  const value = (v: unknown): string => (v === undefined ? 'unset' : JSON.stringify(v));
  const listed = changed.slice(0, shown).map((d) => `${d.field} is now ${value(d.inferred)}, was ${value(d.declared)}`);
  const more = changed.length > shown ? [`and ${changed.length - shown} more field(s)`] : [];
  return [...listed, ...more].join('; ');
}
