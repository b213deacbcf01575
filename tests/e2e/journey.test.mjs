// A new analyst's path through a case (issue 19's "done when"), by what the page shows, not by
// test ids: on the demo tenant, from the grid to a user's session, to the campaign, a verdict on
// the finding, and the case report, the containment script and the KQL downloaded, each checked
// against the CLI's bytes for the same files and grades. Every control is found by its visible
// name (role and label), as a first-time user would find it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, openApp, chooseFiles, foreignRequests, screenshot, CLI } from './harness.mjs';

const env = suite({ demo: true });

/** Clicks `locator` and returns the download's file name and text. */
async function download(page, locator) {
  const [dl] = await Promise.all([page.waitForEvent('download'), locator.click()]);
  const chunks = [];
  for await (const c of await dl.createReadStream()) chunks.push(c);
  return { name: dl.suggestedFilename(), text: Buffer.concat(chunks).toString('utf8') };
}

test('grid → session → campaign → verdict → report, script and KQL, by what the page says', async () => {
  const report = JSON.parse(env.demo.report);
  const top = report.findings[0];
  const { context, page, errors, requests } = await openApp(env, { viewport: { width: 1280, height: 720 } });
  await chooseFiles(page, env.demo.files);

  // The most severe finding is the first row; a click opens it beside the grid.
  const grid = page.getByRole('region', { name: 'Findings grid (scrolls)' });
  await grid.getByRole('row').filter({ hasText: top.user }).first().click();
  const pane = page.getByRole('complementary', { name: 'Side pane' });
  await pane.getByRole('heading', { name: top.user }).waitFor();

  // Its session, by the button that names it.
  await pane.getByRole('button', { name: /^Session / }).first().click();
  await pane.getByRole('heading', { name: /^Session / }).waitFor();
  await pane.getByText(/\d+ events? of /).waitFor();

  // The campaign, by its tab; an IP the campaign shares filters the grid.
  await pane.getByRole('tab', { name: 'Campaign' }).click();
  await pane.getByRole('heading', { name: /^Campaign/ }).waitFor();
  const pick = pane.getByRole('listitem').filter({ has: page.getByText('IP', { exact: true }) }).first().getByRole('button');
  await pick.click();
  await page.getByText(/^Campaign: IP /).waitFor();
  await screenshot(page, 'journey-campaign');

  // Back to the finding; the verdict by its label, with a note.
  await page.getByRole('button', { name: 'Stop filtering by the campaign indicator' }).click();
  await pane.getByRole('tab', { name: 'Finding' }).click();
  await pane.getByRole('radio', { name: 'True positive', exact: true }).check();
  await pane.getByRole('textbox', { name: /Note/ }).fill('confirmed with the user');

  // The exports: "Export ↓" leads to them; each is the CLI's bytes with the same grades.
  await page.getByRole('link', { name: 'Export ↓' }).click();
  const grades = await download(page, page.getByRole('button', { name: 'Export grades (JSON)' }));
  const dir = mkdtempSync(join(tmpdir(), 'sessionhunt-journey-'));
  try {
    const gradesFile = join(dir, grades.name);
    writeFileSync(gradesFile, grades.text);
    assert.deepEqual(JSON.parse(grades.text).grades.map((g) => [g.finding, g.grade, g.note]), [[top.id, 'true-positive', 'confirmed with the user']]);
    const wanted = [
      ['Case report (HTML)', ['report', '--grades', gradesFile]],
      ['Containment script (PowerShell)', ['contain', '--grades', gradesFile]],
      ['Hunt queries (KQL for Sentinel)', ['kql']],
    ];
    for (const [label, args] of wanted) {
      const got = await download(page, page.getByRole('button', { name: label }));
      const cli = execFileSync(CLI, [...args, ...env.demo.files], { maxBuffer: 1 << 28 }).toString('utf8');
      assert.equal(got.text, cli, `${label}: the CLI's bytes`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(errors, []);
  assert.deepEqual(foreignRequests(requests, env.server.origin), []);
  await context.close();
});
