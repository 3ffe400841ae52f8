import fc from 'fast-check';
import { createPgMemConnector } from '../connectors/pgmem.js';
import type { Violation } from '../model/violation.js';
import type { PoolConfig } from '../model/semantics.js';
import { runsFromEnv, type CheckOptions } from '../runner/check.js';
import type { ConnectorFactory } from '../runner/run-once.js';
import { drawsZeroLifetime } from '../runner/configs.js';
import { validateCheckOptions } from '../runner/validate.js';
import { RACE_OPTIONS, rejectUnknownOptions } from '../runner/known-options.js';
import { DefinitionError, PropertyViolationError } from '../runner/violation-error.js';
import { adapterDigest, decodeRerunToken, encodeRerunToken, raceDigest, raceOptionsDigest, RerunMismatchError, type RerunToken } from '../runner/rerun.js';
import { raceClientsArbFor, raceConfigArbFor, schedulerFromSeed, schedulerSeedArb } from './arbitraries.js';
import { runRace } from './run-race.js';
import type { ClientProgram, RaceCheckOptions, RaceCheckResult, RaceFailure } from './types.js';

/**
 * Explores interleavings: several clients acquire, query, release and sleep at once against a
 * small pool, while fast-check's scheduler picks the order in which their steps and the server's
 * replies (connect, query, close) happen, and expiry timers fire in between. Checks the safety
 * invariants throughout (never more than maxSize open, no connection held by two clients, none
 * handed out closed or closed in use) and after close (each connection closed once, no timer
 * left, nothing hung). Returns a value; nothing is thrown for a failing pool.
 *
 * @example
 * const result = await checkRaces({ adapter: ownPoolAdapter(), numRuns: 100, seed: 1 });
 * if (!result.passed) console.log(formatRaceResult(result));
 */
export async function checkRaces(options: RaceCheckOptions): Promise<RaceCheckResult> {
  rejectUnknownOptions('checkRaces()', options, RACE_OPTIONS);
  validateCheckOptions(asCheckOptions(options));
  const { adapter } = options;
  if (adapter.runtime !== undefined) {
    throw new DefinitionError(`poolcheck: checkRaces runs pools in this process, under its own fake clock and connector; adapter '${adapter.name}' brings its own runtime (a pool in another process), whose connects and timers the scheduler cannot order. Use check() for it`);
  }
  const makeConnector = options.connector ?? createPgMemConnector;
  const drawn = options.configs ?? raceConfigArbFor(adapter.semantics);
  const configs = drawsZeroLifetime(adapter.semantics) ? drawn : drawn.filter((c) => c.lifetimeMs !== 0);
  const shape = { configs: options.configs === undefined ? 'default' : 'custom', clients: options.clients === undefined ? 'default' : 'custom' };
  const token = options.rerun === undefined ? undefined : rerunTarget(options, raceOptionsDigest(shape));
  const path = token?.path ?? options.path;
  const seed = token?.seed ?? options.seed ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  let decisions = 0;
  let virtualMs = 0;
  let runs = 0;
  let failed = false;
  // Clients first: fast-check shrinks the first argument first, and fewer, shorter clients make
  // the shortest trace. The scheduler's seed does not shrink: another seed is another interleaving,
  // not a smaller one.
  const programs = options.clients ?? raceClientsArbFor(adapter.semantics);
  // A pool without `destroy` only releases, and its programs say so.
  const clientsArb = adapter.destroy === undefined ? programs.map((cs) => cs.map((p) => p.map((round) => ({ ...round, discard: false })))) : programs;
  const property = fc.asyncProperty(clientsArb, configs, schedulerSeedArb, async (clients, config, schedulerSeed) => {
    const run = await runRace(adapter, config, clients, schedulerFromSeed(schedulerSeed), makeConnector);
    decisions += run.decisions;
    virtualMs += run.virtualMs;
    runs++;
    failed ||= run.violation !== null;
    options.onProgress?.({ runs, decisions, virtualMs, failed });
    if (run.violation !== null) throw new PropertyViolationError(run.violation);
  });
  const started = performance.now();
  const rerun = path === undefined ? null : { seed, path };
  let details: fc.RunDetails<Drawn>;
  try {
    details = await fc.check(property, {
      numRuns: options.numRuns ?? runsFromEnv(),
      seed,
      ...(path === undefined ? {} : { path }),
    });
  } catch (error) {
    // fast-check walks the path before any run; a path this property cannot take is not a pool failure.
    if (rerun !== null && error instanceof Error && /^Unable to replay/.test(error.message)) throw new RerunMismatchError(mismatch(adapter.name, rerun, `fast-check cannot walk the path (${error.message})`));
    throw error;
  }
  const wallMs = performance.now() - started;
  if (rerun !== null && !details.failed) throw new RerunMismatchError(mismatch(adapter.name, rerun, 'the race they replay passes'));
  const base = { adapter: adapter.name, runs: details.numRuns, seed: details.seed, decisions, virtualMs, wallMs };
  if (!details.failed) return { ...base, passed: true, failure: null };
  const failure = await describeFailure(options, makeConnector, details, raceOptionsDigest(shape));
  if (token !== undefined && rerun !== null) {
    if (failure.violation.kind !== token.kind) throw new RerunMismatchError(mismatch(adapter.name, rerun, `the token's failure was ${token.kind}, this race fails with ${failure.violation.kind}: ${failure.violation.message}`));
    if (raceDigest(failure) !== token.stepsDigest) throw new RerunMismatchError(mismatch(adapter.name, rerun, `the race fails with ${failure.violation.kind} as the token's did, but with other clients, configuration or scheduler than the token's case`));
  }
  return { ...base, passed: false, failure };
}

