import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOCKOUT_MS, LoginThrottle, MAX_FAILURES } from '../../src/app/loginThrottle.js';
import { PchatError } from '../../src/core/errors.js';

describe('login throttle', () => {
  const limited = (error: unknown) => error instanceof PchatError && error.code === 'rate_limited';

  it('locks a login out after repeated failures, for a while, whatever its case', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now);
    for (let i = 0; i < MAX_FAILURES - 1; i++) throttle.failed('Alice');
    assert.doesNotThrow(() => throttle.check('alice'));
    throttle.failed('alice');
    assert.throws(() => throttle.check('ALICE'), limited);
    assert.doesNotThrow(() => throttle.check('bob'), 'other logins are unaffected');
    now += LOCKOUT_MS + 1;
    assert.doesNotThrow(() => throttle.check('alice'));
  });

  it('forgets failures after a success, and failures spread out over time', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now);
    for (let i = 0; i < MAX_FAILURES - 1; i++) throttle.failed('carol');
    throttle.succeeded('carol');
    throttle.failed('carol');
    assert.doesNotThrow(() => throttle.check('carol'));
    for (let i = 0; i < MAX_FAILURES - 1; i++) {
      now += LOCKOUT_MS / 2 + 1;
      throttle.failed('dave');
    }
    now += LOCKOUT_MS + 1;
    throttle.failed('dave');
    assert.doesNotThrow(() => throttle.check('dave'));
  });
});
