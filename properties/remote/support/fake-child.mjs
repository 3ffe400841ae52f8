// A tiny pool process for testing poolcheck's side of the JSON-lines protocol. Its one argument
// picks how it misbehaves; `good` answers like a pool that never expires anything, as a protocol 1
// peer that announces no wake phases (and refuses a wake that carries one); `phases` is the same
// pool announcing the timers and io phases, which then wants each wake to name its phase;
// `bad-phases` announces phases it cannot have.
import { createInterface } from 'node:readline';

const mode = process.argv[2] ?? 'good';
let at = 0;
let nextConn = 1;
const idle = [];
const busy = new Set();
let events = [];
let closing = null;
const wakes = [];

function closeAll(id) {
  for (const c of idle) events.push({ type: 'destroy', id: c, at });
  idle.length = 0;
  reply(id, { ok: true, result: null });
}

function reply(id, fields) {
  const counters = { idle: idle.length, size: idle.length + busy.size, waiting: 0 };
  process.stdout.write(`${JSON.stringify({ id, at, counters, timers: 0, events, ...fields })}\n`);
  events = [];
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const req = JSON.parse(line);
  if (req.op === 'hello') {
    if (mode === 'wrong-protocol') return reply(req.id, { ok: true, result: { protocol: 99 } });
    if (mode === 'phases') return reply(req.id, { ok: true, result: { protocol: 1, pool: 'fake', wakePhases: ['timers', 'io'] } });
    if (mode === 'bad-phases') return reply(req.id, { ok: true, result: { protocol: 1, pool: 'fake', wakePhases: ['io', 'check'] } });
    reply(req.id, { ok: true, result: { protocol: 1, pool: 'fake' } });
    return;
  }
  if (mode === 'silent') return;
  if (mode === 'dies') {
    process.stderr.write('fake pool: giving up\n');
    process.exit(7);
  }
  if (mode === 'garbage') return void process.stdout.write('this is not json\n');
  if (mode === 'unknown-id') return reply(req.id + 100, { ok: true, result: null });
  switch (req.op) {
    case 'create':
      return reply(req.id, { ok: true, result: null });
    case 'acquire': {
      const id = idle.pop() ?? nextConn++;
      if (id === nextConn - 1 && !busy.has(id)) events.push({ type: 'create', id, at });
      busy.add(id);
      return reply(req.id, { ok: true, result: { connection: id } });
    }
    case 'release':
      if (!busy.delete(req.connection)) return reply(req.id, { ok: false, error: { type: 'ValueError', message: `no connection #${req.connection} is in use` } });
      idle.push(req.connection);
      reply(req.id, { ok: true, result: null });
      // A graceful close waits for the last release, then closes everything.
      if (closing !== null && busy.size === 0) closeAll(closing);
      return;
    case 'sleep':
      at += req.ms;
      return reply(req.id, { ok: true, result: null });
    case 'block':
      at += req.ms;
      return reply(req.id, { ok: true, result: null });
    case 'wake':
      if (mode === 'phases' && req.phase !== 'timers' && req.phase !== 'io') return reply(req.id, { ok: false, error: { type: 'ProtocolError', message: `wake needs "phase": "timers" or "io", got ${JSON.stringify(req.phase)}` } });
      if (mode !== 'phases' && 'phase' in req) return reply(req.id, { ok: false, error: { type: 'ProtocolError', message: 'this pool announced no wake phases, yet a wake carried one' } });
      wakes.push(req.phase ?? 'timers');
      return reply(req.id, { ok: true, result: null });
    case 'observe':
      // The phases of the wakes so far, so a test can see what reached the pool.
      return reply(req.id, { ok: true, result: { wakes } });
    case 'close':
      if (busy.size > 0) closing = req.id;
      else closeAll(req.id);
      return;
    case 'terminate':
      for (const id of [...idle, ...busy]) events.push({ type: 'destroy', id, at });
      idle.length = 0;
      busy.clear();
      return reply(req.id, { ok: true, result: null });
    default:
      return reply(req.id, { ok: true, result: null });
  }
});
