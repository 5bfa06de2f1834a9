// Prints live tickers from a Marketgate server until Ctrl-C.
//   node packages/client/examples/live-tickers.mjs [url] [exchange] [symbols…]
//   node packages/client/examples/live-tickers.mjs http://127.0.0.1:8787 sim BTC/USDT ETH/USDT
// Set TRANSPORT=sse to stream over Server-Sent Events instead of the WebSocket.
import { createMarketClient, marketErrorOf } from '@marketgate/client';

const [url = 'http://127.0.0.1:8787', exchange = 'sim', ...rest] = process.argv.slice(2);
const symbols = rest.length > 0 ? rest : ['BTC/USDT', 'ETH/USDT'];

const client = createMarketClient({ url, transport: process.env.TRANSPORT === 'sse' ? 'sse' : 'ws' });

const subscription = client.stream.tickers.subscribe(
  { exchange, symbols },
  {
    onData({ data: event }) {
      if (event.type === 'ticker') {
        const t = event.ticker;
        console.log(`${new Date(t.timestamp ?? t.fetchedAt).toISOString()}  ${t.symbol.padEnd(10)} ${t.last}`);
      } else {
        console.log(`[${event.symbol}] ${event.state}${event.reason ? `: ${event.reason} ${event.message}` : ''}`);
      }
    },
    onError(error) {
      console.error('stream ended:', marketErrorOf(error) ?? error);
      process.exitCode = 1;
    },
  },
);

process.once('SIGINT', () => subscription.unsubscribe());
