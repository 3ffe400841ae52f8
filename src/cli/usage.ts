/** A mistake in how poolcheck was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `poolcheck: model-check the idle expiry of connection pools

Usage:
  poolcheck check [--adapter NAME]... [--all] [--runs N] [--seed S [--path P [--replay-path R]]] [--json FILE]
  poolcheck scenario seed [--adapter NAME]... [--all] [--lifetime MS] [--samples N] [--interval MS]
  poolcheck help

check options:
  --adapter NAME   a built-in adapter (own, own-floor, pg-pool, generic-pool, tarn,
                   sequelize-pool) or the path of an adapter module (.js, .mjs or .ts);
                   repeatable; default: own
  --all            every built-in adapter
  --runs N         runs per adapter (default: POOLCHECK_RUNS, else 200)
  --seed S         fast-check seed (integer); printed with every result
  --path P         with --seed, replay the shrunk failure printed by an earlier run
  --replay-path R  with --path, the replayPath printed beside it (which commands the failure kept)
  --json FILE      also write the results as JSON (schema poolcheck/check@1) to FILE, or - for stdout

scenario seed prints the seed scenario's table: the idle size every second after two connections
are released at t = 0, with an async sleep and with the loop blocked (lifetime 5000 ms, 11 samples
1000 ms apart, unless given). Besides the built-in adapters it knows generic-pool-eviction-off and
tarn-reap-3000, settings users trip over; --all shows them too.

Exit codes: 0 every property held, 1 a property failed, 2 bad usage.`;
