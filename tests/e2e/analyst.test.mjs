// The analyst's page (issue 5): from chosen export files to a graded list of findings, a finding's
// details, a user's timeline, settings that re-score, and keyboard use. The expectations come from
// the native CLI's report on the same files, never from hard-coded figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPage, screenshot, foreignRequests, CLI, downloadText, suite, showAll } from './harness.mjs';

let expected;
const env = suite({ demo: true, ready: ({ demo }) => { expected = JSON.parse(demo.report); } });

async function loadDemoFiles(page) {
  await page.goto(env.server.url);
  await page.locator('.app[data-worker="ready"]').waitFor();
  await page.getByTestId('file-input').setInputFiles(env.demo.files);
  await page.getByTestId('findings').waitFor({ timeout: 120_000 });
}

const rowsOf = (page) => page.getByTestId('findings').locator('tbody tr');

test('chosen export files give the CLI\'s summary and top finding', async () => {
  const { context, page, requests, errors } = await openPage(env.browser);
  await loadDemoFiles(page);
  assert.equal(await page.getByTestId('user-count').textContent(), `${expected.coverage.users} users`);
  for (const severity of ['critical', 'high', 'medium', 'low', 'info']) {
    const n = expected.findings.filter((f) => f.severity === severity).length;
    assert.equal(await page.getByTestId(`severity-${severity}`).locator('strong').textContent(), String(n), severity);
  }
  const top = await rowsOf(page).first().locator('td').allTextContents();
  assert.equal(top[0], expected.findings[0].severity);
  assert.equal(top[2], expected.findings[0].user);
  // Low and info findings are folded behind a count.
  const n = expected.findings.length;
  const low = expected.findings.filter((f) => f.severity === 'low' || f.severity === 'info').length;
  assert.equal(await page.getByTestId('findings-count').textContent(), `${n - low} of ${n}`);
  // Per file: format, rows, events, duplicates, skipped, as the CLI counted them.
  const inputRows = page.getByTestId('inputs').locator('tbody tr');
  assert.equal(await inputRows.count(), expected.inputs.length);
  for (let i = 0; i < expected.inputs.length; i++) {
    const cells = await inputRows.nth(i).locator('td').allTextContents();
    const e = expected.inputs[i];
    assert.equal(cells[0], e.name);
    assert.ok(cells[1].startsWith(e.format), `${cells[1]} / ${e.format}`);
    assert.equal(cells[3].replace(/\u202f/g, ''), String(e.rows));
    assert.equal(cells[4].replace(/\u202f/g, ''), String(e.events));
    assert.equal(cells[5].replace(/\u202f/g, ''), String(e.duplicates));
    assert.equal(cells[6].replace(/\u202f/g, ''), String(e.skipped));
  }
  assert.deepEqual(errors, []);
  assert.deepEqual(foreignRequests(requests, env.server.origin), []);
  await context.close();
});

