// Hostile and broken inputs in the browser: truncated files, JSON named .csv, 50 MB single lines,
// 100 000-deep nesting, invalid UTF-8 and 100 000 distinct users. The page must show a report with
// the row problems (file:line:column), raise no page or worker error, and give exactly the CLI's
// report for the same files (the CLI runs the same cases in cli/tests/hardening.rs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, launch, openPage, foreignRequests, CLI, ROOT, downloadText, screenshot } from './harness.mjs';

const FIXTURES = join(ROOT, 'tests/fixtures/formats');
let server;
let browser;
let dir;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sessionhunt-hostile-'));
  server = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function write(name, bytes) {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** The CLI's report (JSON text) for these files, given one by one as the page gets them. */
function cliReport(paths) {
  return execFileSync(CLI, ['analyze', '-q', ...paths], { maxBuffer: 1 << 30 }).toString('utf8');
}

/**
 * Chooses `paths` in the page, waits for the report, and checks it: byte-identical to the CLI's,
 * row problems listed, no error anywhere. Returns the parsed report.
 */
async function analyzeInBrowser(paths, shot) {
  const expected = cliReport(paths);
  const { context, page, requests, errors } = await openPage(browser);
  await page.goto(server.url);
  await page.locator('.app[data-worker="ready"]').waitFor();
  await page.getByTestId('file-input').setInputFiles(paths);
  await page.getByTestId('download-json').waitFor({ timeout: 300_000 });
  const rows = await page.getByTestId('inputs').locator('tbody tr').count();
  const report = JSON.parse(expected);
  assert.equal(rows, report.inputs.length, 'one row per file');
  assert.equal(await page.locator('.status.error').count(), 0, 'no failure shown');
  if (report.diagnostics.length > 0) {
    // Each file's row problems sit in its row of the files table, one click away.
    const first = report.diagnostics[0];
    const mine = report.diagnostics.filter((d) => d.file === first.file);
    const names = await page.getByTestId('inputs').locator('tbody tr td:first-child').allTextContents();
    assert.ok(names.includes(first.file), `${first.file} is in the files table`);
    const row = page.getByTestId('inputs').locator('tbody tr').nth(names.indexOf(first.file));
    const summary = row.getByTestId('file-diagnostics').locator('summary');
    assert.equal(await summary.textContent(), `${mine.length} problem${mine.length === 1 ? '' : 's'}`);
    await summary.click();
    const item = row.getByTestId('file-diagnostics').locator('li').first();
    assert.equal(await item.locator('code').textContent(), `line ${first.line}, column ${first.column}`);
    assert.ok((await item.textContent()).includes(first.message), 'the message is shown');
  }
  if (shot) await screenshot(page, shot, { fullPage: true });
  const { text } = await downloadText(page, page.getByTestId('download-json'));
  assert.ok(text === expected, 'the page\'s report is byte-identical to the CLI\'s');
  assert.deepEqual(errors, []);
  assert.deepEqual(foreignRequests(requests, server.origin), []);
  await context.close();
  return report;
}

const input = (report, name) => report.inputs.find((i) => i.name === name);

test('truncated CSV and JSON keep their complete rows and name the cut one', async () => {
  const csv = readFileSync(join(FIXTURES, 'portal_49_columns.csv'));
  const lastRow = csv.subarray(0, csv.length - 2).lastIndexOf(0x0a) + 1;
  const json = readFileSync(join(FIXTURES, 'graph_array_compact.json'));
  const report = await analyzeInBrowser([
    write('cut.csv', csv.subarray(0, lastRow + 40)),
    write('cut.json', json.subarray(0, json.length >> 1)),
  ], 'hardening-truncated');
  assert.equal(input(report, 'cut.csv').skipped, 1);
  assert.ok(input(report, 'cut.csv').events >= 1);
  assert.equal(input(report, 'cut.json').skipped_reasons[0].reason, 'truncated JSON');
});

test('JSON named .csv is read as JSON', async () => {
  const json = readFileSync(join(FIXTURES, 'graph_array_compact.json'));
  const report = await analyzeInBrowser([write('signins.csv', json)]);
  assert.equal(report.inputs[0].format, 'graph-signin-json');
  assert.ok(report.inputs[0].events > 0 && report.findings.length > 0);
});

test('50 MB single lines are one skipped row each', async () => {
  const header = readFileSync(join(FIXTURES, 'portal_49_columns.csv'));
  const firstLine = header.subarray(0, header.indexOf(0x0a) + 1);
  const filler = Buffer.alloc(50 << 20, 'A');
  const report = await analyzeInBrowser([
    write('long.csv', Buffer.concat([firstLine, filler])),
    write('long.json', Buffer.concat([Buffer.from('[{"createdDateTime":"'), filler, Buffer.from('"}]')])),
  ]);
  for (const name of ['long.csv', 'long.json']) {
    assert.equal(input(report, name).rows, 1, name);
    assert.equal(input(report, name).skipped, 1, name);
  }
});

test('100 000-deep JSON nesting is a row problem, not a crash', async () => {
  const depth = 100_000;
  const report = await analyzeInBrowser([
    write('brackets.json', '['.repeat(depth) + ']'.repeat(depth)),
    write('objects.json', '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
    write('inside_a_record.json', `[{"createdDateTime":"2026-03-01T00:00:00Z","userPrincipalName":"a@b.c","x":${'['.repeat(depth)}${']'.repeat(depth)}}]`),
    write('unclosed.json', '['.repeat(depth)),
  ], 'hardening-nested');
  for (const i of report.inputs) {
    assert.equal(i.events, 0, i.name);
    assert.equal(i.skipped, 1, i.name);
  }
});

test('invalid UTF-8 keeps CSV rows and skips the broken JSON record with a diagnostic', async () => {
  const csv = Buffer.from(readFileSync(join(FIXTURES, 'portal_49_columns.csv')));
  csv[csv.indexOf('Alice') + 2] = 0xff;
  const json = readFileSync(join(FIXTURES, 'graph_array_compact.json'));
  const at = json.indexOf('"userPrincipalName":"') + 21;
  const report = await analyzeInBrowser([
    write('broken.csv', csv),
    write('broken.json', Buffer.concat([json.subarray(0, at), Buffer.from([0xff, 0xfe]), json.subarray(at)])),
  ]);
  assert.equal(input(report, 'broken.csv').skipped, 0);
  assert.ok(input(report, 'broken.csv').events > 0);
  assert.equal(input(report, 'broken.json').skipped, 1);
  assert.ok(report.diagnostics.some((d) => d.file === 'broken.json'));
});

test('100 000 distinct users are all counted', async () => {
  const lines = ['Date (UTC),Request ID,Username,IP address,Status'];
  for (let i = 0; i < 100_000; i++) {
    const pad = (n, w) => String(n).padStart(w, '0');
    lines.push(`2026-03-${pad(1 + (i % 28), 2)}T${pad(i % 24, 2)}:${pad(i % 60, 2)}:00Z,${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000,user${pad(i, 6)}@example.com,198.51.${(i >> 8) % 256}.${i % 256},Success`);
  }
  const report = await analyzeInBrowser([write('users.csv', lines.join('\n') + '\n')]);
  assert.equal(report.coverage.users, 100_000);
  assert.equal(report.inputs[0].events, 100_000);
});
