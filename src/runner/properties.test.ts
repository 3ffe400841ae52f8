import { describe, expect, it } from 'vitest';
import type { ViolationKind } from '../model/violation.js';
import { PROPERTIES, propertyOf } from './properties.js';

// Every kind in the union, listed by hand: a kind added to the union without a property fails here.
const KINDS: Record<ViolationKind, true> = {
  outlived: true, 'expired-early': true, 'destroyed-in-use': true, 'destroyed-unexpectedly': true, 'destroyed-twice': true,
  'floor-broken': true, 'wrong-connection': true, 'handed-out-destroyed': true, 'handed-out-twice': true, 'unexpected-create': true,
  'count-mismatch': true, 'over-max': true, 'changed-while-blocked': true, 'not-settled': true, 'pool-error': true,
  'close-incomplete': true, 'timer-left-pending': true, 'leaked-connection': true, 'server-disagrees': true,
  'not-discarded': true, 'kept-broken': true, 'waiter-not-served': true, 'waiter-answered-early': true, 'served-after-timeout': true, 'timeout-missed': true,
  'waiter-not-rejected': true, 'acquire-not-rejected': true, 'zero-lifetime-accepted': true, 'min-not-refilled': true, 'abandoned-kept': true,
};

describe('property catalogue', () => {
  it('puts every violation kind under exactly one property', () => {
    for (const kind of Object.keys(KINDS) as ViolationKind[]) {
      expect(PROPERTIES.filter((p) => p.breaks.includes(kind)), kind).toHaveLength(1);
      expect(propertyOf(kind).breaks).toContain(kind);
    }
  });
});
