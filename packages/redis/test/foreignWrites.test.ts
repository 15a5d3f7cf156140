import { StoreErrorCode, StowageError } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import { invalidationEvents } from '../src/feed/foreignWrites/invalidationEvents.js';
import { trackingPermissionError } from '../src/feed/foreignWrites/trackingPermission.js';

// How tracking's invalidation messages become change events, and how a refused step is named.
const keys = (...names: string[]) => names.map((name) => Buffer.from(name));

describe('invalidationEvents', () => {
  it('turns each kind written into one kind event', () => {
    expect(invalidationEvents('P:', keys('P:features', 'P:segments', 'P:features'))).toEqual([
      { type: 'kind', kind: { namespace: 'features' } },
      { type: 'kind', kind: { namespace: 'segments' } },
    ]);
  });

  it('turns a flush and a change of the marker into a reset', () => {
    expect(invalidationEvents('P:', null)).toEqual([{ type: 'reset' }]);
    expect(invalidationEvents('P:', keys('P:features', 'P:$inited'))).toEqual([{ type: 'reset' }]);
  });

  it('ignores keys that are no kind of the store, and messages that are no invalidation', () => {
    // A longer prefix of another store, keys outside the prefix, names no kind can have.
    expect(invalidationEvents('P:', keys('P:a:features', 'Q:features', 'P:', 'P:{x}'))).toEqual([]);
    expect(invalidationEvents('{P}:', keys('{P}:features'))).toEqual([
      { type: 'kind', kind: { namespace: 'features' } },
    ]);
    expect(invalidationEvents('P:', Buffer.from('P:features'))).toEqual([]);
  });
});

describe('trackingPermissionError', () => {
  it.each([
    [
      'clientId',
      "NOPERM this user has no permissions to run the 'client|id' command",
      '+client|id',
    ],
    [
      'tracking',
      "NOPERM this user has no permissions to run the 'client|tracking' command",
      '+client|tracking',
    ],
    [
      'subscribe',
      "NOPERM this user has no permissions to run the 'subscribe' command",
      '+subscribe',
    ],
    [
      'subscribe',
      'NOPERM this user has no permissions to access one of the channels used as arguments',
      '&__redis__:invalidate',
    ],
  ] as const)('names the rule a refused %s needs', (step, reply, rule) => {
    const error = trackingPermissionError(step, new Error(reply), []);
    expect(StowageError.is(error, StoreErrorCode.Permission)).toBe(true);
    expect(error.message).toContain(`ACL rule ${rule}:`);
  });
});
