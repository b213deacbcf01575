// Browser benchmark (scripts/bench.sh): the built sessionhunt page (dist/) and DuckDB-WASM running
// H1's core query (h1.sql), on the same files in the same Chromium. Prints JSON lines.
//
// node scripts/bench/browser.mjs sessionhunt FILE...
// node scripts/bench/browser.mjs duckdb-wasm INTERACTIVE.csv NONINTERACTIVE.csv
//
// Time is from choosing the files to the result on screen (sessionhunt: the report rendered, its
// summary and findings grid; and, apart, until its JSON download is ready; DuckDB-WASM: the query
// result). Memory: the peak resident memory of Chromium's renderer processes (page + workers),
// polled every 100 ms from /proc, and for sessionhunt the size of the
// worker's wasm linear memory at the end (linear memory never shrinks, so that is its peak).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launch, DIST } from '../../tests/e2e/harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const [mode, ...paths] = process.argv.slice(2);
const bytes = paths.reduce((n, p) => n + statSync(p).size, 0);

/** Sum of the resident memory (kB → bytes) of every Chromium renderer process. */
function rendererRss() {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer')) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch { /* the process ended */ }
  }
  return total;
}

function pollPeak() {
  let peak = rendererRss();
  const timer = setInterval(() => { peak = Math.max(peak, rendererRss()); }, 100);
  return () => { clearInterval(timer); return Math.max(peak, rendererRss()); };
}

const browser = await launch();
let result;
if (mode === 'sessionhunt') {
  const server = await serve(DIST);
  const page = await browser.newPage();
  // SESSIONHUNT_BENCH_PROCESSORS=N: the page is told the machine has N logical processors (the
  // page starts its helper worker from 3 on), to measure that choice on this machine.
  const processors = Number(process.env.SESSIONHUNT_BENCH_PROCESSORS || 0);
  if (processors > 0) {
    await page.addInitScript((n) => {
      Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => n });
    }, processors);
  }
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const workerPromise = page.waitForEvent('worker');
  await page.goto(server.url);
  await page.locator('.app[data-worker="ready"]').waitFor();
  const worker = await workerPromise;
  // The renderers' memory with the page loaded and nothing read yet (Chromium, the page's wasm,
  // the worker's empty wasm): what the analysis adds is the peak minus this.
  const idleRss = rendererRss();
  const stop = pollPeak();
  const t0 = performance.now();
  await page.getByTestId('file-input').setInputFiles(paths);
  // The report on screen: its summary and findings grid (the download button is there, disabled,
  // until the worker has written the report's JSON text, which it does after sending the findings).
  await page.getByTestId('findings').waitFor({ timeout: 3_600_000 });
  const ms = performance.now() - t0;
  await page.waitForFunction(() => !document.querySelector('[data-testid="download-json"]').disabled, null, { timeout: 3_600_000 });
  const downloadMs = performance.now() - t0;
  const peakRss = stop();
  // wasm_bindgen() returns the cached init promise: the instance's exports, memory included.
  const wasmMemory = await worker.evaluate(async () => (await wasm_bindgen()).memory.buffer.byteLength);
  const findings = await page.getByTestId('findings').locator('tbody tr').count().catch(() => 0);
  result = { tool: 'sessionhunt-wasm', files: paths.map((p) => basename(p)), mb: bytes / 1e6, seconds: ms / 1e3, mb_per_s: bytes / 1e6 / (ms / 1e3), download_ready_seconds: downloadMs / 1e3, idle_renderer_rss_mb: idleRss / 1e6, peak_renderer_rss_mb: peakRss / 1e6, wasm_memory_mb: wasmMemory / 1e6, findings_rows: findings, errors };
  await server.close();
} else if (mode === 'duckdb-wasm') {
  const npm = join(ROOT, 'target/bench/npm');
  const server = await serve(npm);
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}duckdb.html`);
  const version = await page.evaluate(() => window.ready);
  const [interactive, noninteractive] = paths;
  const sql = readFileSync(join(HERE, 'h1.sql'), 'utf8')
    .replaceAll('{interactive}', basename(interactive)).replaceAll('{noninteractive}', basename(noninteractive));
  const idleRss = rendererRss();
  const stop = pollPeak();
  const t0 = performance.now();
  await page.locator('#files').setInputFiles(paths);
  const r = await page.evaluate((q) => window.runH1(q), sql);
  const ms = performance.now() - t0;
  const peakRss = stop();
  result = { tool: `duckdb-wasm ${version}`, files: paths.map((p) => basename(p)), mb: bytes / 1e6, seconds: ms / 1e3, query_seconds: r.ms / 1e3, mb_per_s: bytes / 1e6 / (ms / 1e3), idle_renderer_rss_mb: idleRss / 1e6, peak_renderer_rss_mb: peakRss / 1e6, rows: r.rows, errors };
  await server.close();
} else {
  throw new Error(`unknown mode ${mode}`);
}
await browser.close();
console.log(JSON.stringify(result));
