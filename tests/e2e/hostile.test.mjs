// Log text is hostile: markup in a user agent and a UPN must show as text, and nothing in it may
// run. The demo tenant's top victim gets a UPN and the attacker a user agent full of markup, in
// every export file, and the page is walked through every view that shows them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, launch, openPage, screenshot, foreignRequests, CLI } from './harness.mjs';

// No commas or double quotes: the strings go into CSV and JSON files unescaped.
const EVIL_UPN = '<img src=x onerror=window.__pwned=1>@contoso.example';
const EVIL_UA = 'Mozilla/5.0 <script>window.__pwned=2</script><img src=x onerror=window.__pwned=3>';

let server;
let browser;
let dir;
let files;
let expected;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sessionhunt-hostile-'));
  execFileSync(CLI, ['demo', '--out', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  files = readdirSync(dir).sort().map((name) => join(dir, name));
  const clean = JSON.parse(execFileSync(CLI, ['analyze', '--format', 'json', ...files], { maxBuffer: 1 << 30 }).toString('utf8'));
  const victim = clean.findings[0].user;
  const ua = clean.findings[0].user_agents[0];
  assert.ok(victim && ua, 'the demo has a top finding with a user agent');
  const replaceAll = (text, from, to) => text.split(from).join(to);
  for (const path of files) {
    let text = readFileSync(path, 'utf8');
    // UPNs appear in any case in exports; the report lower-cases them.
    text = text.replace(new RegExp(victim.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), EVIL_UPN);
    text = replaceAll(text, ua, EVIL_UA);
    writeFileSync(path, text);
  }
  expected = JSON.parse(execFileSync(CLI, ['analyze', '--format', 'json', ...files], { maxBuffer: 1 << 30 }).toString('utf8'));
  assert.ok(expected.findings.some((f) => f.user === EVIL_UPN), 'the hostile UPN is a finding\'s user');
  assert.ok(expected.findings.some((f) => f.user_agents.includes(EVIL_UA)), 'the hostile user agent is in a finding');
  server = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('markup in a UPN and a user agent is shown as text and never runs', async () => {
  const { context, page, requests, errors } = await openPage(browser);
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  await page.goto(server.url);
  await page.locator('.app[data-worker="ready"]').waitFor();
  await page.getByTestId('file-input').setInputFiles(files);
  await page.getByTestId('findings').waitFor({ timeout: 120_000 });

  // The grid shows the UPN as text; show the user-agent column too.
  await page.getByTestId('findings-filter').fill('<img src=x');
  await page.getByTestId('column-chooser').locator('summary').click();
  await page.getByTestId('column-user-agents').check();
  const row = page.getByTestId('findings').locator('tbody tr').first();
  assert.equal(await row.locator('td.user').textContent(), EVIL_UPN);
  // Details: the UPN in the heading, the user agent in the list, both as text.
  await row.click();
  await page.getByTestId('details').waitFor();
  assert.equal(await page.getByTestId('details-user').textContent(), EVIL_UPN);
  const uas = await page.getByTestId('details-user-agents').locator('div').allTextContents();
  assert.ok(uas.includes(EVIL_UA), uas.join(' | '));
  await page.getByTestId('events-loading').waitFor({ state: 'detached', timeout: 30_000 });
  for (const summary of await page.getByTestId('finding-events').locator('summary').all()) await summary.click();
  const fieldText = await page.getByTestId('finding-events').textContent();
  assert.ok(fieldText.includes(EVIL_UA), 'the raw user agent of an event is shown');
  // The timeline: tooltips and the hover line are text too.
  await page.getByTestId('open-timeline').click();
  await page.getByTestId('timeline-svg').waitFor({ timeout: 30_000 });
  await page.getByTestId('details-close').click();
  await page.getByTestId('timeline-svg').locator('g.event.suspicious').first().hover();
  await screenshot(page, 'hostile');

  // The workspace's views show the same text as text: the session (the user agent, the UPN), the
  // campaign (an indicator's value), the overview (the UPN among the users).
  await row.locator('[data-testid=grid-session]').click();
  await page.getByTestId('session-events').waitFor();
  const sessionText = await page.getByTestId('session-view').textContent();
  assert.ok(sessionText.includes(EVIL_UA) && sessionText.includes(EVIL_UPN), 'the session view shows both as text');
  await page.getByTestId('tab-campaign').click();
  await page.getByTestId('campaign-view').and(page.locator(':not([aria-busy])')).waitFor();
  await page.getByTestId('tab-overview').click();
  await page.getByTestId('overview-users').waitFor();
  assert.ok((await page.getByTestId('overview-users').textContent()).includes(EVIL_UPN), 'the overview lists the UPN as text');
  assert.equal(await page.evaluate(() => document.querySelectorAll('img').length), 0);
  await page.getByTestId('tab-session').click();
  await page.getByTestId('session-events').waitFor();

  const outcome = await page.evaluate(() => ({
    pwned: window.__pwned,
    images: document.querySelectorAll('img').length,
    scripts: [...document.scripts].map((s) => s.src.split('/').pop()),
    markupInDom: document.body.innerHTML.includes('<img src=x'),
    escaped: document.body.innerHTML.includes('&lt;img src=x'),
    titles: [...document.querySelectorAll('svg title')].some((t) => t.textContent.includes('<script>')),
  }));
  assert.equal(outcome.pwned, undefined, 'no injected code ran');
  assert.equal(outcome.images, 0, 'no <img> element was created');
  assert.deepEqual(outcome.scripts, ['boot.js'], 'the only script is the page\'s own');
  assert.equal(outcome.markupInDom, false, 'the markup is not in the DOM as markup');
  assert.equal(outcome.escaped, true, 'it is there as escaped text');
  assert.equal(outcome.titles, true, 'tooltips carry the text');
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
  assert.deepEqual(foreignRequests(requests, server.origin), []);
  assert.ok(!requests.some((u) => u.endsWith('/x')), 'no request for the injected image');
  await context.close();
});
