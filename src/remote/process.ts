import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { parseReply, type Reply, type ReplyState, type Request } from './protocol.js';

// Real timers, captured at import: a remote run installs no fake clock, but a watchdog must never
// be one that fake time could stop.
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const realSetImmediate = globalThis.setImmediate;

/** The child answered a request with an error: the pool (or the bridge) refused or failed it. */
export class RemoteError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

/** The child broke the protocol, died, or went silent: the run cannot go on. */
export class RemoteProcessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteProcessError';
  }
}

export interface RemoteProcessOptions {
  readonly command: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Longest real wait for a reply while a request is pending, ms. Default 30 000. */
  readonly replyTimeoutMs?: number;
  /** Called with every reply's state, before the request it answers settles. */
  readonly onState?: (state: ReplyState) => void;
  /** A label for messages, e.g. "asyncpg". */
  readonly label?: string;
}

interface Pending {
  readonly op: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

const STDERR_LINES = 20;

/**
 * One pool process: requests out as JSON lines, replies matched back by id. Every failure (a bad
 * line, an unknown id, the child exiting, no reply within the bound) rejects every pending request
 * with one clear message, and kills the child.
 */
export class RemoteProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private readonly stderrTail: string[] = [];
  private readonly replyTimeoutMs: number;
  private readonly label: string;
  private nextId = 1;
  private buffer = '';
  private failure: RemoteProcessError | null = null;
  private watchdog: ReturnType<typeof setTimeout> | null = null;
  private disposing = false;
  private readonly exited: Promise<void>;

  constructor(private readonly options: RemoteProcessOptions) {
    this.replyTimeoutMs = options.replyTimeoutMs ?? 30_000;
    this.label = options.label ?? options.command;
    this.child = spawn(options.command, [...(options.args ?? [])], {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      env: { ...process.env, ...options.env },
    });
    this.exited = new Promise((resolve) => this.child.once('close', () => resolve()));
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.onData(chunk));
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim() !== '') this.stderrTail.push(line);
      this.stderrTail.splice(0, Math.max(0, this.stderrTail.length - STDERR_LINES));
    });
    // Writing to a child that died raises EPIPE here; the exit handler gives the real reason.
    this.child.stdin.on('error', () => undefined);
    this.child.once('error', (error) => this.fail(`could not start the ${this.label} pool process (${[options.command, ...(options.args ?? [])].join(' ')}): ${error.message}`));
    this.child.once('exit', (code, signal) => {
      if (this.disposing) return;
      // Let stdout's last lines be read first: a child may answer and then exit.
      realSetImmediate(() => this.fail(`the ${this.label} pool process exited (${signal === null ? `code ${code}` : `signal ${signal}`})${this.pending.size > 0 ? ` with ${this.describePending()} unanswered` : ''}${this.stderrText()}`));
    });
  }

  /** Sends one request; resolves with the reply's result, rejects with its error. */
  request(request: Request): Promise<unknown> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    const promise = new Promise<unknown>((resolve, reject) => this.pending.set(id, { op: request.op, resolve, reject }));
    this.child.stdin.write(`${JSON.stringify({ id, ...request })}\n`);
    this.armWatchdog();
    return promise;
  }

  /** The failure that ended this process, if any. */
  get failed(): RemoteProcessError | null {
    return this.failure;
  }

  /** Kills the child and waits for it (bounded). Safe to call twice. */
  async dispose(): Promise<void> {
    this.disposing = true;
    this.clearWatchdog();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    for (const p of this.pending.values()) p.reject(new RemoteProcessError(`the ${this.label} pool process was stopped with ${p.op} unanswered`));
    this.pending.clear();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.exited, new Promise<void>((resolve) => (timer = realSetTimeout(resolve, 2000)))]);
    realClearTimeout(timer);
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const end = this.buffer.indexOf('\n');
      if (end < 0) return;
      const line = this.buffer.slice(0, end).trim();
      this.buffer = this.buffer.slice(end + 1);
      if (line !== '') this.onLine(line);
      if (this.failure !== null) return;
    }
  }

  private onLine(line: string): void {
    if (this.failure !== null) return;
    const reply = parseReply(line);
    if (typeof reply === 'string') {
      this.fail(`protocol error from the ${this.label} pool process: ${reply}`);
      return;
    }
    if (reply.id === null) {
      this.fail(`the ${this.label} pool process reported a failure: ${reply.ok ? '' : `${reply.error.type}: ${reply.error.message}`}${this.stderrText()}`);
      return;
    }
    const pending = this.pending.get(reply.id);
    if (pending === undefined) {
      this.fail(`protocol error from the ${this.label} pool process: a reply to request ${reply.id}, which is not pending`);
      return;
    }
    this.pending.delete(reply.id);
    this.options.onState?.(reply);
    this.armWatchdog();
    if (reply.ok) pending.resolve(reply.result);
    else pending.reject(new RemoteError(reply.error.type || 'Error', (reply as Extract<Reply, { ok: false }>).error.message));
  }

  private armWatchdog(): void {
    this.clearWatchdog();
    if (this.pending.size === 0 || this.failure !== null) return;
    this.watchdog = realSetTimeout(() => {
      this.fail(`the ${this.label} pool process sent no reply within ${this.replyTimeoutMs} ms (real time) while ${this.describePending()} was pending; it was killed${this.stderrText()}`);
    }, this.replyTimeoutMs);
    // A watchdog must not keep a finished process alive on its own.
    this.watchdog.unref?.();
  }

  private clearWatchdog(): void {
    if (this.watchdog !== null) realClearTimeout(this.watchdog);
    this.watchdog = null;
  }

  private describePending(): string {
    return [...this.pending.values()].map((p) => p.op).join(', ');
  }

  private stderrText(): string {
    return this.stderrTail.length === 0 ? '' : `; its stderr ended with:\n  ${this.stderrTail.join('\n  ')}`;
  }

  private fail(message: string): void {
    if (this.failure !== null) return;
    this.failure = new RemoteProcessError(message);
    this.clearWatchdog();
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
