import { describe, expect, it } from 'vitest';
import { candleStart, nextCandleStart, normaliseSymbol, timeframeMs } from '../src/symbols.js';
import { ExchangeRegistry } from '../src/exchanges/registry.js';

describe('normaliseSymbol', () => {
  it.each([
    ['BTC-USDT', 'BTC/USDT'],
    ['btc_usdt', 'BTC/USDT'],
    ['btc/usdt', 'BTC/USDT'],
    [' BTC/USDT ', 'BTC/USDT'],
    ['btc/usdt:usdt', 'BTC/USDT:USDT'],
    ['BTC-USDT:USDT', 'BTC/USDT:USDT'],
  ])('%s → %s', (raw, expected) => expect(normaliseSymbol(raw)).toBe(expected));

  it('leaves an exchange id without separator for the markets lookup', () => {
    expect(normaliseSymbol('BTCUSDT')).toBe('BTCUSDT');
  });

  it('rejects an empty symbol', () => {
    expect(() => normaliseSymbol('  ')).toThrow(/symbol is required/);
  });
});

describe('timeframes', () => {
  it('parses durations', () => {
    expect(timeframeMs('1m')).toBe(60_000);
    expect(timeframeMs('4h')).toBe(14_400_000);
    expect(timeframeMs('1w')).toBe(604_800_000);
    expect(timeframeMs('0m')).toBeUndefined();
    expect(timeframeMs('1x')).toBeUndefined();
  });

  it('aligns candles, weeks on Monday, months on the 1st (UTC)', () => {
    const t = Date.UTC(2026, 10, 21, 9, 37, 12); // Saturday
    expect(candleStart(t, '1m')).toBe(Date.UTC(2026, 10, 21, 9, 37));
    expect(candleStart(t, '4h')).toBe(Date.UTC(2026, 10, 21, 8));
    expect(candleStart(t, '1w')).toBe(Date.UTC(2026, 10, 16));
    expect(new Date(candleStart(t, '1w')).getUTCDay()).toBe(1);
    expect(candleStart(t, '1M')).toBe(Date.UTC(2026, 10, 1));
    expect(nextCandleStart(Date.UTC(2026, 11, 1), '1M')).toBe(Date.UTC(2027, 0, 1));
  });
});

describe('ExchangeRegistry', () => {
  const registry = new ExchangeRegistry();

  it('knows sim and ccxt ids, case-insensitively', () => {
    expect(registry.resolve('sim')).toBe('sim');
    expect(registry.resolve('Binance')).toBe('binance');
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'nope'])(
    'rejects %s as UNKNOWN_EXCHANGE',
    (id) => {
      expect(() => registry.resolve(id)).toThrow(expect.objectContaining({ reason: 'UNKNOWN_EXCHANGE' }));
    },
  );

  it('honours the MCP_EXCHANGES allowlist with a clear message', () => {
    const only = new ExchangeRegistry(['sim', 'kraken']);
    expect(only.ids()).toEqual(['sim', 'kraken']);
    expect(() => only.resolve('binance')).toThrow(/not enabled on this server/);
  });
});