test('the grid sorts by any column, filters per column, searches, chooses columns, and is virtualized', async () => {
  const { context, page, errors } = await openPage(env.browser);
  await loadDemoFiles(page);
  const table = page.getByTestId('findings');
  const total = expected.findings.length;
  await showAll(page);

  // Only the rows in view are in the DOM.
  const domRows = await rowsOf(page).count();
  assert.equal(await table.getAttribute('data-rows'), String(total));
  if (total > 20) assert.ok(domRows < total, `${domRows} rows rendered of ${total}`);

  await table.getByRole('button', { name: 'Score' }).click();
  const scores = (await table.locator('tbody tr td:nth-child(2)').allTextContents()).map(Number);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a), 'scores descending');
  assert.equal(scores[0], Math.max(...expected.findings.map((f) => f.score)));
  await table.getByRole('button', { name: 'Score' }).click();
  const ascending = (await table.locator('tbody tr td:nth-child(2)').allTextContents()).map(Number);
  assert.equal(ascending[0], Math.min(...expected.findings.map((f) => f.score)));

  // Per-column filter: severity.
  await page.getByTestId('filter-severity').fill('critical');
  const critical = expected.findings.filter((f) => f.severity === 'critical').length;
  assert.equal(await page.getByTestId('findings-count').textContent(), `${critical} of ${total}`);
  const severities = await table.locator('tbody tr td:nth-child(1)').allTextContents();
  assert.ok(severities.every((s) => s === 'critical'), severities.join());
  await page.getByTestId('filter-severity').fill('');

  // Free-text search reaches columns that are hidden (an IP of the top finding).
  const ip = expected.findings[0].ips[0];
  await page.getByTestId('findings-filter').fill(ip);
  // (The search also covers the explanation, the facts, the rung's reason and the related audit.)
  const withIp = expected.findings.filter((f) => [f.user, f.severity, ...f.rules, ...f.ips, ...f.countries, ...f.session_ids, ...f.user_agents, f.id, f.first_seen, f.last_seen, f.remediation.status, String(f.score), ...f.asns.map((a) => `as${a}`),
    ...f.explanation, f.severity_reason, ...f.facts.map((x) => x.detail), ...f.related_audit.map((a) => `${a.operation} ${a.detail}`)].some((t) => t.toLowerCase().includes(ip.toLowerCase()))).length;
  assert.equal(await page.getByTestId('findings-count').textContent(), `${withIp} of ${total}`);
  await page.getByTestId('findings-filter').fill('');

  // Column chooser: show the Id column, hide Countries.
  await page.getByTestId('column-chooser').locator('summary').click();
  await page.getByTestId('column-id').check();
  await page.getByTestId('column-countries').uncheck();
  const headers = await table.locator('thead tr.labels th').allTextContents();
  assert.ok(headers.includes('Id') && !headers.includes('Countries'), headers.join());

  // Scrolling renders the rows further down: the last row in display order appears.
  await page.getByTestId('grid-viewport').evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await page.waitForTimeout(200);
  const lastIds = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.id));
  assert.ok(lastIds.length > 0);
  await screenshot(page, 'grid-scrolled');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a finding opens its details: facts and points, the events behind it, audit, remediation', async () => {
  const { context, page, requests, errors } = await openPage(env.browser);
  await loadDemoFiles(page);
  // The most complete top finding: a critical one with related audit operations if there is one.
  const f = expected.findings.find((x) => x.severity === 'critical' && x.related_audit.length > 0) ?? expected.findings[0];
  await page.getByTestId('findings-filter').fill(f.id);
  await page.getByTestId('column-chooser').locator('summary').click();
  await page.getByTestId('column-id').check();
  await rowsOf(page).first().click();
  const details = page.getByTestId('details');
  await details.waitFor();
  assert.equal(await page.getByTestId('details-user').textContent(), f.user);
  assert.equal(await page.getByTestId('details-severity').textContent(), f.severity);
  // The explanation's sentences that the facts table does not already say (no duplicated prose):
  // every sentence is shown once, as prose or as a fact.
  const prose = await page.getByTestId('explanation').locator('li').allTextContents();
  const norm = (t) => t.trim().replace(/\.+$/, '').toLowerCase();
  for (const s of f.explanation) assert.ok(prose.includes(s) || f.facts.some((x) => norm(s).includes(norm(x.detail)) || norm(x.detail).includes(norm(s))), s);
  assert.ok(prose.every((s) => f.explanation.includes(s)));
  const facts = page.getByTestId('facts').locator('tbody tr');
  assert.equal(await facts.count(), f.facts.length);
  for (let i = 0; i < f.facts.length; i++) {
    const cells = await facts.nth(i).locator('td').allTextContents();
    assert.equal(cells[0], f.facts[i].rule);
    assert.equal(Number(cells[1]), f.facts[i].points);
    assert.equal(cells[2], f.facts[i].detail);
  }
  assert.equal(await page.getByTestId('facts').locator('tfoot th').nth(1).textContent(), String(f.score));
  // The worker sends the user's events: every event behind the finding gets its row's fields.
  await page.getByTestId('events-loading').waitFor({ state: 'detached', timeout: 30_000 });
  const events = page.getByTestId('finding-events').locator('li');
  assert.equal(await events.count(), f.events.length);
  await events.first().locator('summary').first().click();
  const fields = await events.first().locator('dl.row-fields dt').allTextContents();
  assert.ok(fields.includes('Source') && fields.includes('IP'), fields.join());
  const source = await events.first().locator('dl.row-fields dd').nth(fields.indexOf('Source')).textContent();
  assert.equal(source, `${f.events[0].file}:${f.events[0].line}`);
  // The raw row, read again from the chosen file at that line, shown as text.
  // A CSV row also comes as a table of its header's column names and values.
  const raw = events.first().getByTestId('raw-row');
  await raw.waitFor({ state: 'attached', timeout: 30_000 });
  const ipValue = await events.first().locator('dl.row-fields dd').nth(fields.indexOf('IP')).textContent();
  assert.ok((await raw.textContent()).includes(ipValue), `the raw row has the IP ${ipValue}`);
  if (f.events[0].file.toLowerCase().endsWith('.csv')) {
    const rawFields = events.first().getByTestId('raw-fields');
    const names = await rawFields.locator('tbody th').allTextContents();
    const values = await rawFields.locator('tbody td').allTextContents();
    assert.ok(names.length > 5, names.join());
    assert.ok(values.includes(ipValue), `the IP ${ipValue} is a named field: ${names.join()}`);
    assert.ok(names.some((n) => /ip/i.test(n)), names.join());
  }
  if (f.related_audit.length > 0) {
    const audit = page.getByTestId('related-audit').locator('tbody tr.op');
    assert.equal(await audit.count(), f.related_audit.length);
    assert.equal(await audit.first().locator('td').nth(1).textContent(), f.related_audit[0].operation);
  }
  const remediation = await page.getByTestId('remediation').textContent();
  const said = { none: 'Not contained', unknown: 'Unknown', 'sessions-revoked': 'Contained', 'account-disabled': 'Contained' }[f.remediation.status];
  assert.ok(remediation.startsWith(said) && remediation.includes(f.remediation.time), remediation);
  await screenshot(page, 'details');
  await page.keyboard.press('Escape');
  await details.waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
  assert.deepEqual(foreignRequests(requests, env.server.origin), []);
  await context.close();
});

