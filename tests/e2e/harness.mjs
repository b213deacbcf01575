// Shared pieces of the browser tests: a static server for dist/ on 127.0.0.1, a Chromium launcher,
// and a page wrapper that records every request (page and workers), console errors and page errors.
import { createServer } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = join(ROOT, 'dist');
export const ARTIFACTS = join(ROOT, 'tests/e2e/artifacts');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
};

/**
 * Serves `dir` under `prefix` (e.g. "/" or "/sessionhunt/") on 127.0.0.1 at a free port.
 * `transform(rel, body)`, if given, may change a file's bytes as served (tests that alter what a
 * script finds in its worker).
 */
export async function serve(dir = DIST, prefix = '/', { transform } = {}) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (!url.pathname.startsWith(prefix)) {
      res.writeHead(404).end('not found');
      return;
    }
    let rel = decodeURIComponent(url.pathname.slice(prefix.length));
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const path = normalize(join(dir, rel));
    if (!path.startsWith(dir)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    try {
      let body = await readFile(path);
      if (transform) body = transform(rel, body);
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { origin: `http://127.0.0.1:${port}`, url: `http://127.0.0.1:${port}${prefix}`, close: () => new Promise((ok) => server.close(ok)) };
}

/** Debian's Chromium, headless, with its own background traffic switched off. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/**
 * Opens a page in a fresh context and records what it does: `requests` (every URL the page and its
 * workers asked for, including attempts the CSP then blocked), `failures` (requests that failed,
 * with the reason), `errors` (console errors and uncaught exceptions, page and workers).
 */
export async function openPage(browser, { viewport = { width: 1280, height: 720 }, colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  const failures = [];
  context.on('request', (r) => requests.push(r.url()));
  context.on('requestfailed', (r) => failures.push({ url: r.url(), error: r.failure()?.errorText ?? '' }));
  page.on('worker', (w) => w.on('console', (m) => { if (m.type() === 'error') errors.push(`worker: ${m.text()}`); }));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return { context, page, requests, failures, errors };
}

/** Saves a screenshot of the viewport (or the whole page) under tests/e2e/artifacts/. */
export async function screenshot(page, name, { fullPage = false } = {}) {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/** Requests that did not go to `origin` (data: and blob: URLs are local and allowed). */
export function foreignRequests(requests, origin) {
  return requests.filter((u) => !u.startsWith(origin + '/') && !u.startsWith('data:') && !u.startsWith('blob:'));
}

/**
 * The value of a Rust integer constant (`const NAME: u64 = 8 << 20;`) in a source file of this
 * repository, so a test uses the code's own figure instead of a copy that could drift. Throws when
 * the constant is gone or its expression is more than numbers, `<<`, `*` and `+`.
 */
export function rustConst(file, name) {
  const source = readFileSync(join(ROOT, file), 'utf8');
  const m = source.match(new RegExp(`const ${name}: \\w+ = ([^;]+);`));
  if (!m) throw new Error(`no constant ${name} in ${file}`);
  const expr = m[1].replace(/_/g, '');
  if (!/^[\d\s<*+()]+$/.test(expr)) throw new Error(`${name} in ${file} is not a plain number: ${m[1]}`);
  return Function(`"use strict"; return (${expr});`)();
}

/** The native CLI built by `cargo build -p sessionhunt-cli` (scripts/test.sh builds it first). */
export const CLI = process.env.SESSIONHUNT_CLI ?? join(ROOT, 'target/debug/sessionhunt');

/** Clicks `locator` and returns the text of the file the page downloads. */
export async function downloadText(page, locator) {
  const [download] = await Promise.all([page.waitForEvent('download'), locator.click()]);
  const stream = await download.createReadStream();
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return { name: download.suggestedFilename(), text: Buffer.concat(chunks).toString('utf8') };
}

/** The single-file build and the release folder written by scripts/build.sh. */
export const SINGLE = join(ROOT, 'dist-single/sessionhunt.html');
export const RELEASE = join(ROOT, 'release');

/**
 * Writes the demo tenant's export files with the CLI into a fresh temporary folder and returns
 * them with the CLI's report on them (`remove()` deletes the folder).
 */
export async function demoTenant({ layout } = {}) {
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, readdirSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'sessionhunt-demo-'));
  const args = ['demo', '--out', dir, ...(layout ? ['--layout', layout] : [])];
  execFileSync(CLI, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const files = readdirSync(dir).sort().map((name) => join(dir, name));
  const report = execFileSync(CLI, ['analyze', '--format', 'json', ...files], { maxBuffer: 1 << 30 }).toString('utf8');
  return { dir, files, report, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The set-up most browser test files share, registered as their `before` and `after` hooks: the
 * app served from dist/ (under `prefix`), Chromium launched, and with `demo` the demo tenant
 * written by the CLI into a fresh folder with the CLI's report on it (`demo: 'ual-only'` for
 * another layout). Returns an object (`env` in the tests) whose `server`, `browser` and `demo` are
 * filled in before the first test (then `ready(env)` runs, for a file's own set-up); everything
 * is closed and removed after the last.
 */
export function suite({ demo = false, prefix = '/', transform, ready } = {}) {
  const env = { server: null, browser: null, demo: null };
  before(async () => {
    if (demo) env.demo = await demoTenant(demo === true ? {} : { layout: demo });
    env.server = await serve(DIST, prefix, transform ? { transform } : {});
    env.browser = await launch();
    await ready?.(env);
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
    env.demo?.remove();
  });
  return env;
}

/** Opens the app of a `suite` in a fresh page (see `openPage`) and waits for its worker. */
export async function openApp(env, options) {
  const opened = await openPage(env.browser, options);
  await opened.page.goto(env.server.url);
  await opened.page.locator('.app[data-worker="ready"]').waitFor({ timeout: 60_000 });
  return opened;
}

/** Chooses `files` with the page's file input and waits for the findings grid. */
export async function chooseFiles(page, files) {
  await page.getByTestId('file-input').setInputFiles(files);
  await page.getByTestId('findings').waitFor({ timeout: 120_000 });
}

/** Waits for the worker, runs "Try with sample data" and waits for the findings table. */
export async function runDemo(page) {
  await page.locator('.app[data-worker="ready"]').waitFor({ timeout: 60_000 });
  await page.getByTestId('demo-button').click();
  await page.getByTestId('findings').waitFor({ timeout: 120_000 });
}

/**
 * Writes `out`: the header of the CSV file `csv`, then its data lines again and again until the
 * file holds at least `minBytes` (the copies are duplicates, which the analysis counts as such).
 */
export function repeatRows(csv, out, minBytes) {
  const text = readFileSync(csv, 'utf8');
  const nl = text.indexOf('\n');
  const body = text.slice(nl + 1).replace(/\n?$/, '\n');
  const parts = [text.slice(0, nl + 1)];
  let size = nl + 1;
  while (size < minBytes) {
    parts.push(body);
    size += Buffer.byteLength(body);
  }
  writeFileSync(out, parts.join(''));
  return out;
}

/** A count as the page writes it: digits grouped by thousands with narrow no-break spaces. */
export const grouped = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');

/** The number a page's grouped count text stands for. */
export const ungrouped = (text) => Number(text.replace(/\u202f/g, ''));

/** The number of critical and high findings the page shows in its summary. */
export async function severityCounts(page) {
  const count = async (s) => ungrouped(await page.getByTestId(`severity-${s}`).locator('strong').textContent());
  return { critical: await count('critical'), high: await count('high') };
}

/** The number of critical and high findings in a report's JSON text. */
export function reportCounts(json) {
  const { findings } = JSON.parse(json);
  return {
    critical: findings.filter((f) => f.severity === 'critical').length,
    high: findings.filter((f) => f.severity === 'high').length,
  };
}

/**
 * Opens the grid's fold of low and info findings when it holds any (a loaded report shows them
 * folded behind a count): for tests about every finding of the grid.
 */
export async function showAll(page) {
  const chip = page.getByTestId('show-low');
  if (await chip.count()) await chip.click();
  await page.getByTestId('show-low').waitFor({ state: 'detached' });
}
