// A tiny pool process for the JSON-lines protocol's wake phase: asyncpg's semantics (a timer per
// idle connection, armed on create and release; LIFO; a graceful close after the last release)
// with a hand-off in a `setImmediate`, on a virtual clock of its own. It orders a wake as Node
// does: in the `io` phase an acquire queued during the block is served before the overdue
// expiries, in `timers` after them. Its one argument: `phases` announces `wakePhases` in the
// hello; anything else announces none, as a protocol 1 peer (which then wakes into timers).
import { createInterface } from 'node:readline';

const announces = process.argv[2] === 'phases';
let at = 0;
let lifetime = 0;
let nextConn = 1;
/** Idle connections, the top of the stack last, each with when its timer fires. */
const idle = [];
const busy = new Set();
let events = [];
let closing = null;
let blocked = false;
const onWake = [];

function reply(id, fields) {
  const counters = { idle: idle.length, size: idle.length + busy.size, waiting: 0 };
  const timers = idle.filter((c) => c.due !== Infinity).length;
  process.stdout.write(`${JSON.stringify({ id, at, counters, timers, events, ...fields })}\n`);
  events = [];
}

function opened() {
  const id = nextConn++;
  events.push({ type: 'create', id, at });
  return id;
}

function idleNow(id) {
  idle.push({ id, due: lifetime > 0 ? at + lifetime : Infinity });
}

/** Fires every expiry timer due by `until`, in due order, each at its due time (or `at`, on a wake). */
function expire(until, atWake) {
  for (;;) {
    const due = idle.filter((c) => c.due <= until).sort((a, b) => a.due - b.due)[0];
    if (due === undefined) return;
    idle.splice(idle.indexOf(due), 1);
    events.push({ type: 'destroy', id: due.id, at: atWake ? at : due.due });
  }
}

function acquire(id) {
  const conn = idle.pop()?.id ?? opened();
  busy.add(conn);
  reply(id, { ok: true, result: { connection: conn } });
}

function closeAll(id) {
  for (const c of idle) events.push({ type: 'destroy', id: c.id, at });
  idle.length = 0;
  reply(id, { ok: true, result: null });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const req = JSON.parse(line);
  switch (req.op) {
    case 'hello':
      return reply(req.id, { ok: true, result: { protocol: 1, pool: 'expiring fake', ...(announces ? { wakePhases: ['timers', 'io'] } : {}) } });
    case 'create':
      lifetime = req.config.lifetimeMs;
      for (let i = 0; i < req.config.minSize; i++) idleNow(opened());
      return reply(req.id, { ok: true, result: null });
    case 'acquire':
      // Issued during a block, its setImmediate runs at the wake, ordered by the phase.
      if (blocked) return void onWake.push(req.id);
      return acquire(req.id);
    case 'release':
      if (!busy.delete(req.connection)) return reply(req.id, { ok: false, error: { type: 'ValueError', message: `no connection #${req.connection} is in use` } });
      idleNow(req.connection);
      reply(req.id, { ok: true, result: null });
      if (closing !== null && busy.size === 0) closeAll(closing);
      return;
    case 'query':
      events.push({ type: 'query', id: req.connection, at, sql: req.sql });
      return reply(req.id, { ok: true, result: [] });
    case 'sleep':
      expire(at + req.ms, false);
      at += req.ms;
      return reply(req.id, { ok: true, result: null });
    case 'block':
      at += req.ms;
      blocked = true;
      return reply(req.id, { ok: true, result: null });
    case 'wake': {
      blocked = false;
      const waiting = onWake.splice(0);
      if (req.phase === 'io') {
        for (const id of waiting) acquire(id);
        expire(at, true);
      } else {
        expire(at, true);
        for (const id of waiting) acquire(id);
      }
      return reply(req.id, { ok: true, result: null });
    }
    case 'close':
      if (busy.size > 0) closing = req.id;
      else closeAll(req.id);
      return;
    case 'terminate':
      for (const c of idle) events.push({ type: 'destroy', id: c.id, at });
      for (const id of busy) events.push({ type: 'destroy', id, at });
      idle.length = 0;
      busy.clear();
      return reply(req.id, { ok: true, result: null });
    default:
      return reply(req.id, { ok: true, result: null });
  }
});
