// The wasm build of the core (in the page's worker) and the native CLI give byte-identical reports
// on the real-shape fixtures (tests/fixtures/formats): every file alone, and all of them at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openPage, foreignRequests, CLI, ROOT, downloadText, suite } from './harness.mjs';

const FIXTURES = join(ROOT, 'tests/fixtures/formats');
// Every export-shaped fixture (generate.py writes them; it is not an input).
const files = readdirSync(FIXTURES).filter((n) => n !== 'generate.py').sort().map((n) => join(FIXTURES, n));

const env = suite();


async function browserReport(page, paths) {
  await page.goto(env.server.url);
  await page.locator('.app[data-worker="ready"]').waitFor();
  await page.getByTestId('file-input').setInputFiles(paths);
  await page.getByTestId('download-json').waitFor({ timeout: 120_000 });
  return (await downloadText(page, page.getByTestId('download-json'))).text;
}

const cli = (paths) => execFileSync(CLI, ['analyze', '-q', '--format', 'json', ...paths], { maxBuffer: 1 << 30 }).toString('utf8');

test('every fixture alone: the page\'s report is the CLI\'s, byte for byte', async () => {
  assert.ok(files.length >= 30, `fixtures found: ${files.length}`);
  const { context, page, requests, errors } = await openPage(env.browser);
  const differing = [];
  for (const file of files) {
    const text = await browserReport(page, [file]);
    if (text !== cli([file])) differing.push(file);
  }
  assert.deepEqual(differing, []);
  assert.deepEqual(errors, []);
  assert.deepEqual(foreignRequests(requests, env.server.origin), []);
  await context.close();
});

test('all fixtures together: the page\'s report is the CLI\'s, byte for byte', async () => {
  const { context, page, errors } = await openPage(env.browser);
  const text = await browserReport(page, files);
  const expected = cli(files);
  const report = JSON.parse(expected);
  assert.ok(report.inputs.length >= files.length, 'zip members add inputs');
  assert.ok(report.findings.length > 0, 'the fixtures hold findings');
  assert.ok(text === expected, 'byte-identical');
  assert.deepEqual(errors, []);
  await context.close();
});
