#!/usr/bin/env node
// Prints the gzip size of the dashboard's initial JavaScript (the entry script and every chunk
// index.html preloads) and exits non-zero above the budget. Lazy chunks are listed, not counted.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const LIMIT_KB = 250;
const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const indexFile = join(dist, 'index.html');
if (!existsSync(indexFile)) {
  console.error(`size: ${indexFile} is missing; run \`pnpm --filter @marketgate/web build\` first`);
  process.exit(2);
}
const html = readFileSync(indexFile, 'utf8');
const initial = new Set();
for (const match of html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g)) initial.add(match[1]);
for (const match of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)) initial.add(match[1]);

const gzipKb = (file) => gzipSync(readFileSync(join(dist, file))).length / 1024;
let total = 0;
for (const src of initial) total += gzipKb(src.replace(/^\//, ''));

const lazy = readdirSync(join(dist, 'assets'))
  .filter((f) => f.endsWith('.js') && !initial.has(`/assets/${f}`))
  .map((f) => `${f} ${gzipKb(`assets/${f}`).toFixed(1)} KB`);

const verdict = total <= LIMIT_KB ? 'ok' : 'OVER BUDGET';
console.log(
  `web: initial JS ${total.toFixed(1)} KB gzip (${initial.size} file(s), budget ${LIMIT_KB} KB) ${verdict}`,
);
if (lazy.length > 0) console.log(`web: lazy chunks: ${lazy.join(', ')}`);
if (total > LIMIT_KB) process.exit(1);
