// Load generator, run in its own process: node http-load.mjs <url> <seconds> <connections> [header=value]
import autocannon from 'autocannon';

const [url, seconds = '8', connections = '50', header] = process.argv.slice(2);
const headers = header ? Object.fromEntries([header.split('=')]) : undefined;
const result = await autocannon({
  url,
  duration: Number(seconds),
  connections: Number(connections),
  headers,
});
process.stdout.write(
  JSON.stringify({
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    bytes: result.throughput.average,
  }),
);
