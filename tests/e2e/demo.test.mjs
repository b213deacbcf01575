// The demo tenant in the browser, and parity with the native CLI: the page's report must be
// byte-identical to `sessionhunt analyze` on the same files, whichever way the page got them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot, foreignRequests, CLI, downloadText, suite } from './harness.mjs';

const env = suite({ demo: true });

test('"Try with sample data" finds the demo tenant\'s attacks, and matches the CLI byte for byte', async () => {
  const { context, page, requests, errors } = await openPage(env.browser, { viewport: { width: 1920, height: 1080 } });
  await page.goto(env.server.url);
  await page.locator('.app[data-worker="ready"]').waitFor();
  await page.getByTestId('demo-button').click();
  await page.getByTestId('findings').waitFor({ timeout: 120_000 });

  const expected = JSON.parse(env.demo.report);
  const critical = expected.findings.filter((f) => f.severity === 'critical').length;
  const high = expected.findings.filter((f) => f.severity === 'high').length;
  assert.ok(critical > 0 && high > 0, 'the demo tenant has critical and high findings');
  assert.equal(await page.getByTestId('severity-critical').locator('strong').textContent(), String(critical));
  assert.equal(await page.getByTestId('severity-high').locator('strong').textContent(), String(high));

  // Most severe first: the top row is the CLI's first finding.
  const top = page.getByTestId('findings').locator('tbody tr').first();
  const cells = await top.locator('td').allTextContents();
  assert.equal(cells[0], expected.findings[0].severity);
  assert.equal(cells[2], expected.findings[0].user);
  await screenshot(page, 'demo');

  const { name, text } = await downloadText(page, page.getByTestId('download-json'));
  assert.equal(name, 'sessionhunt-report.json');
  assert.ok(text === env.demo.report, 'the page\'s report is byte-identical to the CLI\'s');

  assert.deepEqual(errors, []);
  assert.deepEqual(foreignRequests(requests, env.server.origin), []);
  await context.close();
});

test('the demo files chosen through the file picker give the same report as the CLI', async () => {
  const { context, page, errors } = await openPage(env.browser);
  await page.goto(env.server.url);
  await page.locator('.app[data-worker="ready"]').waitFor();
  await page.getByTestId('file-input').setInputFiles(env.demo.files);
  await page.getByTestId('findings').waitFor({ timeout: 120_000 });
  const rows = await page.getByTestId('inputs').locator('tbody tr').count();
  assert.equal(rows, env.demo.files.length);
  const { text } = await downloadText(page, page.getByTestId('download-json'));
  assert.ok(text === env.demo.report, 'the sliced File path gives the CLI\'s report byte for byte');
  assert.deepEqual(errors, []);
  await context.close();
});

test('sorting and filtering the findings table', async () => {
  const { context, page, errors } = await openPage(env.browser);
  await page.goto(env.server.url);
  await page.locator('.app[data-worker="ready"]').waitFor();
  await page.getByTestId('demo-button').click();
  const table = page.getByTestId('findings');
  await table.waitFor({ timeout: 120_000 });
  const expected = JSON.parse(env.demo.report);

  await table.getByRole('button', { name: 'User' }).click();
  const users = await table.locator('tbody tr td:nth-child(3)').allTextContents();
  assert.deepEqual(users, [...users].sort().reverse(), 'users sorted descending');
  assert.equal(await table.locator('th[aria-sort="descending"]').textContent(), 'User');

  const victim = expected.findings[0].user;
  // The user column's filter (the global search also finds findings whose explanation names
  // the victim, a campaign's other users).
  await page.getByTestId('filter-user').fill(victim);
  const filtered = await table.locator('tbody tr td:nth-child(3)').allTextContents();
  assert.ok(filtered.length > 0 && filtered.every((u) => u === victim), `only ${victim}: ${filtered}`);
  assert.equal(filtered.length, expected.findings.filter((f) => f.user === victim).length);
  assert.deepEqual(errors, []);
  await context.close();
});
