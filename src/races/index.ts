/** Race exploration: interleavings of concurrent clients that the command sequences cannot reach. */
export { checkRaces } from './check-races.js';
export { formatRaceResult, describeProgram } from './format.js';
export { raceClientsArb, raceConfigArb } from './arbitraries.js';
export type { ClientProgram, ClientRound, RaceCheckOptions, RaceCheckResult, RaceFailure, RaceOutcome, RaceProgress, RaceTraceLine } from './types.js';
export { runRaceChecks } from './cli.js';
