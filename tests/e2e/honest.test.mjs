// Honest answers and readable findings (issue 21): the page never says or implies "nothing found",
// "not contained" or "attacker" beyond what the loaded data shows; every user stays reachable;
// badges and text are readable in both themes; search and filters find what is on screen; the
// details panel follows the grid and gives the focus back. Expectations come from the CLI's report
// on the same files, never from hard-coded figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPage, screenshot, CLI, ROOT, suite, showAll } from './harness.mjs';

const FIXTURES = join(ROOT, 'tests/fixtures/formats');

const cli = (files, extra = []) => JSON.parse(execFileSync(CLI, ['analyze', '--format', 'json', ...extra, ...files], { maxBuffer: 1 << 30 }).toString('utf8'));

let expected;
const env = suite({ demo: true, ready: ({ demo }) => { expected = JSON.parse(demo.report); } });

async function load(page, files) {
  await page.goto(env.server.url);
  await page.locator('.app[data-worker="ready"]').waitFor();
  await page.getByTestId('file-input').setInputFiles(files);
  await page.getByTestId('answer').waitFor({ timeout: 120_000 });
}

const rowsOf = (page) => page.getByTestId('findings').locator('tbody tr');
const bodyText = (page) => page.evaluate(() => document.body.innerText);

test('a file of junk: "0 events could be read", never the reassuring line', async () => {
  const { context, page, errors } = await openPage(env.browser);
  const files = [join(FIXTURES, 'not_an_export.csv')];
  const report = cli(files);
  assert.equal(report.coverage.events_by_kind.reduce((n, k) => n + k.count, 0), 0, 'the fixture holds no event');
  await load(page, files);
  assert.equal(await page.getByTestId('answer').getAttribute('data-tone'), 'limited');
  assert.match(await page.getByTestId('answer-headline').textContent(), /^0 events could be read/);
  assert.doesNotMatch(await bodyText(page), /nothing in these .* looks like session replay/);
  await screenshot(page, 'honest-junk');
  assert.deepEqual(errors, []);
  await context.close();
});

test('audit log only: no replay hunt, the audit operations counted, every user reachable', async () => {
  const { context, page, errors } = await openPage(env.browser);
  // Audit operations only (the UAL's UserLoggedIn records are sign-ins): the directory audit log.
  const files = [join(FIXTURES, 'log_analytics_auditlogs.csv')];
  const report = cli(files);
  const audit = report.coverage.events_by_kind.find((k) => k.kind === 'audit').count;
  assert.ok(audit > 0 && report.coverage.users > 0);
  await load(page, files);
  const headline = await page.getByTestId('answer-headline').textContent();
  // Per operation: the three most frequent by name, the rest together.
  const ops = report.coverage.audit_operations;
  assert.equal(ops.reduce((n, o) => n + o.count, 0), audit);
  const parts = ops.slice(0, 3).map((o) => `${o.count} ${o.operation} operation${o.count === 1 ? '' : 's'}`);
  const rest = ops.slice(3).reduce((n, o) => n + o.count, 0);
  if (rest) parts.push(`${rest} other audit operation${rest === 1 ? '' : 's'}`);
  const what = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0];
  assert.ok(headline.startsWith(`No sign-in logs: replay hunting was not possible; ${what} were examined`), `${headline} / ${what}`);
  assert.doesNotMatch(await bodyText(page), /nothing in these .* looks like session replay/);
  // The user list opens, and any user's timeline with it, findings or not.
  await page.getByTestId('users').locator('summary').click();
  const rows = page.getByTestId('users').locator('tbody tr');
  await rows.first().waitFor({ timeout: 30_000 });
  assert.equal(await rows.count(), Math.min(report.coverage.users, 200));
  const user = await rows.first().getAttribute('data-user');
  await rows.first().getByTestId('user-timeline').click();
  await page.getByTestId('timeline-svg').waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('timeline-user').textContent(), user);
  assert.ok(await page.getByTestId('timeline-svg').locator('g.event.audit').count() > 0, 'the user\'s audit operations are drawn');
  await screenshot(page, 'honest-audit-only');
  assert.deepEqual(errors, []);
  await context.close();
});

/**
 * A Purview audit-log search export like the one of the issue: `rules` inbox rules set from one
 * outside IP and `logins` UserLoggedIn records (the audit log's sign-ins), nothing from Entra ID.
 */
