import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_THROTTLE, LoginThrottle, type ThrottleSettings, throttleAddress } from '../../src/app/loginThrottle.js';
import { PchatError } from '../../src/core/errors.js';

const settings: ThrottleSettings = { ...DEFAULT_THROTTLE, freeFailuresPerLogin: 3, freeFailuresPerAddress: 10, baseDelaySeconds: 2, maxDelaySeconds: 60, forgetAfterSeconds: 600 };

/** The wait the throttle names (seconds), or 0 when the attempt may go ahead. */
function waitOf(throttle: LoginThrottle, source: string, login: string): number {
  try {
    throttle.check(source, login);
    return 0;
  } catch (error) {
    assert.ok(error instanceof PchatError && error.code === 'rate_limited', String(error));
    const seconds = (error.details as { retryAfterSeconds: number }).retryAfterSeconds;
    assert.match(error.message, new RegExp(`try again in ${seconds} s`));
    return seconds;
  }
}

describe('login throttle', () => {
  it('makes a (source, login) pair wait after its free failures, the wait doubling up to the cap', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now, settings);
    for (let i = 0; i < 3; i++) throttle.failed('198.51.100.7', 'Alice');
    assert.equal(waitOf(throttle, '198.51.100.7', 'alice'), 0, 'the free failures cost nothing');
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      throttle.failed('198.51.100.7', 'alice');
      const wait = waitOf(throttle, '198.51.100.7', 'ALICE');
      waits.push(wait);
      now += wait * 1000; // wait it out, then fail again
    }
    assert.deepEqual(waits, [2, 4, 8, 16, 32, 60, 60]);
  });

  it('never slows the same login from another address, nor other logins from the locked address', () => {
    const throttle = new LoginThrottle(() => 0, settings);
    for (let i = 0; i < 4; i++) throttle.failed('203.0.113.9', 'admin');
    assert.ok(waitOf(throttle, '203.0.113.9', 'admin') > 0, 'the attacker waits');
    assert.equal(waitOf(throttle, '192.0.2.1', 'admin'), 0, 'the administrator at their own address does not');
    assert.equal(waitOf(throttle, '203.0.113.9', 'bob'), 0, 'below the address allowance, other logins are unaffected');
    throttle.succeeded('192.0.2.1', 'admin');
    assert.ok(waitOf(throttle, '203.0.113.9', 'admin') > 0, "a success elsewhere does not lift the attacker's wait");
  });

  it('slows password spraying: many logins from one address exhaust the address allowance', () => {
    const now = 0;
    const throttle = new LoginThrottle(() => now, settings);
    for (let i = 0; i < 10; i++) throttle.failed('203.0.113.50', `user${i}`);
    assert.equal(waitOf(throttle, '203.0.113.50', 'user99'), 0, 'ten failures, each on a different login, are within the allowance');
    throttle.failed('203.0.113.50', 'user10');
    assert.equal(waitOf(throttle, '203.0.113.50', 'someone-new'), 2, 'the eleventh makes the whole address wait');
    assert.equal(waitOf(throttle, '203.0.113.51', 'someone-new'), 0, 'its neighbour does not');
    // A success with an account the sprayer holds does not reset the address.
    throttle.succeeded('203.0.113.50', 'user0');
    assert.equal(waitOf(throttle, '203.0.113.50', 'someone-new'), 2);
  });

  it('forgets a pair after a success, and stale entries after forgetAfterSeconds', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now, settings);
    for (let i = 0; i < 3; i++) throttle.failed('192.0.2.5', 'carol');
    throttle.succeeded('192.0.2.5', 'carol');
    throttle.failed('192.0.2.5', 'carol');
    assert.equal(waitOf(throttle, '192.0.2.5', 'carol'), 0, 'the success restarted the count');
    for (let i = 0; i < 4; i++) throttle.failed('192.0.2.6', 'dave');
    assert.equal(waitOf(throttle, '192.0.2.6', 'dave'), 2);
    now += 601_000;
    assert.equal(waitOf(throttle, '192.0.2.6', 'dave'), 0);
    throttle.failed('192.0.2.6', 'dave');
    assert.equal(waitOf(throttle, '192.0.2.6', 'dave'), 0, 'the old failures were forgotten, so this is the first again');
  });

  it('keeps its memory bounded under a flood of made-up logins and addresses', () => {
    const throttle = new LoginThrottle(() => 0, { ...settings, maxEntries: 1000 });
    for (let i = 0; i < 20_000; i++) throttle.failed(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, `login-${i}`);
    assert.deepEqual(throttle.size, { pairs: 1000, addresses: 1000 });
  });

  it('counts IPv6 clients by /64 and IPv4-mapped addresses as IPv4', () => {
    assert.equal(throttleAddress('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(throttleAddress('2001:0db8:0001:0002:ffff:1:2:3'), '2001:db8:1:2::/64');
    assert.equal(throttleAddress('::1'), '0:0:0:0::/64');
    assert.equal(throttleAddress('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(throttleAddress('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(throttleAddress('192.0.2.1'), '192.0.2.1');
    const throttle = new LoginThrottle(() => 0, settings);
    for (let i = 0; i < 4; i++) throttle.failed(`2001:db8:1:2::${i + 1}`, 'erin');
    assert.ok(waitOf(throttle, '2001:db8:1:2:ffff::9', 'erin') > 0, 'a fresh address in the same /64 is the same source');
    assert.equal(waitOf(throttle, '2001:db8:1:3::1', 'erin'), 0);
  });
});
