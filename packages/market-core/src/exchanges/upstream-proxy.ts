/**
 * Rewrites an exchange's API URLs so every request goes to one base URL with the original host as
 * the first path segment: `https://api.binance.com/api/v3` → `http://127.0.0.1:9000/api.binance.com/api/v3`.
 * Used for record/replay and test servers (MCP_UPSTREAM_PROXY_URL). ws(s) URLs get the ws form of the base.
 */
export function rewriteApiUrls(api: unknown, proxyBase: string): unknown {
  const base = proxyBase.replace(/\/+$/, '');
  const wsBase = base.replace(/^http(s?):/, 'ws$1:');
  const rewrite = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const match = /^(https?|wss?):\/\/(.*)$/.exec(value);
      if (!match) return value;
      return `${match[1]!.startsWith('ws') ? wsBase : base}/${match[2]}`;
    }
    if (Array.isArray(value)) return value.map(rewrite);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v)]));
    }
    return value;
  };
  return rewrite(api);
}