function purviewExport(path, rules, logins) {
  const q = (s) => `"${s.replaceAll('"', '""')}"`;
  const lines = ['RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames'];
  const row = (i, minute, type, operation, data) => {
    const id = `7e57da7a-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const t = `2026-03-05T02:${String(minute).padStart(2, '0')}:00`;
    const audit = { CreationTime: t, Id: id, Operation: operation, RecordType: type, UserId: 'bob@example.com', ...data };
    lines.push([id, `3/5/2026 2:${String(minute).padStart(2, '0')}:00 AM`, type, operation, 'bob@example.com', q(JSON.stringify(audit)), '', ''].join(','));
  };
  for (let i = 0; i < rules; i++) {
    row(i, i % 60, 1, 'New-InboxRule', { ResultStatus: 'True', Workload: 'Exchange', ClientIP: '198.51.100.23:4431',
      Parameters: [{ Name: 'Name', Value: `Newsletter ${i}` }, { Name: 'From', Value: `news${i}@example.org` }, { Name: 'MoveToFolder', Value: 'Newsletters' }] });
  }
  for (let i = 0; i < logins; i++) {
    row(1000 + i, i % 60, 15, 'UserLoggedIn', { ResultStatus: 'Success', Workload: 'AzureActiveDirectory', ClientIP: '198.51.100.23', ErrorNumber: '0',
      ApplicationId: '4765445b-32c6-49b0-83e6-1d93765276ca', AzureActiveDirectoryEventType: 1,
      ExtendedProperties: [{ Name: 'UserAgent', Value: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)' }, { Name: 'RequestType', Value: 'Login:login' }] });
  }
  writeFileSync(path, lines.join('\r\n') + '\r\n');
  return path;
}

test('a Purview export of inbox rules and sign-in records: the banner counts what was examined per operation', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sessionhunt-purview-'));
  const files = [purviewExport(join(dir, 'Audit_Log_Search_2026-03-05.csv'), 38, 20)];
  const report = cli(files);
  assert.deepEqual(report.coverage.audit_operations, [{ operation: 'New-InboxRule', count: 38 }]);
  assert.equal(report.coverage.audit_log_sign_ins, 20);
  const n = report.findings.length;
  const { context, page, errors } = await openPage(env.browser);
  await load(page, files);
  assert.equal(await page.getByTestId('answer').getAttribute('data-tone'), 'limited');
  assert.equal(await page.getByTestId('answer-headline').textContent(),
    'No Entra ID sign-in logs: replay hunting was limited; 38 New-InboxRule operations and 20 sign-in records from the audit log were examined'
    + (n === 0 ? '.' : `; ${n} finding${n === 1 ? '' : 's'} to review.`));
  const lines = await page.getByTestId('answer').locator('li').allTextContents();
  assert.match(lines[0], /^Examined: .*\(20 of the sign-ins read from the audit log\)\.$/);
  assert.ok(lines.some((l) => l.startsWith('Load the interactive and non-interactive sign-in logs')), lines.join('\n'));
  assert.doesNotMatch(await bodyText(page), /nothing in these .* looks like session replay/);
  await screenshot(page, 'honest-purview-audit-only');
  assert.deepEqual(errors, []);
  await context.close();
  rmSync(dir, { recursive: true, force: true });
});

test('zero findings: users and their timelines stay reachable; the reassuring line only with both Entra sign-in logs', async () => {
  const { context, page, errors } = await openPage(env.browser);
  // Both Entra sign-in logs, nothing suspicious in them.
  const both = ['InteractiveSignIns_2026-03-01_2026-03-07.csv', 'NonInteractiveSignIns_2026-03-01_2026-03-07.csv'].map((n) => join(FIXTURES, n));
  const report = cli(both);
  assert.equal(report.findings.length, 0);
  await load(page, both);
  assert.equal(await page.getByTestId('answer').getAttribute('data-tone'), 'clear');
  assert.match(await page.getByTestId('answer-headline').textContent(), /^No findings: nothing in these sign-ins looks like session replay\.$/);
  assert.match(await page.getByTestId('answer').textContent(), /no audit log/, 'what was not examined is still said');
  await page.getByTestId('users').locator('summary').click();
  const rows = page.getByTestId('users').locator('tbody tr');
  await rows.first().waitFor({ timeout: 30_000 });
  assert.equal(await rows.count(), report.coverage.users);
  const counts = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.cells].slice(1, 4).reduce((n, td) => n + Number(td.textContent), 0)));
  const total = report.coverage.events_by_kind.reduce((n, k) => n + k.count, 0);
  assert.equal(counts.reduce((a, b) => a + b, 0), total, 'every event belongs to a listed user');
  for (let i = 0; i < counts.length; i++) {
    await rows.nth(i).getByTestId('user-timeline').click();
    await page.waitForFunction((u) => document.querySelector('[data-testid=timeline-user]')?.textContent === u, await rows.nth(i).getAttribute('data-user'));
    await page.getByTestId('timeline-svg').waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('timeline-svg').locator('g.event').count(), counts[i], 'every event of the user is drawn');
  }
  // Sign-ins read from the audit log only: no finding, and still no reassurance.
  const ual = [join(FIXTURES, 'ual_signins_purview.csv')];
  const ualReport = cli(ual);
  assert.equal(ualReport.findings.length, 0);
  assert.ok(ualReport.coverage.audit_log_sign_ins > 0);
  await load(page, ual);
  assert.equal(await page.getByTestId('answer').getAttribute('data-tone'), 'limited');
  assert.match(await page.getByTestId('answer-headline').textContent(), /^No Entra ID sign-in logs: replay hunting was limited; .*sign-in records? from the audit log (was|were) examined\.$/);
  assert.doesNotMatch(await bodyText(page), /nothing in these .* looks like session replay/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('sign-ins without an audit log: containment is unknown, never "not contained"', async () => {
  const { context, page, errors } = await openPage(env.browser);
  const signIns = env.demo.files.filter((p) => !/audit/i.test(p));
  assert.ok(signIns.length < env.demo.files.length, 'the demo has an audit file to leave out');
  const report = cli(signIns);
  assert.ok(report.findings.length > 0);
  assert.ok(report.findings.every((f) => f.remediation.status === 'unknown'), 'the core says unknown');
  await load(page, signIns);
  const cells = await rowsOf(page).locator('td.remediation').allTextContents();
  assert.ok(cells.length > 0 && cells.every((c) => c === 'unknown'), cells.join());
  await rowsOf(page).first().click();
  const remediation = await page.getByTestId('remediation').textContent();
  assert.ok(remediation.startsWith('Unknown'), remediation);
  assert.match(await page.getByTestId('answer-actions').textContent(), /^Unknown: no audit log/);
  assert.doesNotMatch(await page.getByTestId('details').textContent(), /not contained|were not revoked/i);
  assert.match((await page.getByTestId('answer').textContent()), /no audit log/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('with the audit log, containment says contained or not contained as the core does', async () => {
  const { context, page, errors } = await openPage(env.browser);
  await load(page, env.demo.files);
  const label = { 'sessions-revoked': 'contained', 'account-disabled': 'contained', none: 'not contained', unknown: 'unknown' };
  const shown = await rowsOf(page).evaluateAll((rows) => rows.map((r) => [r.dataset.id, r.querySelector('td.remediation')?.textContent]));
  assert.ok(shown.length > 0);
  for (const [id, text] of shown) {
    const f = expected.findings.find((x) => x.id === id);
    assert.equal(text, label[f.remediation.status], id);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('the timeline marks as attacker only the networks of the finding under review', async () => {
  const byUser = new Map();
  for (const f of expected.findings) byUser.set(f.user, [...(byUser.get(f.user) ?? []), f]);
  // A user with two findings whose networks differ.
  const pair = [...byUser.values()].find((fs) => fs.length > 1 && fs.some((f) => f.asns.some((a) => !fs[0].asns.includes(a))));
  assert.ok(pair, 'the demo tenant has a user with two findings on different networks');
  const { context, page, errors } = await openPage(env.browser, { viewport: { width: 1920, height: 1080 } });
  await load(page, env.demo.files);
  for (const f of pair) {
    await page.getByTestId('findings-filter').fill(f.id);
    await page.getByTestId('column-chooser').locator('summary').click();
    await page.getByTestId('column-id').check();
    await page.getByTestId('column-chooser').locator('summary').click();
    await rowsOf(page).first().click();
    await page.getByTestId('open-timeline').click();
    await page.getByTestId('timeline-svg').waitFor({ timeout: 30_000 });
    await page.getByTestId('details-close').click();
    const legend = await page.getByTestId('timeline-legend').locator('li').allTextContents();
    const attacker = legend.filter((l) => l.includes(' attacker'));
    for (const l of attacker) assert.ok(f.asns.some((a) => l.startsWith(`AS${a}`)), `${l} belongs to ${f.id}: ${f.asns}`);
    const others = pair.filter((g) => g.id !== f.id).flatMap((g) => g.asns).filter((a) => !f.asns.includes(a));
    for (const a of others) {
      const line = legend.find((l) => l.startsWith(`AS${a} `) || l.startsWith(`AS${a}(`));
      if (line) assert.match(line, /flagged in another finding \((critical|high|medium|low|info)\)/, line);
    }
    await page.getByTestId('timeline-close').click();
    await page.getByTestId('column-chooser').locator('summary').click();
    await page.getByTestId('column-id').uncheck();
    await page.getByTestId('column-chooser').locator('summary').click();
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('a low finding whose events go on after a revocation never says "after the remediation"', async () => {
  const f = expected.findings.find((x) => x.severity === 'low' && x.remediation.status === 'sessions-revoked' && x.last_seen > x.remediation.time);
  assert.ok(f, 'the demo has a low finding of a user whose sessions were revoked before its last event');
  const { context, page, errors } = await openPage(env.browser);
  await load(page, env.demo.files);
  await page.getByTestId('findings-filter').fill(f.id);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=findings] tbody tr').length === 1);
  await rowsOf(page).first().click();
  await page.getByTestId('facts-fold').locator('summary').click();
  const text = await page.getByTestId('details').textContent();
  assert.match(text, /This low finding's events go on until .*, which is what the user's own sign-ins do after a revocation\./);
  assert.doesNotMatch(text, /after the remediation/);
  // And across the grid: only findings the ladder believes in (medium or more) say it.
  await page.getByTestId('findings-filter').fill('after the remediation');
  const severities = await rowsOf(page).evaluateAll((rows) => rows.map((r) => r.cells[0].textContent));
  assert.ok(severities.every((s) => ['medium', 'high', 'critical'].includes(s)), severities.join());
  assert.deepEqual(errors, []);
  await context.close();
});

// WCAG 2 relative luminance and contrast ratio, from computed colours.
function contrastOf(fg, bg) {
  const rgb = (c) => (c.startsWith('color(') ? c.match(/[\d.]+/g).slice(0, 3).map((v) => Number(v) * 255) : c.match(/[\d.]+/g).slice(0, 3).map(Number));
  const lum = (c) => {
    const [r, g, b] = rgb(c).map((v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}

for (const colorScheme of ['light', 'dark']) {
  test(`badges and text have a contrast of at least 4.5:1 (${colorScheme})`, async () => {
    const { context, page, errors } = await openPage(env.browser, { colorScheme });
    await load(page, env.demo.files);
    await rowsOf(page).first().click();
    await page.getByTestId('details').waitFor();
    // Every badge against its own background; text against the nearest opaque background.
    const pairs = await page.evaluate(() => {
      // A colour as [r, g, b, a] (0-255, 0-1), from rgb(), rgba() or color(srgb …) text.
      const parse = (c) => {
        const n = c.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0, 0];
        if (c.startsWith('color(')) return [n[0] * 255, n[1] * 255, n[2] * 255, n[3] ?? 1];
        if (c === 'transparent') return [0, 0, 0, 0];
        return [n[0], n[1], n[2], n[3] ?? 1];
      };
      // The background the text is drawn on: every translucent layer composited over the first
      // opaque one behind it.
      const opaque = (el) => {
        const layers = [];
        for (let e = el; e; e = e.parentElement) {
          const c = parse(getComputedStyle(e).backgroundColor);
          if (c[3] > 0) layers.push(c);
          if (c[3] >= 1) break;
        }
        let [r, g, b] = layers.length && layers[layers.length - 1][3] >= 1 ? layers.pop() : parse(getComputedStyle(document.documentElement).backgroundColor);
        for (const [lr, lg, lb, la] of layers.reverse()) {
          [r, g, b] = [lr * la + r * (1 - la), lg * la + g * (1 - la), lb * la + b * (1 - la)];
        }
        return `rgb(${r}, ${g}, ${b})`;
      };
      const sel = '.badge, .muted, .remediation, .answer-headline, .answer li, .reason, .chip, .legend li, .privacy-badge, td, th, dt, dd, p, .button';
      return [...document.querySelectorAll(sel)]
        .filter((el) => el.offsetParent !== null && el.textContent.trim() !== '')
        .map((el) => ({ what: `${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 30)}"`, fg: getComputedStyle(el).color, bg: opaque(el) }));
    });
    assert.ok(pairs.filter((p) => p.what.includes('badge')).length >= 5, 'badges were measured');
    const low = pairs.map((p) => ({ ...p, ratio: contrastOf(p.fg, p.bg) })).filter((p) => p.ratio < 4.5);
    assert.deepEqual(low.map((p) => `${p.what}: ${p.ratio.toFixed(2)} (${p.fg} on ${p.bg})`), []);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