/** The token's seed and path, once its adapter and options match this race check's. */
function rerunTarget(options: RaceCheckOptions, optionsDigest: string): RerunToken {
  const token = decodeRerunToken(options.rerun!);
  const given: [string, unknown, unknown][] = [['seed', options.seed, token.seed], ['path', options.path, token.path]];
  for (const [name, value, carried] of given) {
    if (value !== undefined && value !== carried) throw new RerunMismatchError(`poolcheck: the rerun token carries ${name} ${JSON.stringify(carried)}, but ${name} ${JSON.stringify(value)} was given too; pass the token alone`);
  }
  if (adapterDigest(options.adapter) !== token.adapterDigest) {
    throw new RerunMismatchError(`poolcheck: the rerun token does not match the adapter: it was made for another adapter, or for '${options.adapter.name}' when it declared other semantics; rerun with the --adapter printed beside the token, or run the race check anew`);
  }
  if (token.replayPath !== null || optionsDigest !== token.optionsDigest) {
    throw new RerunMismatchError(`poolcheck: the rerun token does not match the options: it was made by a sequential check (rerun it without --races), or by a race check with other configurations or clients than this one's (configurations ${options.configs === undefined ? 'default' : 'custom'}, clients ${options.clients === undefined ? 'default' : 'custom'})`);
  }
  return token;
}

function mismatch(adapter: string, rerun: { seed: number; path: string }, why: string): string {
  return (
    `poolcheck: this rerun does not replay a race failure of '${adapter}': ${why}. ` +
    `seed ${rerun.seed} and path ${rerun.path} do not come from one race failure of this adapter, or the pool no longer fails it. ` +
    'Copy the rerun token (--rerun) or the seed and path from one failure\'s "cli:" line; to see whether the pool now passes, run the race check without --path.'
  );
}

type Drawn = [readonly ClientProgram[], PoolConfig, number];

async function describeFailure(options: RaceCheckOptions, makeConnector: ConnectorFactory, details: fc.RunDetails<Drawn>, optionsDigest: string): Promise<RaceFailure> {
  const tokenFor = (kind: Violation['kind'], race: { config: PoolConfig; clients: readonly ClientProgram[]; schedulerSeed: number }): string =>
    encodeRerunToken({ seed: details.seed, path: details.counterexamplePath ?? '', replayPath: null, adapterDigest: adapterDigest(options.adapter), optionsDigest, kind, stepsDigest: raceDigest(race) });
  const path = details.counterexamplePath ?? '';
  const error = details.errorInstance;
  const found: Violation =
    error instanceof PropertyViolationError
      ? error.violation
      : { kind: 'pool-error', at: 0, message: error instanceof Error ? `${error.name}: ${error.message}` : `property failed: ${String(error)}` };
  if (details.counterexample === null) {
    const none = { config: { minSize: 0, maxSize: 0, lifetimeMs: 0 }, clients: [], schedulerSeed: 0 };
    return { violation: found, ...none, trace: [], decisions: 0, path, shrinks: details.numShrinks, reproduced: false, token: tokenFor(found.kind, none) };
  }
  const [drawn, config, schedulerSeed] = details.counterexample;
  // A scheduler built from the same seed makes the same choices, so the shrunk run comes back as it failed.
  let clients = drawn;
  let replay = await runRace(options.adapter, config, clients, schedulerFromSeed(schedulerSeed), makeConnector);
  // fast-check's shrinker leaves rounds that had not begun when the run failed; they never
  // mattered. Drop them if the run then fails the same way, so the clients print what happened.
  const begun = replay.roundsBegun;
  const trimmed = clients.map((program, i) => program.slice(0, Math.max(1, begun[i] ?? 0)));
  if (replay.violation !== null && trimmed.some((program, i) => program.length < (clients[i]?.length ?? 0))) {
    const again = await runRace(options.adapter, config, trimmed, schedulerFromSeed(schedulerSeed), makeConnector);
    if (again.violation?.message === replay.violation.message) {
      clients = trimmed;
      replay = again;
    }
  }
  const violation = replay.violation ?? found;
  return {
    violation,
    config,
    clients,
    schedulerSeed,
    trace: replay.trace,
    decisions: replay.decisions,
    path,
    shrinks: details.numShrinks,
    reproduced: replay.violation !== null,
    token: tokenFor(violation.kind, { config, clients, schedulerSeed }),
  };
}

/** The options `check` validates the same way: the adapter's shape and semantics, runs, seed, path. */
function asCheckOptions(options: RaceCheckOptions): CheckOptions {
  return {
    adapter: options.adapter,
    ...(options.numRuns === undefined ? {} : { numRuns: options.numRuns }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.path === undefined ? {} : { path: options.path }),
    ...(options.rerun === undefined ? {} : { rerun: options.rerun }),
  };
}
