/** A mistake in how poolcheck was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `poolcheck: model-check the idle expiry of connection pools

Usage:
  poolcheck check [--adapter NAME]... [--all] [--runs N] [--races] [--seed S [--path P [--replay-path R]]] [--json FILE] [--junit FILE] [--db URL]
  poolcheck fuzz [--adapter NAME]... [--all] [--time T | --runs N] [--workers K] [--seed S] [--shard i/n]
                 [--corpus DIR] [--junit FILE] [--evidence] [--also-for NAME]
  poolcheck scenario seed [--adapter NAME]... [--all] [--lifetime MS] [--samples N] [--interval MS]
  poolcheck replay FILE [--html OUT] [--json]
  poolcheck infer --adapter NAME|PATH... [--all] [--json FILE] [--runs N] [--seed S] [--no-confirm]
  poolcheck help

check options:
  --adapter NAME   a built-in adapter (own, own-floor, pg-pool, generic-pool, tarn,
                   sequelize-pool, asyncpg) or the path of an adapter module (.js, .mjs or .ts);
                   repeatable; default: own. asyncpg runs the real asyncpg in Python: it needs
                   scripts/asyncpg-setup.sh and a server (DATABASE_URL, or scripts/postgres.sh)
  --all            every built-in adapter but asyncpg
  --runs N         runs per adapter (default: POOLCHECK_RUNS, else 200)
  --seed S         fast-check seed (integer); printed with every result
  --path P         with --seed, replay the shrunk failure printed by an earlier run
  --replay-path R  with --path, the replayPath printed beside it (which commands the failure kept)
  --races          instead of command sequences, explore interleavings of concurrent clients
                   (see README, "Races"); --seed and --path rerun a failure
  --json FILE      also write the results as JSON (schema poolcheck/check@1) to FILE, or - for stdout
  --junit FILE     also write the results as JUnit XML to FILE (a test case per property)
  --db URL         take connections from the PostgreSQL server at URL (default: DATABASE_URL,
                   else pg-mem; --db pg-mem forces pg-mem); its backends are checked after every command

fuzz options (--adapter and --all as for check):
  --time T         wall-clock budget for the campaign, like 90s, 10m or 1h (default: 1m)
  --runs N         instead of --time: N runs per adapter in this shard
  --workers K      worker threads (default: the available cores; 1 runs in this thread)
  --seed S         campaign seed (integer; default random, printed)
  --shard i/n      run only chunks k with k mod n = i - 1 (default 1/1)
  --corpus DIR     where shrunk failures are saved (default: fixtures/regressions)
  --junit FILE     write the campaign as JUnit XML to FILE
  --evidence       save new cases as known bugs kept as evidence, not as "must pass"
  --also-for NAME  also save each new case for this adapter, expected to pass (the fixed pool)

replay reruns one saved case (fixtures/regressions/<adapter>/<hash>.json) and prints its steps,
a timeline of idle size, size and each connection's life, and whether the file's expectation
holds (exit 0) or not (exit 1).
  --html OUT       also write the timeline as one self-contained HTML page to OUT
  --json           print the replay as JSON (schema poolcheck/replay@1) instead of text

infer probes a pool under the fake clock and prints the semantics declaration that fits it, field
by field with its evidence, then confirms it with a full check (see docs/infer.md). An adapter
module may leave its semantics out; a declared one is audited. Exit 0 when every field has a value
and the check confirms it (and a declared one matches), else 1.
  --json FILE      also write the result as JSON (schema poolcheck/infer@1) to FILE, or - for stdout
  --runs N         runs of the confirming check (default 200); --seed S its seed (default 1)
  --no-confirm     skip the confirming check

scenario seed prints the seed scenario's table: the idle size every second after two connections
are released at t = 0, with an async sleep and with the loop blocked (lifetime 5000 ms, 11 samples
1000 ms apart, unless given). Besides the built-in adapters it knows generic-pool-eviction-off and
tarn-reap-3000, settings users trip over; --all shows them too.

Exit codes: 0 every property held (fuzz: nothing found; replay: the case's expectation held),
1 a property failed (fuzz: a failure found; replay: the expectation did not hold), 2 bad usage
or a bad case file, 130 fuzz interrupted by Ctrl-C.`;
