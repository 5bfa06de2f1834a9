// Dashboard: initial JavaScript size (gzip) against its 250 KB budget, from apps/web's own size script.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const sizeScript = fileURLToPath(new URL('../apps/web/scripts/size.mjs', import.meta.url));

export async function benchSection() {
  const { stdout } = await promisify(execFile)(process.execPath, [sizeScript]);
  const initial = /initial JS ([\d.]+) KB gzip/.exec(stdout)?.[1];
  const lazy = /lazy chunks: (.*)/.exec(stdout)?.[1] ?? '';
  return {
    title: 'Dashboard: initial JavaScript (gzip)',
    key: 'web',
    rows: [{ initialKbGzip: Number(initial), budgetKb: 250, lazyChunks: lazy }],
    columns: ['initialKbGzip', 'budgetKb', 'lazyChunks'],
  };
}