test('a user\'s timeline: lanes, marked events, the gap, zoom, hover, and a range that filters the grid', async () => {
  const { context, page, errors } = await openPage(env.browser, { viewport: { width: 1920, height: 1080 } });
  await loadDemoFiles(page);
  const f = expected.findings[0];
  await rowsOf(page).first().click();
  await page.getByTestId('open-timeline').click();
  const timeline = page.getByTestId('timeline');
  await timeline.waitFor();
  assert.equal(await page.getByTestId('timeline-user').textContent(), f.user);
  const svg = page.getByTestId('timeline-svg');
  await svg.waitFor({ timeout: 30_000 });
  await page.getByTestId('details-close').click();
  // Every event behind a finding of the user is marked (those in view).
  const marked = await svg.locator('g.event.suspicious').count();
  assert.ok(marked > 0, 'suspicious events are marked');
  assert.ok(await svg.locator('g.event.interactive').count() > 0, 'interactive lane has events');
  // The gap between the user's own sign-in and the replay is drawn and labelled.
  const gaps = await svg.locator('[data-testid=timeline-gap] text').allTextContents();
  assert.ok(gaps.length > 0 && gaps.every((g) => / after the user's sign-in · .+ → .+/.test(g)), gaps.join(' | '));
  await screenshot(page, 'timeline-1920');

  // Zoom in halves the span; "All" shows everything.
  const span = async () => Number(await svg.getAttribute('data-view-end')) - Number(await svg.getAttribute('data-view-start'));
  const before = await span();
  await page.getByTestId('zoom-in').click();
  assert.ok(Math.abs(await span() - before / 2) < 1, 'zoomed in by two');
  await page.getByTestId('zoom-all').click();
  const all = await span();
  assert.ok(all >= before, 'the whole span is at least the finding\'s');
  // Wheel zooms too, without scrolling the page.
  const box = await svg.boundingBox();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.4);
  const scrollY = await page.evaluate(() => window.scrollY);
  await page.mouse.wheel(0, -300);
  await page.waitForTimeout(100);
  assert.ok(await span() < all, 'wheel zooms in');
  assert.equal(await page.evaluate(() => window.scrollY), scrollY, 'the page did not scroll');
  await page.getByTestId('zoom-all').click();

  // Hovering an event shows its details as text.
  // (Marks overlap at the whole span: the one under the pointer is the one whose details show.)
  const markBox = await svg.locator('g.event.suspicious').first().boundingBox();
  const [px, py] = [markBox.x + markBox.width / 2, markBox.y + markBox.height / 2];
  await page.mouse.move(px, py);
  const info = await page.getByTestId('timeline-hover').textContent();
  const under = await page.evaluate(([x, y]) => document.elementFromPoint(x, y).closest('g.event').querySelector('title').textContent, [px, py]);
  const [time, kind, ip] = under.split(' · ');
  assert.ok(info.startsWith(`${time} · ${kind} · ${ip} · `), `${info} / ${time} ${kind} ${ip}`);
  // The events behind the top finding include the attacker's IPs.
  const markedIps = await svg.locator('g.event.suspicious title').allTextContents();
  assert.ok(f.ips.some((a) => markedIps.some((t) => t.includes(` · ${a} · `))), 'attacker IPs are marked');

  // Dragging in the strip under the lanes selects a range; the grid keeps the findings in it.
  await page.getByTestId('timeline-brush').scrollIntoViewIfNeeded();
  const brush = await page.getByTestId('timeline-brush').boundingBox();
  const y = brush.y + brush.height / 2;
  await page.mouse.move(brush.x + brush.width * 0.05, y);
  await page.mouse.down();
  await page.mouse.move(brush.x + brush.width * 0.3, y, { steps: 5 });
  await page.mouse.up();
  await page.getByTestId('range-chip').waitFor();
  await showAll(page);
  const count = await page.getByTestId('findings-count').textContent();
  const [shown] = count.split(' of ').map(Number);
  assert.ok(shown < expected.findings.length, `range filters: ${count}`);
  await page.getByTestId('range-chip').getByRole('button').click();
  assert.equal(await page.getByTestId('findings-count').textContent(), `${expected.findings.length} of ${expected.findings.length}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('changing a setting re-scores without re-reading; settings persist, export and import', async () => {
  const { context, page, errors } = await openPage(env.browser);
  await loadDemoFiles(page);
  const victim = expected.findings[0].user;
  await page.getByTestId('settings').locator('summary').first().click();
  const progressSeen = [];
  page.on('console', () => {});
  await page.exposeFunction('__sawReading', (t) => progressSeen.push(t));
  await page.evaluate(() => {
    new MutationObserver(() => {
      const s = document.querySelector('[data-testid=status-working]');
      if (s) window.__sawReading(s.textContent);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.getByTestId('setting-allow.users').fill(victim);
  await page.getByTestId('setting-allow.users').blur();
  // The victim's findings are kept, at severity info, with the suppression named.
  await page.getByTestId('findings-filter').fill(victim);
  await page.waitForFunction((v) => {
    const cells = [...document.querySelectorAll('[data-testid=findings] tbody tr td:nth-child(1)')];
    return cells.length > 0 && cells.every((c) => c.textContent === 'info');
  }, victim, { timeout: 60_000 });
  assert.ok(progressSeen.every((t) => t.startsWith('Re-scoring')), `no file was read again: ${progressSeen}`);
  await page.getByTestId('settings').scrollIntoViewIfNeeded();
  await screenshot(page, 'settings', { fullPage: true });
  // Persisted: a reload keeps the setting.
  await page.reload();
  await page.locator('.app[data-worker="ready"]').waitFor();
  await page.getByTestId('settings').locator('summary').first().click();
  assert.equal(await page.getByTestId('setting-allow.users').inputValue(), victim);
  // Export, then import a changed copy.
  const { name, text } = await downloadText(page, page.getByTestId('settings-export'));
  assert.equal(name, 'sessionhunt-settings.json');
  const exported = JSON.parse(text);
  assert.deepEqual(exported.allow.users, [victim]);
  exported.allow.users = [];
  exported.weights.campaign = 77;
  await page.getByTestId('settings-import').setInputFiles({ name: 's.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(exported)) });
  await page.waitForFunction(() => document.querySelector('[data-testid="setting-weights.campaign"]')?.value === '77');
  assert.equal(await page.getByTestId('setting-allow.users').inputValue(), '');
  // A bad value is refused with a message and not applied.
  await page.getByTestId('setting-ipv4_prefix').fill('-3');
  await page.getByTestId('setting-ipv4_prefix').blur();
  assert.match(await page.getByTestId('settings-error').textContent(), /-3 is not accepted: IPv4 prefix \(bits\) takes a whole number from 0 to 32/);
  await page.getByTestId('settings-reset').click();
  assert.equal(await page.getByTestId('setting-weights.campaign').inputValue(), '15');
  assert.deepEqual(errors, []);
  await context.close();
});

test('keyboard: the grid is reachable, arrows move, Enter opens, Escape closes', async () => {
  const { context, page, errors } = await openPage(env.browser);
  await loadDemoFiles(page);
  await page.getByTestId('grid-viewport').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  const active = await page.locator('[data-testid=findings] tbody tr.active').getAttribute('data-id');
  const third = await rowsOf(page).nth(2).getAttribute('data-id');
  assert.equal(active, third);
  const outline = await page.getByTestId('grid-viewport').evaluate((el) => getComputedStyle(el).outlineStyle);
  assert.equal(outline, 'solid', 'visible focus');
  await page.keyboard.press('Enter');
  await page.getByTestId('details').waitFor();
  assert.equal(await page.getByTestId('details').evaluate((el) => el.contains(document.activeElement)), true, 'focus moves into the panel');
  const user = await page.getByTestId('details-user').textContent();
  assert.equal(user, expected.findings.find((f) => f.id === third).user);
  await page.keyboard.press('Escape');
  await page.getByTestId('details').waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
  await context.close();
});

test('files can be removed (the analysis follows), and reading can be cancelled', async () => {
  const { context, page, errors } = await openPage(env.browser);
  await loadDemoFiles(page);
  const inputs = page.getByTestId('inputs').locator('tbody tr');
  assert.equal(await inputs.count(), env.demo.files.length);
  const removed = expected.inputs[0].name;
  await inputs.first().getByTestId('remove-file').click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=inputs] tbody tr').length === n, env.demo.files.length - 1, { timeout: 120_000 });
  const names = await page.getByTestId('inputs').locator('tbody tr td:first-child').allTextContents();
  assert.ok(!names.includes(removed), names.join());
  const remaining = env.demo.files.filter((p) => !p.endsWith('/' + removed));
  const cli = JSON.parse(execFileSync(CLI, ['analyze', '--format', 'json', ...remaining], { maxBuffer: 1 << 30 }).toString('utf8'));
  const folded = cli.findings.filter((f) => f.severity === 'low' || f.severity === 'info').length;
  assert.equal(await page.getByTestId('findings-count').textContent(), `${cli.findings.length - folded} of ${cli.findings.length}`);

  // Cancel: a 64 MiB file, cancelled while it is read; the page is usable again at once.
  const dir = mkdtempSync(join(tmpdir(), 'sessionhunt-cancel-'));
  const big = join(dir, 'big.csv');
  writeFileSync(big, Buffer.alloc(64 << 20, 'x,y,z\n'));
  await page.getByTestId('file-input').setInputFiles(big);
  await page.getByTestId('cancel').click({ timeout: 10_000 });
  await page.getByTestId('status-cancelled').waitFor();
  await page.locator('.app[data-worker="ready"]').waitFor();
  assert.equal(await page.getByTestId('findings').count(), 0, 'nothing of the cancelled run is shown');
  await page.getByTestId('demo-button').click();
  await page.getByTestId('findings').waitFor({ timeout: 120_000 });
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('the theme button switches between the system\'s choice, light and dark, and remembers it', async () => {
  const { context, page, errors } = await openPage(env.browser, { colorScheme: 'light' });
  await page.goto(env.server.url);
  await page.locator('.app[data-worker="ready"]').waitFor();
  const bg = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const light = await bg();
  assert.equal(await page.getByTestId('theme-toggle').textContent(), 'Theme: auto');
  await page.getByTestId('theme-toggle').click();
  assert.equal(await page.getByTestId('theme-toggle').textContent(), 'Theme: light');
  assert.equal(await bg(), light);
  await page.getByTestId('theme-toggle').click();
  assert.equal(await page.getByTestId('theme-toggle').textContent(), 'Theme: dark');
  assert.equal(await bg(), 'rgb(17, 22, 28)');
  await page.reload();
  await page.getByTestId('theme-toggle').waitFor();
  assert.equal(await page.getByTestId('theme-toggle').textContent(), 'Theme: dark');
  assert.equal(await bg(), 'rgb(17, 22, 28)', 'remembered');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a timeline opened before its events arrive still zooms with the wheel', async () => {
  const { context, page, errors } = await openPage(env.browser);
  await page.goto(env.server.url);
  await page.locator('.app[data-worker="ready"]').waitFor();
  await page.getByTestId('demo-button').click();
  await page.getByTestId('findings').waitFor({ timeout: 120_000 });
  await rowsOf(page).first().click();
  // Straight to the timeline: the button is there before the events are.
  await page.getByTestId('open-timeline').click();
  await page.getByTestId('details-close').click();
  const svg = page.getByTestId('timeline-svg');
  await svg.waitFor({ timeout: 30_000 });
  const span = async () => Number(await svg.getAttribute('data-view-end')) - Number(await svg.getAttribute('data-view-start'));
  const before = await span();
  const box = await svg.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 3);
  await page.mouse.wheel(0, 300);
  await page.waitForTimeout(100);
  assert.ok(await span() > before, 'wheel down zooms out');
  assert.deepEqual(errors, []);
  await context.close();
});
