#!/usr/bin/env python3
"""poolcheck's bridge to asyncpg: runs asyncpg's real Pool under virtual time, driven over stdio.

poolcheck (the parent) writes one JSON request per line on stdin; this process answers one JSON
reply per line on stdout. The protocol is described in poolcheck's README, "Pools in other
languages: the JSON-lines protocol".

The pool runs on an asyncio event loop whose clock (`loop.time()`) is virtual: it stands still
unless the parent moves it with `sleep` or `block`. Socket I/O to PostgreSQL is real and happens
while virtual time stands still, so a round trip to the server takes no virtual time. Idle expiry
is asyncpg's own: each PoolConnectionHolder arms `loop.call_later(max_inactive_time, ...)`, and
this bridge only decides when the loop may run those timers.

Only the standard library and asyncpg are used. Python 3.9+.
"""

import asyncio
import json
import math
import os
import selectors
import sys
import time
import traceback

PROTOCOL = 1
# How long (real time) the loop may wait for socket I/O before an operation counts as stuck.
SETTLE_BUDGET_S = float(os.environ.get('POOLCHECK_BRIDGE_SETTLE_MS', '10000')) / 1000
# Timers fired at one virtual instant before the loop counts as a runaway.
MAX_TIMERS_PER_INSTANT = 10_000
# Real wait per I/O poll while an operation waits for the server.
IO_POLL_S = 0.05

try:
    import asyncpg
    from asyncpg import pool as asyncpg_pool
except ImportError as error:  # pragma: no cover - reported to the parent as a failed hello
    asyncpg = None
    IMPORT_ERROR = str(error)
else:
    IMPORT_ERROR = None


class CappedSelector:
    """A selector whose wait is capped by the driver: asyncio computes the select timeout from the
    next timer's virtual delay, which must never become a real wait."""

    def __init__(self, inner):
        self.inner = inner
        self.cap = 0.0
        self.last_events = 0

    def select(self, timeout=None):
        wait = self.cap if timeout is None else min(timeout, self.cap)
        events = self.inner.select(max(0.0, wait))
        self.last_events = len(events)
        return events

    def __getattr__(self, name):
        return getattr(self.inner, name)


class VirtualLoop(asyncio.SelectorEventLoop):
    """An event loop whose time is `virtual_ms`, moved only by the bridge."""

    def __init__(self):
        self.selector = CappedSelector(selectors.DefaultSelector())
        super().__init__(self.selector)
        self.virtual_ms = 0
        # Timers are due at whole virtual milliseconds; a float `when` a hair above its millisecond
        # (5.7 + 0.3) must still count as due there.
        self._clock_resolution = 1e-6

    def time(self):
        return self.virtual_ms / 1000.0


class Stuck(Exception):
    pass


def due_ms(handle):
    return math.ceil(handle.when() * 1000 - 1e-3)


