// Grading (issue 19): an analyst marks findings true positive / false positive / benign true
// positive with a note; grades show in the grid (a column and a filter), stay in the browser
// across a reload, export and import as a grades file, go into the hand-off exports exactly as the
// CLI's `--grades` does, and a false positive allowlists its origin in one click.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, openApp, chooseFiles, foreignRequests, CLI, downloadText, screenshot, showAll } from './harness.mjs';

const env = suite({ demo: true });

const rows = (page) => page.getByTestId('findings').locator('tbody tr');

/** Opens a finding's details (searching for its id first: the grid only renders the rows in view). */
async function open(page, id) {
  await page.getByTestId('findings-filter').fill(id);
  await page.locator(`tr[data-id="${id}"]`).click();
  await page.getByTestId('grading').waitFor();
  await page.getByTestId('findings-filter').fill('');
}

test('grades show in the grid, filter it, persist, export, import, and drive the containment script', async () => {
  const report = JSON.parse(env.demo.report);
  const [top, second] = report.findings;
  const { context, page, errors, requests } = await openApp(env);
  await chooseFiles(page, env.demo.files);

  await open(page, top.id);
  await page.getByTestId('grade-true-positive').check();
  await page.getByTestId('grade-note').fill('confirmed with the user');
  await page.getByTestId('details-close').click();
  await open(page, second.id);
  await page.getByTestId('grade-benign-true-positive').check();
  await page.getByTestId('details-close').click();

  const cell = (id) => page.locator(`tr[data-id="${id}"] td.grade`);
  assert.equal(await cell(top.id).getAttribute('data-grade'), 'true-positive');
  assert.match(await cell(top.id).getAttribute('title'), /confirmed with the user/);
  assert.equal(await cell(second.id).getAttribute('data-grade'), 'benign-true-positive');

  // The grade filter (over every finding: the fold of low ones opened).
  await showAll(page);
  const shown = async () => Number(await page.getByTestId('findings').getAttribute('data-rows'));
  await page.getByTestId('filter-grade').selectOption('true-positive');
  assert.equal(await shown(), 1);
  assert.equal(await rows(page).first().getAttribute('data-id'), top.id);
  await page.getByTestId('filter-grade').selectOption('ungraded');
  assert.equal(await shown(), report.findings.length - 2);
  await page.getByTestId('filter-grade').selectOption('all');
  assert.equal(await shown(), report.findings.length);
  await screenshot(page, 'grading-grid');

  // The grades file, and the containment script made with it: the CLI's bytes with --grades.
  const exported = await downloadText(page, page.getByTestId('grades-export'));
  assert.equal(exported.name, 'sessionhunt-grades.json');
  const file = JSON.parse(exported.text);
  assert.deepEqual(file.grades.map((g) => [g.finding, g.grade, g.note]).sort(), [
    [top.id, 'true-positive', 'confirmed with the user'],
    [second.id, 'benign-true-positive', ''],
  ].sort());
  const dir = mkdtempSync(join(tmpdir(), 'sessionhunt-grades-'));
  try {
    const gradesPath = join(dir, 'grades.json');
    writeFileSync(gradesPath, exported.text);
    const want = execFileSync(CLI, ['contain', '--grades', gradesPath, ...env.demo.files], { maxBuffer: 1 << 30 }).toString('utf8');
    const got = await downloadText(page, page.getByTestId('export-contain'));
    assert.ok(got.text === want, 'the page\'s containment script with its grades is the CLI\'s with --grades');
    assert.ok(want.includes(second.id), 'the script names the finding set aside by its grade');

    // Kept in this browser: a reload and the same files show the same grades.
    await page.reload();
    await page.locator('.app[data-worker="ready"]').waitFor({ timeout: 60_000 });
    await chooseFiles(page, env.demo.files);
    assert.equal(await cell(top.id).getAttribute('data-grade'), 'true-positive');

    // Another analyst: a fresh browser imports the file.
    const other = await openApp(env);
    await chooseFiles(other.page, env.demo.files);
    assert.equal(await other.page.locator('td.grade').count(), 0, 'no grade column before anything is graded');
    await other.page.getByTestId('grades-import').setInputFiles(gradesPath);
    await other.page.locator(`tr[data-id="${top.id}"] td.grade[data-grade="true-positive"]`).waitFor();
    assert.deepEqual(other.errors, []);
    await other.context.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(errors, []);
  assert.deepEqual(foreignRequests(requests, env.server.origin), []);
  await context.close();
});

test('a false positive allowlists its origin in one click: re-scored, the finding shows the suppression', async () => {
  const report = JSON.parse(env.demo.report);
  const fp = report.findings.find((f) => f.severity === 'low' && f.ips.length === 1 && f.suppressions.length === 0);
  assert.ok(fp, 'the demo has a low finding with one attacker IP');
  const { context, page, errors } = await openApp(env);
  await chooseFiles(page, env.demo.files);
  await open(page, fp.id);
  assert.equal(await page.getByTestId('allowlist-offer').count(), 0, 'offered only for a false positive');
  await page.getByTestId('grade-false-positive').check();
  const offer = page.getByTestId('allowlist-origin').first();
  assert.equal(await offer.textContent(), `Allowlist IP ${fp.ips[0]}`);
  // Its network (CIDR) and ASN are offered too.
  const offers = await page.getByTestId('allowlist-origin').allTextContents();
  const v4 = fp.ips[0].includes('.') ? `${fp.ips[0].split('.').slice(0, 3).join('.')}.0/24` : null;
  if (v4) assert.ok(offers.includes(`Allowlist network ${v4}`), offers.join(' | '));
  if (fp.asns.length) assert.ok(offers.some((o) => o.startsWith(`Allowlist AS${fp.asns[0]}`)), offers.join(' | '));
  await screenshot(page, 'grading-false-positive');
  await offer.click();
  await page.getByTestId('rescored').waitFor({ timeout: 60_000 });
  const settings = await page.evaluate(() => JSON.parse(localStorage.getItem('sessionhunt.settings')));
  assert.deepEqual(settings.allow.ips, [fp.ips[0]]);
  await page.getByTestId('details-close').click();
  await page.locator('[data-testid=download-json]:not([disabled])').waitFor({ timeout: 60_000 });
  const after = JSON.parse((await downloadText(page, page.getByTestId('download-json'))).text);
  const again = after.findings.find((f) => f.id === fp.id);
  assert.ok(again && again.suppressions.length > 0, `the finding shows the suppression: ${JSON.stringify(again?.suppressions)}`);
  // The grade stays with the finding through the re-score.
  await page.getByTestId('findings-filter').fill(fp.id);
  assert.equal(await page.locator(`tr[data-id="${fp.id}"] td.grade`).getAttribute('data-grade'), 'false-positive');
  assert.deepEqual(errors, []);
  await context.close();
});
