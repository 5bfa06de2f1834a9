import { describe, expect, it } from 'vitest';
import { MarketError } from '../../src/errors.js';
import { consolidatedBookInputSchema, indexInputSchema } from '../../src/consolidated/schemas.js';
import { parseInput } from '../../src/validate.js';

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MarketError);
    expect((error as MarketError).reason).toBe('INVALID_INPUT');
    return (error as MarketError).message;
  }
  throw new Error('expected the input to be rejected');
}

describe('consolidated input schemas', () => {
  it('applies the default depth and keeps step optional', () => {
    expect(consolidatedBookInputSchema.parse({ symbol: 'BTC/USDT', exchanges: ['sim', 'sim2'] })).toEqual({
      symbol: 'BTC/USDT',
      exchanges: ['sim', 'sim2'],
      depth: 20,
    });
    expect(
      consolidatedBookInputSchema.parse({
        symbol: 'BTC/USDT',
        exchanges: ['sim', 'sim2', 'sim3'],
        depth: 100,
        step: 0.5,
      }),
    ).toMatchObject({ depth: 100, step: 0.5 });
    expect(indexInputSchema.parse({ symbol: 'ETH/USDT', exchanges: [' sim ', 'sim3'] })).toEqual({
      symbol: 'ETH/USDT',
      exchanges: ['sim', 'sim3'],
    });
  });

  it('names the field: fewer than 2, more than 10, duplicates (case-insensitive)', () => {
    expect(messageOf(() => parseInput(indexInputSchema, { symbol: 'BTC/USDT', exchanges: ['sim'] }))).toMatch(
      /exchanges: exchanges needs at least 2 exchanges/,
    );
    const eleven = Array.from({ length: 11 }, (_, i) => `x${i}`);
    expect(messageOf(() => parseInput(indexInputSchema, { symbol: 'BTC/USDT', exchanges: eleven }))).toMatch(
      /exchanges: exchanges takes at most 10 exchanges/,
    );
    expect(
      messageOf(() =>
        parseInput(consolidatedBookInputSchema, { symbol: 'BTC/USDT', exchanges: ['sim', 'okx', 'SIM'] }),
      ),
    ).toMatch(/exchanges\.2: exchanges must be distinct: "sim" is listed more than once/);
    expect(
      messageOf(() => parseInput(indexInputSchema, { symbol: 'BTC/USDT', exchanges: ['sim', ''] })),
    ).toMatch(/exchanges\.1: exchange is required/);
  });

  it('names depth and step when out of range', () => {
    const base = { symbol: 'BTC/USDT', exchanges: ['sim', 'sim2'] };
    expect(messageOf(() => parseInput(consolidatedBookInputSchema, { ...base, depth: 101 }))).toMatch(
      /^Invalid input: depth:/,
    );
    expect(messageOf(() => parseInput(consolidatedBookInputSchema, { ...base, depth: 0 }))).toMatch(/depth:/);
    expect(messageOf(() => parseInput(consolidatedBookInputSchema, { ...base, step: 0 }))).toMatch(
      /step: step must be greater than 0/,
    );
    expect(messageOf(() => parseInput(consolidatedBookInputSchema, { ...base, step: -1 }))).toMatch(/step:/);
    expect(messageOf(() => parseInput(consolidatedBookInputSchema, { exchanges: ['sim', 'sim2'] }))).toMatch(
      /symbol:/,
    );
  });
});
