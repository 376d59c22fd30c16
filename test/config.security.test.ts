import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_THROTTLE } from '../src/app/loginThrottle.js';
import { ConfigError, loadConfig } from '../src/config/load.js';

describe('configuration of the sign-in throttle and /metrics', () => {
  it('defaults to the documented numbers and to loopback-only metrics', () => {
    const config = loadConfig({ env: {} });
    assert.deepEqual(config.signInThrottle, DEFAULT_THROTTLE, 'the schema and the use case agree on the defaults');
    assert.deepEqual(config.signInThrottle, { freeFailuresPerLogin: 5, freeFailuresPerAddress: 30, baseDelaySeconds: 1, maxDelaySeconds: 900, forgetAfterSeconds: 3600, maxEntries: 100_000 });
    assert.deepEqual(config.metrics, { allow: ['127.0.0.0/8', '::1/128'] });
  });

  it('reads the metrics list and token from the environment', () => {
    const config = loadConfig({ env: { PCHAT_METRICS_ALLOW: '10.0.0.0/8, 192.0.2.7 ,fd00::/8', PCHAT_METRICS_TOKEN: 'a-long-enough-token' } });
    assert.deepEqual(config.metrics, { allow: ['10.0.0.0/8', '192.0.2.7', 'fd00::/8'], token: 'a-long-enough-token' });
  });

  it('names each bad value', () => {
    try {
      loadConfig({ env: { PCHAT_METRICS_ALLOW: '10.0.0.0/33,localhost', PCHAT_METRICS_TOKEN: 'short' }, overrides: { 'signInThrottle.baseDelaySeconds': 60, 'signInThrottle.maxDelaySeconds': 30 } });
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      const text = error.problems.join('\n');
      assert.match(text, /metrics\.allow\.0.*"10\.0\.0\.0\/33" is not an IP address or CIDR block/);
      assert.match(text, /metrics\.allow\.1.*"localhost" is not an IP address or CIDR block/);
      assert.match(text, /metrics\.token.*at least 16 characters/);
      assert.match(text, /signInThrottle\.maxDelaySeconds.*at least baseDelaySeconds/);
    }
  });
});
