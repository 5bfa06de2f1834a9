import ccxt from 'ccxt';
import { MarketError } from '../errors.js';

export const SIM_EXCHANGE_ID = 'sim';

/** Every ccxt exchange id plus `sim`. A Set, so ids like `__proto__` or `constructor` are never found. */
const KNOWN_IDS: ReadonlySet<string> = new Set([SIM_EXCHANGE_ID, ...ccxt.exchanges]);

export class ExchangeRegistry {
  private readonly allowed: ReadonlySet<string>;

  /** @param allowlist ids from MCP_EXCHANGES; undefined means every known id */
  constructor(allowlist?: readonly string[]) {
    const ids = allowlist
      ? allowlist.map((id) => id.trim().toLowerCase()).filter((id) => KNOWN_IDS.has(id))
      : [...KNOWN_IDS];
    this.allowed = new Set(ids);
  }

  /** Known ids not in ccxt (nor sim), for config validation. */
  static unknownIds(ids: readonly string[]): string[] {
    return ids.filter((id) => !KNOWN_IDS.has(id.trim().toLowerCase()));
  }

  ids(): string[] {
    return [...this.allowed].sort((a, b) =>
      a === SIM_EXCHANGE_ID ? -1 : b === SIM_EXCHANGE_ID ? 1 : a.localeCompare(b),
    );
  }

  /** Normalised id, or UNKNOWN_EXCHANGE naming what was asked for. */
  resolve(raw: string): string {
    const id = raw.trim().toLowerCase();
    if (this.allowed.has(id)) return id;
    const why = KNOWN_IDS.has(id)
      ? 'is not enabled on this server (MCP_EXCHANGES)'
      : 'is not a ccxt exchange id nor "sim"';
    throw new MarketError('UNKNOWN_EXCHANGE', `Unknown exchange "${raw.slice(0, 64)}": it ${why}`);
  }
}
