/** A mistake in how poolcheck was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `poolcheck check --help`. */
export const CHECK_USAGE = `Usage: poolcheck check [--adapter NAME]... [--all] [--runs N] [--races] [--seed S [--path P [--replay-path R]]]
                       [--rerun TOKEN] [--json FILE|-] [--junit FILE|-] [--db URL]
                       [--min N|A-B] [--max N|A-B] [--lifetime MS|A-B] [--acquire-timeout MS|A-B] [--config FILE]

Model-checks each adapter: random command sequences under a fake clock, compared with the model
after every command. A failure prints its shrunk trace and how to rerun it.

  --adapter NAME   a built-in adapter (own, own-floor, pg-pool, generic-pool, tarn,
                   sequelize-pool, asyncpg) or the path of an adapter module (.js, .mjs or .ts);
                   repeatable; default: own. asyncpg runs the real asyncpg in Python: it needs
                   scripts/asyncpg-setup.sh and a server (DATABASE_URL, or scripts/postgres.sh)
  --all            every built-in adapter but asyncpg
  --runs N         runs per adapter (default: POOLCHECK_RUNS, else 200)
  --seed S         fast-check seed, a signed 32-bit integer (negative ones too: --seed -5);
                   printed with every result
  --path P         with --seed, replay the shrunk failure printed by an earlier run
  --replay-path R  with --path, the replayPath printed beside it (which commands the failure kept)
  --rerun TOKEN    replay a failure by the token printed with it (pc1_...): it carries the seed,
                   path, replayPath and adapter, and is refused for another adapter or options
  --races          instead of command sequences, explore interleavings of concurrent clients
                   (see docs/races.md); --rerun, or --seed and --path, rerun a failure
  --json FILE      also write the results as JSON (schema poolcheck/check@1) to FILE; with -,
                   the JSON alone goes to stdout and the text report to stderr
  --junit FILE     also write the results as JUnit XML to FILE (a test case per property); - as for --json
  --db URL         take connections from the PostgreSQL server at URL (default: DATABASE_URL,
                   else pg-mem; --db pg-mem forces pg-mem); its backends are checked after every command
  --min N|A-B      draw minSize from this number or range only (--min 0: a pool without a minimum);
                   default 0-3
  --max N|A-B      draw maxSize from this number or range only; default minSize (at least 1) to 10
  --lifetime MS|A-B  draw the idle lifetime (ms) from this number or range only; default 0, 1-10,
                   1-1000 or 1000-300000
  --acquire-timeout MS|A-B  give every run an acquire timeout from this range (a pool that declares
                   one); default: drawn where the pool declares one
  --config FILE    read adapters, runs and ranges from FILE; default: poolcheck.config.ts, .mts, .mjs,
                   .js or .json in the working directory, if there is one; flags win over it

A rerun (--path or --rerun) that does not replay a failure is refused (exit 2), never a pass.
Output paths are checked before the first run. SIGINT or SIGTERM prints the summary so far and
writes the partial reports (exit 130 or 143).
Exit codes: 0 every property held, 1 a property failed, 2 bad usage, a bad adapter or a rerun
that does not match, 130/143 interrupted.`;

/** `poolcheck fuzz --help`. */
export const FUZZ_USAGE = `Usage: poolcheck fuzz [--adapter NAME]... [--all] [--time T | --runs N] [--workers K] [--seed S] [--shard i/n]
                      [--corpus DIR] [--junit FILE] [--evidence] [--also-for NAME]
                      [--min N|A-B] [--max N|A-B] [--lifetime MS|A-B] [--acquire-timeout MS|A-B] [--config FILE]

Runs a campaign on every worker and saves one case per distinct failure to the corpus: failures
with the same signature (adapter, violation kind, the shape of the shrunk steps) are one bug, kept
as its shortest case and counted.

  --adapter NAME   as for check; --all as for check
  --time T         wall-clock budget for the campaign, like 90s, 10m or 1h (default: 1m)
  --runs N         instead of --time: N runs per adapter in this shard
  --workers K      worker threads (default: the available cores; 1 runs in this thread)
  --seed S         campaign seed, a signed 32-bit integer (default random, printed)
  --shard i/n      run only chunks k with k mod n = i - 1 (default 1/1)
  --corpus DIR     where shrunk failures are saved (default: fixtures/regressions)
  --junit FILE     write the campaign as JUnit XML to FILE
  --evidence       save new cases as known bugs kept as evidence, not as "must pass"
  --also-for NAME  also save each new case for this adapter, expected to pass (the fixed pool)
  --min, --max, --lifetime, --acquire-timeout, --config  as for check; a config file also gives
                   the corpus (corpus) and the budget (fuzz: { time, runs, workers })

Exit codes: 0 nothing found, 1 a failure found (and saved), 2 bad usage, 3 a failure found that
the corpus could not take (its JSON is on stderr), 130 interrupted by SIGINT or SIGTERM.`;

