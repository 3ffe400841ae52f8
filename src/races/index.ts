/** Race exploration: interleavings of concurrent clients that the command sequences cannot reach. */
export { checkRaces } from './check-races.js';
export { formatRaceResult, describeProgram } from './format.js';
export { raceClientsArb, raceClientsArbFor, raceConfigArb, raceConfigArbFor } from './arbitraries.js';
export type { ClientProgram, ClientRound, RaceFault, RaceCheckOptions, RaceCheckResult, RaceFailure, RaceOutcome, RaceProgress, RaceTraceLine } from './types.js';
export { runRaceChecks } from './cli.js';
