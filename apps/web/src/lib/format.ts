/** Number and time formatting for a dense terminal: fixed decimals per magnitude, tabular-friendly. */

const MINUS = '\u2212';
const DASH = '\u2014';

/** Decimals that keep about six significant digits: 43,210.55 · 98.765 · 0.61234 · 0.0812345. */
export function priceDecimals(reference: number | null | undefined): number {
  if (reference === null || reference === undefined || !Number.isFinite(reference) || reference === 0)
    return 2;
  const magnitude = Math.floor(Math.log10(Math.abs(reference)));
  return Math.min(10, Math.max(2, 4 - magnitude));
}

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(min: number, max: number, grouping = true): Intl.NumberFormat {
  const key = `${min}:${max}:${grouping}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat('en-US', {
      minimumFractionDigits: min,
      maximumFractionDigits: max,
      useGrouping: grouping,
    });
    numberFormats.set(key, format);
  }
  return format;
}

function withMinus(text: string): string {
  return text.startsWith('-') ? MINUS + text.slice(1) : text;
}

/** A price with decimals chosen from `reference` (defaults to the value itself). */
export function formatPrice(value: number | null | undefined, reference?: number | null): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  const decimals = priceDecimals(reference ?? value);
  return withMinus(numberFormat(decimals, decimals).format(value));
}

/** +1.23% / −0.45% / 0.00% */
export function formatPercent(value: number | null | undefined, decimals = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  const text = numberFormat(decimals, decimals, false).format(Math.abs(value));
  if (Number(text) === 0) return `${numberFormat(decimals, decimals, false).format(0)}%`;
  return `${value > 0 ? '+' : MINUS}${text}%`;
}

/** 1.23B · 456.7M · 12.3K · 987.65 */
export function formatCompact(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  const abs = Math.abs(value);
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, unit] of units) {
    if (abs >= size) return withMinus(`${numberFormat(2, 2, false).format(value / size)}${unit}`);
  }
  return withMinus(numberFormat(2, 2, false).format(value));
}

/** An amount (base currency) with up to `max` decimals, trailing zeros kept for alignment. */
export function formatAmount(value: number | null | undefined, max = 4): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  const abs = Math.abs(value);
  const decimals = abs >= 1000 ? 2 : abs >= 1 ? Math.min(max, 4) : max;
  return withMinus(numberFormat(decimals, decimals).format(value));
}

/** Spread of a bid/ask pair: absolute, and relative to the mid in basis points. */
export function spreadOf(
  bid: number | null | undefined,
  ask: number | null | undefined,
): { abs: number; bps: number; mid: number } | null {
  if (bid === null || bid === undefined || ask === null || ask === undefined) return null;
  if (!Number.isFinite(bid) || !Number.isFinite(ask) || bid <= 0 || ask <= 0) return null;
  const mid = (bid + ask) / 2;
  const abs = ask - bid;
  return { abs, bps: (abs / mid) * 10_000, mid };
}

export function formatBps(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return `${withMinus(numberFormat(1, 1, false).format(value))} bps`;
}

/** Time since `timestamp` at `now`, short: now · 4s · 2m · 3h · 5d */
export function formatAge(timestamp: number | null | undefined, now: number): string {
  if (timestamp === null || timestamp === undefined || !Number.isFinite(timestamp)) return DASH;
  const seconds = Math.max(0, Math.floor((now - timestamp) / 1000));
  if (seconds < 1) return 'now';
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** Uptime: 45s · 12m 05s · 3h 04m · 2d 07h */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${pad(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${pad(m % 60)}m`;
  return `${Math.floor(h / 24)}d ${pad(h % 24)}h`;
}

/** 14:03:27 in the viewer's time zone. */
export function formatClock(timestamp: number | null | undefined): string {
  if (timestamp === null || timestamp === undefined || !Number.isFinite(timestamp)) return DASH;
  const d = new Date(timestamp);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatInteger(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return withMinus(numberFormat(0, 0).format(Math.round(value)));
}

/** Sign of a change, for colouring: 1 up, -1 down, 0 flat or unknown. */
export function direction(value: number | null | undefined): -1 | 0 | 1 {
  if (value === null || value === undefined || !Number.isFinite(value) || value === 0) return 0;
  return value > 0 ? 1 : -1;
}