/** `poolcheck replay --help`. */
export const REPLAY_USAGE = `Usage: poolcheck replay FILE [--html OUT] [--json] [--db URL]

Reruns one saved case (fixtures/regressions/<adapter>/<hash>.json) and prints its steps, a
timeline of idle size, size and each connection's life, and whether the file's expectation holds.
A long case prints its first steps, the step where model and pool part and the steps around it.

  --html OUT       also write the timeline as one self-contained HTML page to OUT (checked first)
  --json           print the replay as JSON (schema poolcheck/replay@1) instead of text
  --db URL         replay with connections from the PostgreSQL server at URL, its backends
                   checked after every command (default: pg-mem, where npm test replays the
                   corpus; DATABASE_URL is not read, so a case replays the same wherever it is run)

Exit codes: 0 the case's expectation held, 1 it did not, 2 bad usage, a bad case file or a server
that does not answer.`;

/** `poolcheck scenario --help`. */
export const SCENARIO_USAGE = `Usage: poolcheck scenario seed [--adapter NAME]... [--all] [--lifetime MS] [--samples N] [--interval MS]

Prints the seed scenario's table: the idle size every second after two connections are released
at t = 0, with an async sleep and with the loop blocked (lifetime 5000 ms, 11 samples 1000 ms
apart, unless given). Besides the built-in adapters it knows generic-pool-eviction-off and
tarn-reap-3000, settings users trip over; --all shows them too.

Exit codes: 0 the table matches the model, 1 it does not, 2 bad usage.`;

/** `poolcheck infer --help`. */
export const INFER_USAGE = `Usage: poolcheck infer --adapter NAME|PATH... [--all] [--json FILE|-] [--runs N] [--seed S] [--no-confirm]

Probes a pool under the fake clock and prints the semantics declaration that fits it, field by
field with its evidence, then confirms it with a full check (see docs/infer.md). An adapter module
may leave its semantics out; a declared one is audited.

  --adapter NAME   a built-in adapter (its declaration is then audited) or the path of an adapter
                   module (.js, .mjs or .ts); repeatable
  --all            every built-in adapter but asyncpg
  --json FILE      also write the result as JSON (schema poolcheck/infer@1) to FILE, or - for stdout
  --runs N         runs of the confirming check (default 200)
  --seed S         seed of the confirming check (default 1)
  --no-confirm     skip the confirming check

Exit codes: 0 every field has a value, the check confirms it and a declared one matches; 1 otherwise;
2 bad usage or a bad adapter.`;

/** Each command's usage, for `poolcheck <command> --help` and for its usage errors. */
export const COMMAND_USAGE: Readonly<Record<string, string>> = { check: CHECK_USAGE, fuzz: FUZZ_USAGE, replay: REPLAY_USAGE, scenario: SCENARIO_USAGE, infer: INFER_USAGE };

/** `poolcheck --help`. */
export const USAGE = `poolcheck: model-check the idle expiry of connection pools

Usage:
  poolcheck check [--adapter NAME]... [--all] [--runs N] [--seed S [--path P [--replay-path R]]] [--rerun TOKEN] [--json FILE] [--junit FILE] [--db URL]
  poolcheck fuzz [--adapter NAME]... [--all] [--time T | --runs N] [--workers K] [--seed S] [--shard i/n] [--corpus DIR] ...
  poolcheck scenario seed [--adapter NAME]... [--all] [--lifetime MS] [--samples N] [--interval MS]
  poolcheck replay FILE [--html OUT] [--json] [--db URL]
  poolcheck infer --adapter NAME|PATH... [--all] [--json FILE] [--runs N] [--seed S] [--no-confirm]
  poolcheck help | --help | --version
  poolcheck <command> --help     that command's options

Exit codes: 0 every property held (fuzz: nothing found; replay: the case's expectation held),
1 a property failed (fuzz: a failure found; replay: the expectation did not hold), 2 bad usage,
a bad adapter or case file, or a rerun that does not replay its failure; 3 fuzz found a failure
the corpus could not take; 130 or 143 interrupted by SIGINT or SIGTERM.`;
