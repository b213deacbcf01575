// The page stays responsive while a large input is analysed: the worker does the reading and the
// analysis, the main thread only renders progress and the result. Long tasks (over 50 ms) on the
// main thread are recorded with the Performance API from before the files are chosen until the
// findings are shown; none may exceed 100 ms.
//
// The input is the demo tenant's exports with their data rows repeated until the files reach
// SESSIONHUNT_E2E_LARGE_MB megabytes together (default 500; repeated rows are counted as
// duplicates by the core, so every byte is parsed and the findings stay the demo's).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, launch, openPage, foreignRequests, CLI } from './harness.mjs';

const TARGET_MB = Number(process.env.SESSIONHUNT_E2E_LARGE_MB ?? 500);
// The bar. On a machine whose cores are shared with other heavy work, every task runs
// slower; SESSIONHUNT_E2E_LONGTASK_MS can raise the bar there (the figure is printed either way).
const BUDGET_MS = Number(process.env.SESSIONHUNT_E2E_LONGTASK_MS ?? 100);

let server;
let browser;
let dir;
let files = [];
/** Rows each inflated file holds: the demo file's rows times its repeats (CLI-counted). */
const expectedRows = new Map();

/** Writes the header of `csv` and then its data lines repeated up to `bytes`; returns the repeats. */
function inflate(csv, path, bytes) {
  const text = readFileSync(csv, 'utf8');
  const nl = text.indexOf('\n');
  const header = text.slice(0, nl + 1);
  const body = Buffer.from(text.slice(nl + 1).replace(/\n?$/, '\n'));
  const fd = openSync(path, 'w');
  writeSync(fd, header);
  let written = header.length;
  let repeats = 0;
  while (written < bytes) {
    writeSync(fd, body);
    written += body.length;
    repeats += 1;
  }
  closeSync(fd);
  return repeats;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sessionhunt-large-'));
  const demo = join(dir, 'demo');
  execFileSync(CLI, ['demo', '--out', demo], { stdio: ['ignore', 'ignore', 'inherit'] });
  // Only CSV exports can be repeated row by row; the portal sign-in exports are the bulk of real data.
  const csvs = readdirSync(demo).filter((n) => n.endsWith('.csv')).sort();
  const others = readdirSync(demo).filter((n) => !n.endsWith('.csv')).map((n) => join(demo, n));
  const share = Math.floor((TARGET_MB << 20) / csvs.length);
  const demoReport = JSON.parse(execFileSync(CLI, ['analyze', '--format', 'json', demo], { maxBuffer: 1 << 30 }).toString('utf8'));
  for (const name of csvs) {
    const out = join(dir, name);
    const repeats = inflate(join(demo, name), out, share);
    expectedRows.set(name, repeats * demoReport.inputs.find((i) => i.name === `demo/${name}` || i.name === name).rows);
    files.push(out);
  }
  files.push(...others);
  server = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test(`no main-thread task over ${BUDGET_MS} ms while ${TARGET_MB} MB are analysed`, { timeout: 30 * 60_000 }, async () => {
  const { context, page, requests, errors } = await openPage(browser);
  await context.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(server.url);
  await page.locator('.app[data-worker="ready"]').waitFor();
  await page.waitForTimeout(500);
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
  const start = await page.evaluate(() => { window.__longTasks.length = 0; return performance.now(); });
  await page.getByTestId('file-input').setInputFiles(files);
  // Progress shows bytes, rows and, once there is a rate, the time left.
  await page.getByTestId('progress-detail').filter({ hasText: 'left' }).waitFor({ timeout: 120_000 });
  const detail = await page.getByTestId('progress-detail').textContent();
  assert.match(detail, /MiB of .* · [\d\u202f]+ rows · file \d+ of \d+ · .* · about \d+ (s|min) left/);
  // While reading, the page answers: typing in the settings works.
  await page.getByTestId('settings').locator('summary').first().click();
  await page.getByTestId('findings').waitFor({ timeout: 30 * 60_000 });
  await page.waitForTimeout(500);
  const { tasks, end } = await page.evaluate(() => ({ tasks: window.__longTasks, end: performance.now() }));
  const max = tasks.reduce((m, t) => Math.max(m, t.duration), 0);
  const seconds = ((end - start) / 1000).toFixed(1);
  console.log(`# ${(bytes / 1e6).toFixed(0)} MB in ${seconds} s (${(bytes / 1e6 / ((end - start) / 1000)).toFixed(1)} MB/s); ` +
    `main-thread long tasks: ${tasks.length}, longest ${max.toFixed(0)} ms; ${JSON.stringify(tasks.map((t) => Math.round(t.duration)))}`);
  assert.ok(max <= BUDGET_MS, `longest main-thread task ${max.toFixed(0)} ms`);
  // Every row of the inflated files was read and counted.
  for (const [name, rows] of expectedRows) {
    const row = page.getByTestId('inputs').locator('tbody tr').filter({ has: page.locator(`td:first-child:text-is("${name}")`) });
    const shown = Number((await row.locator('td').nth(3).textContent()).replace(/\u202f/g, ''));
    assert.equal(shown, rows, name);
  }
  console.log(`# rows read: ${[...expectedRows.values()].reduce((a, b) => a + b, 0)}`);
  assert.deepEqual(errors, []);
  assert.deepEqual(foreignRequests(requests, server.origin), []);
  await context.close();
});
