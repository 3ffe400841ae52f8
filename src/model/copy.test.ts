import { describe, expect, it } from 'vitest';
import { CONN_FIELDS, OPTIONAL_STATE_FIELDS, STATE_FIELDS, withConn, withState } from './copy.js';
import { asyncpgSemantics } from './semantics.js';
import { initialState, type ModelConn, type ModelState } from './state.js';

/** An object with every listed field set to a value of its own, so a field left out of the copy shows. */
function everyField<T>(fields: Record<string, true>): T {
  return Object.fromEntries(Object.keys(fields).map((key) => [key, { field: key }])) as T;
}

describe('the model copies its state as a spread does', () => {
  it('copies every field of the state, then applies the changes', () => {
    const state = everyField<ModelState>(STATE_FIELDS);
    expect(withState(state, {})).toStrictEqual({ ...state });
    expect(withState(state, { now: 7, waiters: [] })).toStrictEqual({ ...state, now: 7, waiters: [] });
  });

  it('lists the fields in the order a new state has them', () => {
    expect(Object.keys(STATE_FIELDS)).toEqual(Object.keys(initialState({ minSize: 0, maxSize: 1, lifetimeMs: 1 }, asyncpgSemantics)));
  });

  it('gives every state every field, one a step left unset as undefined, so that all share one shape', () => {
    const state = initialState({ minSize: 0, maxSize: 1, lifetimeMs: 1 }, asyncpgSemantics);
    for (const field of OPTIONAL_STATE_FIELDS) {
      expect(field in state).toBe(true);
      expect(state[field]).toBeUndefined();
    }
    const set = withState(state, { connectsLandByIo: true });
    expect(Object.keys(withState(set, { connectsLandByIo: undefined }))).toEqual(Object.keys(state));
    expect(withState(set, { now: 3 }).connectsLandByIo).toBe(true);
  });

  it('copies every field of a connection, in order, an unset mark as undefined', () => {
    const conn = everyField<ModelConn>(CONN_FIELDS);
    expect(withConn(conn, { kept: true })).toStrictEqual({ ...conn, kept: true });
    const plain: ModelConn = { ...conn, orphan: undefined, checkedBack: undefined, leftIdle: undefined, broken: undefined };
    expect(Object.keys(withConn(plain, { kept: true }))).toEqual(Object.keys(CONN_FIELDS));
    expect(withConn(plain, {}).orphan).toBeUndefined();
  });

  it('never changes the state it copies', () => {
    const state = initialState({ minSize: 0, maxSize: 1, lifetimeMs: 1 }, asyncpgSemantics);
    const before = { ...state };
    withState(state, { now: 5 });
    expect(state).toStrictEqual(before);
  });
});