/** Every text a finding puts on screen that the search covers (the page adds network names). */
const searchable = (f) => [f.user, f.severity, ...f.rules, f.first_seen, f.last_seen, ...f.ips, ...f.asns.map((a) => `as${a}`), ...f.countries,
  ...f.session_ids, ...f.user_agents, f.id, String(f.score), ...f.explanation, f.severity_reason, ...f.facts.map((x) => x.detail),
  ...f.related_audit.map((a) => `${a.operation} ${a.detail}`)].join('\n').toLowerCase();

test('search covers explanations and audit operations; filters compare and negate; an empty result says so', async () => {
  const { context, page, errors } = await openPage(env.browser);
  await load(page, env.demo.files);
  await showAll(page);
  const total = expected.findings.length;
  const count = async () => Number((await page.getByTestId('findings-count').textContent()).split(' of ')[0]);
  // An audit operation of a finding, and a word of its explanation only.
  const op = expected.findings.flatMap((f) => f.related_audit.map((a) => a.operation)).find(Boolean);
  assert.ok(op, 'the demo has related audit operations');
  for (const term of [op.toLowerCase(), 'inbox', 'forward']) {
    await page.getByTestId('findings-filter').fill(term);
    const n = expected.findings.filter((f) => searchable(f).includes(term)).length;
    assert.equal(await count(), n, term);
    if (term === op.toLowerCase()) assert.ok(n > 0);
  }
  // A network's name (Hetzner is AS24940, the only Hetzner network in the embedded table).
  await page.getByTestId('findings-filter').fill('Hetzner');
  const hetzner = expected.findings.filter((f) => f.asns.includes(24940) || searchable(f).includes('hetzner')).length;
  assert.ok(hetzner > 0);
  assert.equal(await count(), hetzner, 'Hetzner');
  await page.getByTestId('findings-filter').fill('');
  // Numeric comparison and negation, as the issue typed them.
  await page.getByTestId('filter-score').fill('>100');
  assert.equal(await count(), expected.findings.filter((f) => f.score > 100).length, '>100');
  await page.getByTestId('filter-score').fill('');
  const median = [...expected.findings].map((f) => f.score).sort((a, b) => a - b)[Math.floor(total / 2)];
  await page.getByTestId('filter-score').fill(`>${median}`);
  assert.equal(await count(), expected.findings.filter((f) => f.score > median).length, `>${median}`);
  await page.getByTestId('filter-score').fill('');
  await page.getByTestId('filter-severity').fill('!low');
  assert.equal(await count(), expected.findings.filter((f) => f.severity !== 'low').length, '!low');
  await page.getByTestId('filter-severity').fill('');
  // An empty result says so and offers the way back.
  await page.getByTestId('findings-filter').fill('no finding says this 7f3a');
  await page.getByTestId('no-match').waitFor();
  assert.match(await page.getByTestId('no-match').textContent(), /No findings match/);
  await page.getByTestId('clear-filters').click();
  assert.equal(await count(), total);
  assert.equal(await page.getByTestId('findings-filter').inputValue(), '');
  assert.deepEqual(errors, []);
  await context.close();
});

