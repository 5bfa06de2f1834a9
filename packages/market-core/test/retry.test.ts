import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { backoffDelay, withRetry } from '../src/retry.js';

const policy = { retries: 3, baseDelayMs: 100, maxDelayMs: 1_000 };

function failing(errors: unknown[]) {
  let calls = 0;
  const fn = async () => {
    const error = errors[calls++];
    if (error) throw error;
    return 'ok';
  };
  return { fn, calls: () => calls };
}

describe('withRetry', () => {
  const sleeps: number[] = [];
  const hooks = { sleep: async (ms: number) => void sleeps.push(ms), random: () => 0.5 };

  it.each([
    ['NetworkError', new ccxt.NetworkError('x')],
    ['RequestTimeout', new ccxt.RequestTimeout('x')],
    ['ExchangeNotAvailable', new ccxt.ExchangeNotAvailable('x')],
    ['DDoSProtection', new ccxt.DDoSProtection('x')],
    ['RateLimitExceeded', new ccxt.RateLimitExceeded('x')],
  ])('retries transient %s until it succeeds', async (_name, error) => {
    const { fn, calls } = failing([error, error]);
    await expect(withRetry(fn, policy, hooks)).resolves.toBe('ok');
    expect(calls()).toBe(3);
  });

  it.each([
    ['BadSymbol', new ccxt.BadSymbol('x')],
    ['BadRequest', new ccxt.BadRequest('x')],
    ['NotSupported', new ccxt.NotSupported('x')],
    ['ExchangeError', new ccxt.ExchangeError('x')],
    ['a bug', new TypeError('x')],
  ])('never retries %s', async (_name, error) => {
    const { fn, calls } = failing([error]);
    await expect(withRetry(fn, policy, hooks)).rejects.toBe(error);
    expect(calls()).toBe(1);
  });

  it('gives up after the configured retries with the last error', async () => {
    const errors = Array.from({ length: 10 }, (_, i) => new ccxt.NetworkError(`e${i}`));
    const { fn, calls } = failing(errors);
    await expect(withRetry(fn, policy, hooks)).rejects.toBe(errors[3]);
    expect(calls()).toBe(4);
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffDelay(policy, 0, () => 0)).toBe(50);
    expect(backoffDelay(policy, 0, () => 1)).toBe(100);
    expect(backoffDelay(policy, 2, () => 1)).toBe(400);
    expect(backoffDelay(policy, 10, () => 1)).toBe(1_000);
    sleeps.length = 0;
    const { fn } = failing([
      new ccxt.NetworkError('a'),
      new ccxt.NetworkError('b'),
      new ccxt.NetworkError('c'),
    ]);
    return withRetry(fn, policy, hooks).then(() => expect(sleeps).toEqual([75, 150, 300]));
  });
});
