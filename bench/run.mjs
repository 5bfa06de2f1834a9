// `pnpm bench`: every benchmark side by side in one run; a table on stdout, JSON in bench/results/latest.json.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { httpBench } from './http.mjs';
import { dedupeBench } from './dedupe.mjs';
import { startupBench } from './startup.mjs';
import { table } from './lib.mjs';

const results = { date: new Date().toISOString(), node: process.version };
const section = (title) => console.log(`\n== ${title} ==`);

section(
  'HTTP: cached market.ticker over the tRPC wire vs bare node:http (autocannon, 50 connections, own process)',
);
results.http = await httpBench();
console.log(
  table(results.http.rows, ['name', 'rps', 'p50', 'p99', 'serverCpuCores', 'ratioVsBare', 'non2xx']),
);
console.log(`same bytes as bare: ${results.http.sameBytes}; target: marketgate ≥ 0.5× bare`);

section('De-duplication: concurrent identical cold market.ticker calls');
results.dedupe = await dedupeBench();
console.log(table([results.dedupe], ['concurrency', 'ok', 'upstreamCalls', 'wallMs']));
console.log('target: upstreamCalls = 1');

section('Startup: process start → /healthz');
results.startup = await startupBench();
console.log(table([results.startup], ['runs', 'medianMs', 'minMs']));

// benches added by later features register themselves here
for (const extra of ['./fanout.mjs', './redis.mjs', './web-size.mjs']) {
  if (!existsSync(new URL(extra, import.meta.url))) continue;
  const mod = await import(extra);
  if (typeof mod.benchSection === 'function') {
    const { title, key, rows, columns, note } = await mod.benchSection();
    section(title);
    results[key] = rows;
    console.log(table(rows, columns));
    if (note) console.log(note);
  }
}

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/latest.json', import.meta.url), JSON.stringify(results, null, 2));
console.log('\nwritten bench/results/latest.json');