test('default order: severity, then score; the capping reason is the severity cell\'s tooltip', async () => {
  const { context, page, errors } = await openPage(env.browser);
  await load(page, env.demo.files);
  const rank = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };
  const rows = await rowsOf(page).evaluateAll((rs) => rs.map((r) => [r.dataset.id, r.cells[0].textContent, Number(r.cells[1].textContent), r.cells[0].title]));
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1], rows[i]];
    assert.ok(rank[a[1]] > rank[b[1]] || (rank[a[1]] === rank[b[1]] && a[2] >= b[2]), `${a} before ${b}`);
  }
  for (const [id, , , title] of rows) assert.equal(title, expected.findings.find((f) => f.id === id).severity_reason, id);
  assert.deepEqual(errors, []);
  await context.close();
});

test('details answer first, follow the grid\'s arrows, and give the focus back to the grid', async () => {
  const { context, page, errors } = await openPage(env.browser);
  await load(page, env.demo.files);
  await page.getByTestId('grid-viewport').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('details').waitFor();
  const first = await rowsOf(page).nth(0).getAttribute('data-id');
  const f = expected.findings.find((x) => x.id === first);
  const answers = await page.getByTestId('details-answers').locator('dt').allTextContents();
  assert.deepEqual(answers, ['Compromised since', 'Attacker IPs and networks', 'What the attacker did', 'Contained?', 'Linked users, campaign']);
  assert.equal(await page.getByTestId('answer-since').textContent(), f.first_seen);
  for (const ip of f.ips) assert.ok((await page.getByTestId('answer-origin').textContent()).includes(ip), ip);
  assert.equal(await page.getByTestId('facts-fold').getAttribute('open'), null, 'the facts are folded');
  // The panel follows the selection; the focus stays in the grid.
  await page.getByTestId('grid-viewport').focus();
  await page.keyboard.press('ArrowDown');
  const second = await rowsOf(page).nth(1).getAttribute('data-id');
  await page.waitForFunction((u) => document.querySelector('[data-testid=details-user]')?.textContent === u, expected.findings.find((x) => x.id === second).user);
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'grid-viewport');
  // Escape in the grid closes the panel too; Enter opens the active row again.
  await page.keyboard.press('Escape');
  await page.getByTestId('details').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'grid-viewport');
  await page.keyboard.press('Enter');
  await page.waitForFunction((u) => document.querySelector('[data-testid=details-user]')?.textContent === u, expected.findings.find((x) => x.id === second).user);
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'details-user', 'an opened panel takes the focus');
  // Escape in the panel closes it and the focus returns to the grid, on the row that opened it.
  await page.getByTestId('details-user').focus();
  await page.keyboard.press('Escape');
  await page.getByTestId('details').waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.activeElement?.dataset.testid === 'grid-viewport');
  assert.equal(await page.locator('[data-testid=findings] tbody tr.active').getAttribute('data-id'), second);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a re-scoring says how many findings changed', async () => {
  const { context, page, errors } = await openPage(env.browser);
  await load(page, env.demo.files);
  const dir = mkdtempSync(join(tmpdir(), 'sessionhunt-rescore-'));
  const settingsFile = join(dir, 'settings.json');
  writeFileSync(settingsFile, JSON.stringify({ weights: { token_from_unfamiliar_network: 55 } }));
  const after = cli(env.demo.files, ['--settings', settingsFile]);
  rmSync(dir, { recursive: true, force: true });
  const before = new Map(expected.findings.map((f) => [f.id, `${f.severity}/${f.score}`]));
  const now = new Map(after.findings.map((f) => [f.id, `${f.severity}/${f.score}`]));
  const changed = [...now].filter(([id, v]) => before.get(id) !== v).length + [...before.keys()].filter((id) => !now.has(id)).length;
  await page.getByTestId('settings').locator('summary').first().click();
  await page.getByTestId('setting-weights.token_from_unfamiliar_network').fill('55');
  await page.getByTestId('setting-weights.token_from_unfamiliar_network').blur();
  await page.getByTestId('rescored').waitFor({ timeout: 60_000 });
  assert.equal(await page.getByTestId('rescored').textContent(), `Re-scored: ${changed} finding${changed === 1 ? '' : 's'} changed.×`);
  assert.deepEqual(errors, []);
  await context.close();
});
