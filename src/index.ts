/**
 * poolcheck's public API: check a pool's idle expiry against the reference model, through an
 * adapter that declares the pool's semantics.
 *
 * @module poolcheck
 */
export { check, runsFromEnv, DEFAULT_RUNS } from './runner/check.js';
export type { CheckFailure, CheckOptions, CheckResult, Progress } from './runner/check.js';
export type { TraceStep } from './runner/trace.js';
export type { ConnectorFactory, RunOutcome } from './runner/run-once.js';
export { replay } from './runner/replay.js';
export type { CommandJson } from './commands/json.js';
export { DefinitionError } from './runner/violation-error.js';
export { RerunMismatchError } from './runner/rerun.js';
export { PROPERTIES } from './runner/properties.js';
export type { PropertyInfo } from './runner/properties.js';
export { defaultConfigArb } from './runner/configs.js';
export { configArbFromRanges } from './runner/config-ranges.js';
export type { ConfigRanges, Range } from './runner/config-ranges.js';

export type { AdapterRuntime, CreateContext, PoolAdapter, PoolCounters } from './adapters/types.js';
export { ownPoolAdapter, ownPoolSemantics } from './adapters/own.js';
export { defineAdapter } from './adapters/define.js';
export { pgPoolAdapter, pgPoolSemantics } from './adapters/pg-pool.js';
export type { PgPoolAdapterOptions, PgPoolClass, PgPoolClient, PgPoolHandle } from './adapters/pg-pool.js';
export { genericPoolAdapter, genericPoolSemantics, GENERIC_POOL_EVICTION_INTERVAL_MS, GENERIC_POOL_TESTS_PER_RUN } from './adapters/generic-pool.js';
export type { GenericPoolAdapterOptions, GenericPoolHandle, GenericPoolLibrary } from './adapters/generic-pool.js';
export { tarnAdapter, tarnSemantics, TARN_DEFAULT_REAP_INTERVAL_MS } from './adapters/tarn.js';
export type { TarnAdapterOptions, TarnPool, TarnPoolClass } from './adapters/tarn.js';
export { sequelizePoolAdapter, sequelizePoolSemantics, SEQUELIZE_POOL_REAP_INTERVAL_MS } from './adapters/sequelize-pool.js';
export type { SequelizePoolAdapterOptions, SequelizePoolClass, SequelizePoolHandle } from './adapters/sequelize-pool.js';
export { acquireTimeoutOf, LONGEST_TIMER_MS } from './adapters/acquire-timeout.js';
export { connectorClientClass } from './connectors/pgmem-client.js';
export type { ConnectorClient, ConnectorClientClass } from './connectors/pgmem-client.js';
export { asyncpgAdapter, asyncpgPoolSemantics, remoteAdapter, RemoteError, RemoteProcessError } from './remote/index.js';
export type { AsyncpgAdapterOptions, RemoteAdapterOptions, RemoteConnection } from './remote/index.js';
export type { OwnAdapterOptions } from './adapters/own.js';

export { abortOf, asyncpgSemantics, capabilitiesOf, describeConfig, describeSemantics, noCapabilities, normalizeSemantics, validationOf } from './model/semantics.js';
export type { AbortCapability, AcquireTimeoutCheck, AcquireTimeoutCovers, Capabilities, ExpiryTrigger, FailedConnectRetry, Handoff, IdleByTimerClose, LateConnect, MinFloor, MinOpens, MinRefill, PolledTimeoutCheck, PoolConfig, ReaperExpiry, Semantics, TimerExpiry, Validation, ZeroLifetimeDefault } from './model/semantics.js';
export type { WakePhase } from './model/handoff.js';
export type { Violation, ViolationKind } from './model/violation.js';

export type { VirtualClock, Settled } from './clock/clock.js';
export { installFakeClock, uninstallAllClocks } from './clock/fake.js';
export type { FakeClockOptions } from './clock/fake.js';

export type { Connection, Connector, ConnectorEvent, ConnectorOptions } from './connectors/types.js';
export { createPgMemConnector } from './connectors/pgmem.js';
export { createPostgresConnector, postgresConnector, PostgresConnector } from './connectors/postgres.js';
export type { PostgresConnectorOptions } from './connectors/postgres.js';
export type { ExternalWork } from './clock/real.js';

export type { ConnectorFaults } from './connectors/types.js';

export { readCaseFile, REGRESSION_SCHEMA } from './corpus/file.js';
export type { AdapterRef, Expectation, Provenance, RegressionCase } from './corpus/file.js';
export { replayCase } from './corpus/replay.js';
export type { CaseReplay, ReplayCaseOptions } from './corpus/replay.js';
export { verifyCaseFile } from './corpus/suite.js';

export { formatResult } from './report/text.js';
export type { RerunContext } from './report/text.js';
export { formatSummary } from './report/summary.js';
export { CHECK_SCHEMA, toJson } from './report/json.js';
export type { CheckJson } from './report/json.js';
export { renderTimelineAscii } from './report/timeline-ascii.js';
export type { AsciiOptions } from './report/timeline-ascii.js';
export { renderTimelineHtml } from './report/timeline-html.js';
export type { TimelineInput } from './report/timeline-layout.js';
export type { ExpiryWindow, Lifeline, LifelineMark, TimelineData } from './runner/trace.js';

export { checkRaces, formatRaceResult, raceClientsArb, raceConfigArb } from './races/index.js';
export type { ClientProgram, ClientRound, RaceFault, RaceCheckOptions, RaceCheckResult, RaceFailure, RaceProgress, RaceTraceLine } from './races/index.js';

export { infer } from './infer/infer.js';
export type { Confirmation, InferOptions, InferResult, UndeclaredAdapter } from './infer/infer.js';
export { formatInfer, inferToJson, INFER_SCHEMA } from './infer/format.js';
export type { InferJson } from './infer/format.js';
export type { Contradiction, Finding, Skipped } from './infer/types.js';
export type { Difference } from './infer/compare.js';

export { formatSeedTable, runSeedScenario } from './scenario/index.js';
export type { SeedOptions, SeedTable } from './scenario/index.js';

export { createPool, Pool, PoolAbortedError, PoolClosedError, PoolError, PoolOptionsError, PoolTimeoutError, PoolUsageError } from './pool/index.js';
export type { AcquireOptions, PoolOptions } from './pool/index.js';
