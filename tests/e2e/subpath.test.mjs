// The site as GitHub Pages serves it: dist/ under a sub-path (/sessionhunt/), nothing at the root.
// The page, its worker and the demo must work there and ask for nothing outside the sub-path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  serve, launch, openPage, screenshot, foreignRequests, downloadText, demoTenant, runDemo, severityCounts,
  reportCounts, ROOT,
} from './harness.mjs';

const PREFIX = '/sessionhunt/';
let server;
let browser;
let demo;

before(async () => {
  demo = await demoTenant();
  server = await serve(undefined, PREFIX);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  demo?.remove();
});

test('under /sessionhunt/ the demo finds the attacks, matches the CLI, and every request stays under the sub-path', async () => {
  const { context, page, requests, errors } = await openPage(browser);
  await page.goto(server.url);
  await runDemo(page);
  const expected = reportCounts(demo.report);
  assert.ok(expected.critical > 0 && expected.high > 0, 'the demo tenant has critical and high findings');
  assert.deepEqual(await severityCounts(page), expected);
  const { text } = await downloadText(page, page.getByTestId('download-json'));
  assert.ok(text === demo.report, 'the page\'s report under the sub-path is byte-identical to the CLI\'s');
  await screenshot(page, 'subpath-demo');

  assert.deepEqual(errors, []);
  assert.deepEqual(foreignRequests(requests, server.origin), []);
  const outside = requests.filter((u) => !u.startsWith('blob:') && !u.startsWith('data:') && !u.startsWith(server.url));
  assert.deepEqual(outside, [], 'nothing is requested outside /sessionhunt/');
  const own = requests.filter((u) => u.startsWith(server.url)).map((u) => u.slice(server.url.length)).sort();
  assert.deepEqual(own, ['', 'app.js', 'app_bg.wasm', 'boot.js', 'favicon.svg', 'style.css', 'worker.js', 'worker_bg.wasm']);
  await context.close();
});

test('under /sessionhunt/ a chosen file is analysed like the CLI does', async () => {
  const { context, page, errors } = await openPage(browser);
  await page.goto(server.url);
  await page.locator('.app[data-worker="ready"]').waitFor();
  await page.getByTestId('file-input').setInputFiles(demo.files);
  await page.getByTestId('findings').waitFor({ timeout: 120_000 });
  const { text } = await downloadText(page, page.getByTestId('download-json'));
  assert.ok(text === demo.report, 'the chosen files give the CLI\'s report byte for byte');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the About panel shows the version and the build commit', async () => {
  const { context, page, errors } = await openPage(browser);
  await page.goto(server.url);
  const about = page.getByTestId('about');
  await about.locator('summary').click();
  const version = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8').match(/\[workspace\.package\][^[]*?\nversion = "([^"]+)"/)[1];
  assert.equal(await page.getByTestId('about-version').textContent(), version);
  // scripts/build.sh compiles in the commit it built from (with -modified for a dirty work tree).
  const { execFileSync } = await import('node:child_process');
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT }).toString().trim();
  assert.match(await page.getByTestId('about-commit').textContent(), new RegExp(`^${head}(-modified)?$`));
  assert.match(await page.getByTestId('about-verify').textContent(), /sha256sum -c/);
  assert.match(await page.getByTestId('about-flavour').textContent(), /served/);
  await screenshot(page, 'about', { fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});