class Bridge:
    def __init__(self, out):
        self.out = out
        self.loop = VirtualLoop()
        asyncio.events._set_running_loop(self.loop)
        self.loop.set_exception_handler(self._on_loop_error)
        self.loop_errors = []
        self.events = []
        self.next_conn_id = 1
        self.pool = None
        self.tidy_timers = False
        self.in_use = {}
        self.blocked = False
        # Request tasks not answered yet: id -> (op, task), and the ids done, in completion order.
        self.pending = {}
        self.done_order = []

    # ---- time -------------------------------------------------------------------------------

    def now(self):
        return self.loop.virtual_ms

    def next_timer_ms(self):
        live = [h for h in self.loop._scheduled if not h.cancelled()]
        return min((due_ms(h) for h in live), default=None)

    def pending_timers(self):
        return sum(1 for h in self.loop._scheduled if not h.cancelled())

    def run_instant(self):
        """Runs everything due at the current virtual instant, waiting (in real time, bounded) for
        socket I/O while a request task is still working. Returns when nothing is ready, nothing is
        due, no I/O is waiting, and every request task is done or parked."""
        loop = self.loop
        started = time.monotonic()
        fired = 0
        while True:
            loop.selector.cap = 0.0
            before = len(loop._scheduled)
            loop._run_once()
            fired += max(0, before - len(loop._scheduled))
            if fired > MAX_TIMERS_PER_INSTANT:
                raise Stuck(f'more than {MAX_TIMERS_PER_INSTANT} timers fired at {self.now()} ms without time moving: a runaway timer loop')
            if loop._ready or loop.selector.last_events > 0 or self.has_due_timer():
                continue
            working = self.working()
            if not working:
                return
            if time.monotonic() - started > SETTLE_BUDGET_S:
                raise Stuck(f"{', '.join(working)} did not settle within {int(SETTLE_BUDGET_S * 1000)} ms of real time at {self.now()} ms (no I/O arrived and nothing was due)")
            loop.selector.cap = IO_POLL_S
            loop._run_once()
            if loop.selector.last_events > 0:
                started = time.monotonic()

    def has_due_timer(self):
        for h in self.loop._scheduled:
            if not h.cancelled() and h.when() < self.loop.time() + self.loop._clock_resolution:
                return True
        return False

    def working(self):
        """Request tasks still running that no later request is needed for. Parked tasks wait for a
        release, which only a later request can bring: a graceful close with connections in use,
        and acquires waiting in the queue of a full pool (one per pending getter)."""
        running = [op for op, task in self.pending.values() if not task.done()]
        working = [op for op in running if op not in ('acquire', 'close')]
        pool = self.pool
        if pool is None:
            return working + [op for op in running if op in ('acquire', 'close')]
        if 'close' in running and not any(h._in_use is not None for h in pool._holders):
            working.append('close')
        waiting = self.counters().get('waiting', 0)
        acquiring = running.count('acquire')
        working.extend(['acquire'] * max(0, acquiring - waiting))
        return working

    def parked(self, op):
        pool = self.pool
        if pool is None:
            return False
        if op == 'close':
            return any(h._in_use is not None for h in pool._holders)
        if op == 'acquire':
            return self.counters().get('waiting', 0) > 0
        return False

    def sleep(self, ms):
        target = self.now() + ms
        self.run_instant()
        while True:
            nxt = self.next_timer_ms()
            if nxt is None or nxt > target:
                break
            if nxt > self.now():
                self.loop.virtual_ms = nxt
            self.run_instant()
            if self.has_due_timer():
                raise Stuck(f'a timer due at {nxt} ms did not run')
        self.loop.virtual_ms = target
        self.run_instant()

    # ---- the pool ---------------------------------------------------------------------------

    def log(self, type_, conn_id, sql=None):
        event = {'type': type_, 'id': conn_id, 'at': self.now()}
        if sql is not None:
            event['sql'] = sql
        self.events.append(event)

    def connection_class(self):
        bridge = self

        class InstrumentedConnection(asyncpg.Connection):
            """Logs creation and every close of an open connection, with virtual time."""

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self._poolcheck_id = bridge.next_conn_id
                bridge.next_conn_id += 1
                bridge.log('create', self._poolcheck_id)

            async def close(self, *, timeout=None):
                if not self.is_closed():
                    bridge.log('destroy', self._poolcheck_id)
                return await super().close(timeout=timeout)

            def terminate(self):
                if not self.is_closed():
                    bridge.log('destroy', self._poolcheck_id)
                return super().terminate()

        return InstrumentedConnection

    def counters(self):
        pool = self.pool
        if pool is None:
            return {'idle': 0, 'size': 0, 'waiting': 0}
        queue = getattr(pool, '_queue', None)
        getters = getattr(queue, '_getters', None)
        counters = {'idle': pool.get_idle_size(), 'size': pool.get_size()}
        if getters is not None:
            counters['waiting'] = sum(1 for g in getters if not g.done())
        return counters

    def conn(self, req):
        conn_id = req.get('connection')
        proxy = self.in_use.get(conn_id)
        if proxy is None:
            raise ValueError(f'no connection #{conn_id} is in use')
        return conn_id, proxy

    async def op_create(self, req):
        if self.pool is not None:
            raise ValueError('the pool already exists; one pool per process')
        config = req.get('config') or {}
        options = req.get('options') or {}
        for field in ('minSize', 'maxSize', 'lifetimeMs'):
            value = config.get(field)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f'create needs config.{field}, a whole number >= 0, got {value!r}')
        dsn = options.get('dsn') or os.environ.get('DATABASE_URL')
        if not dsn:
            raise ValueError('create needs options.dsn (or DATABASE_URL): the PostgreSQL server the pool connects to')
        pool = asyncpg.create_pool(
            dsn,
            min_size=config['minSize'],
            max_size=config['maxSize'],
            max_inactive_connection_lifetime=config['lifetimeMs'] / 1000,
            connection_class=self.connection_class(),
        )
        self.tidy_timers = bool(options.get('tidyTimersAfterClose'))
        # Counters read the pool while it opens its minimum.
        self.pool = pool
        try:
            await pool
        except BaseException:
            self.pool = None
            raise
        return None

    async def op_acquire(self, req):
        pool = self.need_pool()
        proxy = await pool.acquire()
        conn_id = proxy._con._poolcheck_id
        self.in_use[conn_id] = proxy
        return {'connection': conn_id}

    async def op_release(self, req):
        pool = self.need_pool()
        conn_id, proxy = self.conn(req)
        del self.in_use[conn_id]
        await pool.release(proxy)
        return None

    async def op_query(self, req):
        conn_id, proxy = self.conn(req)
        sql = req.get('sql')
        if not isinstance(sql, str):
            raise ValueError(f'query needs sql, a string, got {sql!r}')
        self.log('query', conn_id, sql)
        value = await proxy.fetchval(sql)
        return value if isinstance(value, (int, float, str, bool, type(None))) else str(value)

    async def op_close(self, req):
        await self.need_pool().close()
        self.in_use.clear()
        self.tidy()
        return None

    async def op_terminate(self, req):
        self.need_pool().terminate()
        self.in_use.clear()
        self.tidy()
        return None

    def tidy(self):
        # asyncpg closes a connection that was idle without telling its holder, whose inactivity
        # timer stays armed (it fires later and does nothing). Opt-in: see tidyTimersAfterClose.
        if self.tidy_timers:
            for holder in self.pool._holders:
                holder._maybe_cancel_inactive_callback()

    def need_pool(self):
        if self.pool is None:
            raise ValueError('no pool: send create first')
        return self.pool

    POOL_OPS = {'create', 'acquire', 'release', 'query', 'close', 'terminate'}

    # ---- the protocol -----------------------------------------------------------------------

    def _on_loop_error(self, loop, context):
        error = context.get('exception')
        message = context.get('message', '')
        if error is not None:
            message = f'{message}: {type(error).__name__}: {error}' if message else f'{type(error).__name__}: {error}'
        self.loop_errors.append(message)

    def send(self, reply):
        reply['at'] = self.now()
        reply['counters'] = self.counters()
        reply['timers'] = self.pending_timers()
        reply['events'] = self.events
        self.events = []
        self.out.write(json.dumps(reply) + '\n')
        self.out.flush()

    def ok(self, req_id, result=None):
        self.send({'id': req_id, 'ok': True, 'result': result})

    def error(self, req_id, message, kind='PoolError'):
        self.send({'id': req_id, 'ok': False, 'error': {'type': kind, 'message': message}})

    def start(self, req_id, op, req):
        coro = getattr(self, f'op_{op}')(req)
        task = self.loop.create_task(coro)
        self.pending[req_id] = (op, task)
        task.add_done_callback(lambda _t: self.done_order.append(req_id))

    def flush_done(self):
        """Answers every request task that finished, in the order they finished."""
        while self.done_order:
            req_id = self.done_order.pop(0)
            entry = self.pending.pop(req_id, None)
            if entry is None:
                continue
            _op, task = entry
            if task.cancelled():
                self.error(req_id, 'the operation was cancelled', 'Cancelled')
                continue
            error = task.exception()
            if error is not None:
                self.error(req_id, f'{type(error).__name__}: {error}', type(error).__name__)
            else:
                self.ok(req_id, task.result())

    def fail_stuck(self, stuck):
        """A stuck loop: every unfinished request that is not parked fails with the reason."""
        for req_id, (op, task) in list(self.pending.items()):
            if not task.done() and not self.parked(op):
                del self.pending[req_id]
                task.cancel()
                self.error(req_id, str(stuck), 'NotSettled')
        # Let the cancellations unwind without waiting for anything.
        self.loop.selector.cap = 0.0
        self.loop._run_once()

    def take_loop_error(self):
        if not self.loop_errors:
            return None
        errors, self.loop_errors = self.loop_errors, []
        return f"a callback on the loop raised: {'; '.join(errors)}"

    def handle(self, req):
        req_id = req.get('id')
        op = req.get('op')
        if not isinstance(req_id, int) or isinstance(req_id, bool):
            self.error(None, f'every request needs an integer "id", got {json.dumps(req_id)}', 'ProtocolError')
            return
        if op == 'hello':
            wanted = req.get('protocol')
            if wanted != PROTOCOL:
                self.error(req_id, f'this bridge speaks protocol {PROTOCOL}, the request asked for {json.dumps(wanted)}', 'ProtocolError')
            elif asyncpg is None:
                self.error(req_id, f'asyncpg cannot be imported: {IMPORT_ERROR}', 'Unavailable')
            else:
                self.ok(req_id, {'protocol': PROTOCOL, 'pool': 'asyncpg', 'version': asyncpg.__version__, 'python': sys.version.split()[0]})
            return
        if op == 'observe':
            self.ok(req_id, self.counters())
            return
        if op == 'block':
            ms = req.get('ms')
            if not isinstance(ms, int) or isinstance(ms, bool) or ms < 0:
                self.error(req_id, f'block needs ms, a whole number >= 0, got {json.dumps(ms)}', 'ProtocolError')
                return
            # Nothing runs: time passes under every timer and every queued callback.
            self.blocked = True
            self.loop.virtual_ms += ms
            self.ok(req_id)
            return
        if op in self.POOL_OPS:
            self.start(req_id, op, req)
            if self.blocked:
                # Issued synchronously while the loop is blocked: its first step runs at the wake,
                # before the timers that came due during the block.
                return
            self.run_and_answer(req_id, None, pool_op=True)
            return
        if op in ('sleep', 'wake', 'settle'):
            if op == 'sleep':
                ms = req.get('ms')
                if not isinstance(ms, int) or isinstance(ms, bool) or ms < 0:
                    self.error(req_id, f'sleep needs ms, a whole number >= 0, got {json.dumps(ms)}', 'ProtocolError')
                    return
                if self.blocked:
                    self.error(req_id, 'sleep while the loop is blocked: send wake first', 'ProtocolError')
                    return
                self.run_and_answer(req_id, lambda: self.sleep(ms))
                return
            if op == 'settle' and self.blocked:
                self.error(req_id, 'settle while the loop is blocked: send wake first', 'ProtocolError')
                return
            self.blocked = False
            self.run_and_answer(req_id, None)
            return
        self.error(req_id, f'unknown op {json.dumps(op)}; ops are hello, create, acquire, release, query, sleep, block, wake, settle, observe, close, terminate', 'ProtocolError')

    def run_and_answer(self, req_id, action, pool_op=False):
        """Runs the loop (an action such as a sleep, else the current instant) and answers every
        request that finished, in the order they finished. A clock request (`pool_op` false) is
        answered last; it carries any exception a callback raised since the last clock request."""
        try:
            if action is not None:
                action()
            else:
                self.run_instant()
        except Stuck as stuck:
            self.fail_stuck(stuck)
            self.flush_done()
            if not pool_op:
                self.error(req_id, str(stuck), 'NotSettled')
            return
        self.flush_done()
        if pool_op:
            return
        failure = self.take_loop_error()
        if failure is not None:
            self.error(req_id, failure, 'CallbackError')
        else:
            self.ok(req_id)


def main():
    # The protocol owns stdout; anything else printed goes to stderr.
    out = os.fdopen(os.dup(sys.stdout.fileno()), 'w', buffering=1)
    sys.stdout = sys.stderr
    bridge = Bridge(out)
    stdin = sys.stdin.buffer
    while True:
        line = stdin.readline()
        if not line:
            break
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
        except ValueError as error:
            bridge.error(None, f'not a JSON line: {error}: {line[:200]!r}', 'ProtocolError')
            continue
        if not isinstance(req, dict):
            bridge.error(None, f'a request must be a JSON object, got {line[:200]!r}', 'ProtocolError')
            continue
        try:
            bridge.handle(req)
        except Exception as error:  # a bug in the bridge: tell the parent, then stop
            traceback.print_exc(file=sys.stderr)
            bridge.error(req.get('id') if isinstance(req.get('id'), int) else None, f'the bridge failed: {type(error).__name__}: {error}', 'BridgeError')
            break
    if bridge.pool is not None:
        try:
            bridge.pool.terminate()
        except Exception:
            pass


if __name__ == '__main__':
    main()
