// The findings grid and the workspace's views at the issues' scale (issue 5: "stays smooth with
// 100 000 rows"; issue 19: 100 000 findings, 1M events): generated portal exports that give one
// finding per user for 100 000 users, analysed in the page; the grid then holds only the rows in
// view, opens its fold of low findings, scrolls to the right rows, sorts, filters and searches all
// of them, and hides a column; the overview, campaign and session views open, and brushing the
// overview's histogram filters the grid. Main-thread long tasks are recorded per step and printed;
// the second test holds every step, the report's arrival included, to SESSIONHUNT_E2E_LONGTASK_MS
// (default 100, as in responsiveness.test.mjs).
//
// The input: per user `userNNNNNN@example.com`, three successful interactive sign-ins on different
// days from a home IP of a residential ASN, six non-interactive refreshes from that home IP, and
// one successful non-interactive sign-in from an IP of its own, outside the user's /24 and in
// another ASN, in the same session (every fifth user's logs none): one finding per user, ten
// events per user. Every fourth user's refresh comes from a residential ASN rather than a hosting
// one, so scores differ. The expectations come from the native CLI's grid (`--format csv`) on the same
// files (SESSIONHUNT_E2E_GRID_USERS changes the number of users).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, launch, openPage, foreignRequests, screenshot, grouped, CLI } from './harness.mjs';

const USERS = Number(process.env.SESSIONHUNT_E2E_GRID_USERS ?? 100_000);
const BUDGET_MS = Number(process.env.SESSIONHUNT_E2E_LONGTASK_MS ?? 100);
const SEVERITY_RANK = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

let server;
let browser;
let dir;
let files;
/** The CLI's findings, in report order: { id, severity, score, user, ips, asns }. */
let expected;
/** The longest main-thread task of each step, in ms (filled by the grid test). */
const longest = {};

/** Writes the two portal exports for `users` users; returns their paths. */
function generate(out, users) {
  const head = 'Date (UTC),Request ID,Username,IP address,Status,Autonomous system  number,Session ID\n';
  const pad = (n, w) => String(n).padStart(w, '0');
  const interactive = [head];
  const refresh = [head];
  for (let i = 0; i < users; i++) {
    const user = `user${pad(i, 6)}@example.com`;
    const tail = `${i >> 16}.${(i >> 8) & 255}.${i & 255}`;
    const time = `T${pad(i % 24, 2)}:${pad(i % 60, 2)}:00Z`;
    const session = `00000000-0000-4000-8000-${pad(i, 12)}`;
    for (const day of [2 + (i % 5), 7 + (i % 5), 12 + (i % 5)]) {
      interactive.push(`2026-03-${pad(day, 2)}${time},i${day}-${i},${user},81.${tail},Success,3320,${session}\n`);
    }
    for (let k = 0; k < 6; k++) {
      refresh.push(`2026-03-${pad(13 + k, 2)}${time},h${k}-${i},${user},81.${tail},Success,3320,${session}\n`);
    }
    // Every fifth user's odd refresh logs no session id: a weaker finding (the fold's share).
    refresh.push(`2026-03-20${time},n-${i},${user},185.${tail},Success,${i % 4 === 3 ? 7922 : 14061},${i % 5 === 4 ? '' : session}\n`);
  }
  const paths = [join(out, 'InteractiveSignIns_2026-03-01_2026-03-21.csv'), join(out, 'NonInteractiveSignIns_2026-03-01_2026-03-21.csv')];
  writeFileSync(paths[0], interactive.join(''));
  writeFileSync(paths[1], refresh.join(''));
  return paths;
}

/** RFC 4180 records of `text` (quoted fields may hold commas, quotes and line ends). */
function parseCsv(text) {
  const records = [];
  let record = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { record.push(field); field = ''; } else if (c === '\n') {
      record.push(field.replace(/\r$/, ''));
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || record.length > 0) records.push([...record, field]);
  return records;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sessionhunt-grid-'));
  let t = performance.now();
  files = generate(dir, USERS);
  console.log(`# generated ${USERS} users in ${((performance.now() - t) / 1000).toFixed(1)} s: ` +
    files.map((f) => `${f.split('/').pop()} ${(statSync(f).size / 1e6).toFixed(1)} MB`).join(', '));
  t = performance.now();
  const csv = execFileSync(CLI, ['analyze', '--format', 'csv', '-q', ...files], { maxBuffer: 1 << 30 }).toString('utf8');
  console.log(`# CLI (${CLI}) analysed them in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const [header, ...rows] = parseCsv(csv);
  const col = (name) => header.indexOf(name);
  const [id, severity, score, user, ips, asns, sessions, first, last] =
    ['id', 'severity', 'score', 'user', 'ips', 'asns', 'session_ids', 'first_seen', 'last_seen'].map(col);
  expected = rows.map((r) => ({
    id: r[id], severity: r[severity], score: Number(r[score]), user: r[user],
    ips: r[ips].split(' | '), asns: r[asns].split(' | ').filter(Boolean).map(Number),
    sessions: r[sessions].split(' | ').filter(Boolean), first: Date.parse(r[first]), last: Date.parse(r[last]),
  }));
  server = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Report indices sorted as the page sorts: by `compare`, descending or not, ties in report order. */
function order(compare, descending) {
  return expected.map((_, i) => i).sort((a, b) => {
    const c = compare(expected[a], expected[b]);
    return (descending ? -c : c) || a - b;
  });
}
const cmp = (x, y) => (x < y ? -1 : x > y ? 1 : 0);
const bySeverity = (a, b) => cmp(SEVERITY_RANK[a.severity], SEVERITY_RANK[b.severity]) || cmp(a.score, b.score);

test(`the findings grid with ${USERS} findings: virtualized, scrolls, sorts, filters, searches, hides a column`, { timeout: 30 * 60_000 }, async () => {
  const total = expected.length;
  assert.ok(total >= USERS * 0.99, `${total} findings for ${USERS} users`);
  const { context, page, requests, errors } = await openPage(browser);
  await context.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(server.url);
  await page.locator('.app[data-worker="ready"]').waitFor({ timeout: 60_000 });
  await page.waitForTimeout(500);

  const table = page.getByTestId('findings');
  const viewport = page.getByTestId('grid-viewport');
  const userCells = () => table.locator('tbody tr td.user').allTextContents();
  /** Runs `action` and records the main-thread long tasks until the page has settled. */
  async function measure(name, action) {
    await page.evaluate(() => { window.__longTasks.length = 0; });
    const t = performance.now();
    await action();
    const ms = performance.now() - t;
    await page.waitForTimeout(300);
    const tasks = await page.evaluate(() => window.__longTasks.slice());
    const max = tasks.reduce((m, d) => Math.max(m, d), 0);
    longest[name] = max;
    console.log(`# ${name}: ${(ms / 1000).toFixed(2)} s; main-thread long tasks: ${tasks.length}, longest ${max.toFixed(0)} ms ${JSON.stringify(tasks.map(Math.round))}`);
  }
  /** Waits until the first (or last) rendered row is the finding `index` of the report. */
  const rowIs = (which, index) => page.waitForFunction(([which, want]) => {
    const rows = document.querySelectorAll('[data-testid=findings] tbody tr');
    const row = which === 'first' ? rows[0] : rows[rows.length - 1];
    return row?.dataset.id === want;
  }, [which, expected[index].id], { timeout: 60_000 });
  const countIs = (n) => page.getByTestId('findings-count').filter({ hasText: new RegExp(`^${grouped(n)} of ${grouped(total)}$`) }).waitFor({ timeout: 60_000 });
  const scrollTo = (top) => viewport.evaluate((el, top) => { el.scrollTop = top === 'bottom' ? el.scrollHeight : top; }, top);

  // Analysis in the worker, then the first render of the grid.
  await measure('analysis and first render', async () => {
    await page.getByTestId('file-input').setInputFiles(files);
    await table.waitFor({ timeout: 25 * 60_000 });
  });
  // Low and info findings come folded behind a count; opening the fold shows every finding.
  const low = expected.filter((f) => SEVERITY_RANK[f.severity] <= SEVERITY_RANK.low).length;
  console.log(`# ${low} of ${total} findings low or info`);
  assert.equal(await table.getAttribute('data-rows'), String(total - low));
  if (low > 0) {
    await measure('open the fold of low findings', async () => {
      await page.getByTestId('show-low').click();
      await countIs(total);
    });
  }
  assert.equal(await table.getAttribute('data-rows'), String(total));
  assert.equal(await page.getByTestId('findings-count').textContent(), `${grouped(total)} of ${grouped(total)}`);
  for (const severity of Object.keys(SEVERITY_RANK)) {
    const n = expected.filter((f) => f.severity === severity).length;
    assert.equal(await page.getByTestId(`severity-${severity}`).locator('strong').textContent(), grouped(n), severity);
  }
  // Only the rows in view are in the DOM.
  const domRows = await table.locator('tbody tr').count();
  console.log(`# DOM rows: ${domRows} of ${total}`);
  assert.ok(domRows > 0 && domRows < 200, `${domRows} rows rendered`);
  let view = order(bySeverity, true);
  await rowIs('first', view[0]);
  const firstBadge = table.locator('tbody tr').first().locator('.badge');
  assert.equal(await firstBadge.textContent(), expected[view[0]].severity);
  assert.ok((await firstBadge.getAttribute('class')).split(' ').includes(expected[view[0]].severity));
  await screenshot(page, 'grid-scale-top');

  // Scrolling: the bottom shows the last findings, the middle the ones at that offset.
  await measure('scroll to the bottom', async () => {
    await scrollTo('bottom');
    await rowIs('last', view[total - 1]);
  });
  assert.equal((await userCells()).at(-1), expected[view[total - 1]].user);
  await screenshot(page, 'grid-scale-bottom');
  const rowHeight = await table.locator('tbody tr').first().evaluate((tr) => tr.getBoundingClientRect().height);
  const middle = Math.floor(total / 2);
  await measure('scroll to the middle', async () => {
    await scrollTo(middle * rowHeight);
    await rowIs('first', view[middle]);
  });
  assert.ok(await table.locator('tbody tr').count() < 200);
  await scrollTo(0);
  await rowIs('first', view[0]);

  // Sorting every finding by user (descending first, then ascending) and by score.
  const header = (key) => table.locator(`thead tr.labels th.col.${key} button.sort`);
  view = order((a, b) => cmp(a.user, b.user), true);
  await measure('sort by user', async () => {
    await header('user').click();
    await rowIs('first', view[0]);
  });
  assert.equal((await userCells())[0], expected[view[0]].user);
  await scrollTo('bottom');
  await rowIs('last', view[total - 1]);
  await scrollTo(0);
  view = order((a, b) => cmp(a.user, b.user), false);
  await measure('sort by user again (ascending)', async () => {
    await header('user').click();
    await rowIs('first', view[0]);
  });
  await scrollTo('bottom');
  await rowIs('last', view[total - 1]);
  await scrollTo(0);
  view = order((a, b) => cmp(a.score, b.score), true);
  await measure('sort by score', async () => {
    await header('score').click();
    await rowIs('first', view[0]);
  });
  assert.equal(Number(await table.locator('tbody tr').first().locator('td.num').textContent()), expected[view[0]].score);
  await scrollTo('bottom');
  await rowIs('last', view[total - 1]);
  assert.ok(expected[view[0]].score > expected[view[total - 1]].score, 'the scores differ');
  await scrollTo(0);

  // A column filter that matches one user out of all of them.
  const one = expected[Math.floor(total / 3)];
  await measure('filter the user column', async () => {
    await page.getByTestId('filter-user').fill(one.user);
    await countIs(1);
  });
  assert.deepEqual(await userCells(), [one.user]);
  await measure('clear the user filter', async () => {
    await page.getByTestId('filter-user').fill('');
    await countIs(total);
  });

  // Free-text search over every column: an IP (a few findings) and an ASN (a quarter of them).
  const ip = one.ips[0];
  const withIp = expected.filter((f) => f.ips.some((x) => x.includes(ip)));
  await measure('search an IP', async () => {
    await page.getByTestId('findings-filter').fill(ip);
    await countIs(withIp.length);
  });
  assert.ok((await userCells()).includes(one.user));
  const withAsn = expected.filter((f) => f.asns.includes(7922)).length;
  assert.ok(withAsn > 0);
  await measure('search an ASN', async () => {
    await page.getByTestId('findings-filter').fill('as7922');
    await countIs(withAsn);
  });
  await measure('clear the search', async () => {
    await page.getByTestId('findings-filter').fill('');
    await countIs(total);
  });

  // The column chooser hides a column of every row.
  await page.getByTestId('column-chooser').locator('summary').click();
  await measure('hide the score column', async () => {
    await page.getByTestId('column-score').uncheck();
    await header('score').waitFor({ state: 'detached' });
  });
  const headers = await table.locator('thead tr.labels th').allTextContents();
  assert.ok(!headers.includes('Score') && headers.includes('User'), headers.join());
  assert.equal(await table.locator('tbody tr td.num').count(), 0);
  await screenshot(page, 'grid-scale-sorted');
  await page.getByTestId('column-chooser').locator('summary').click();

  // The workspace's views on the same data: each opens, and the grid follows their filters.
  await measure('open the tenant overview', async () => {
    await page.getByTestId('open-overview').click();
    await page.getByTestId('overview-histogram').waitFor({ timeout: 120_000 });
  });
  const day = await page.getByTestId('overview-day').first().getAttribute('data-day');
  const from = Date.parse(`${day}T00:00:00Z`);
  const to = from + 86_400_000 - 1;
  const inDay = expected.filter((f) => f.first <= to && f.last >= from).length;
  const bar = await page.getByTestId('overview-day').first().locator('.day-bg').boundingBox();
  await measure('brush a day of the histogram', async () => {
    await page.mouse.move(bar.x + bar.width / 2, bar.y + bar.height / 2);
    await page.mouse.down();
    await page.mouse.up();
    await countIs(inDay);
  });
  await measure('clear the time range', async () => {
    await page.getByTestId('range-chip').locator('button').click();
    await countIs(total);
  });
  await measure('open the campaign view', async () => {
    await page.getByTestId('tab-campaign').click();
    await page.getByTestId('campaign-view').and(page.locator(':not([aria-busy])')).waitFor({ timeout: 120_000 });
  });
  const withSession = expected.find((f) => f.sessions.length > 0);
  assert.ok(withSession, 'the findings name sessions');
  await page.getByTestId('findings-filter').fill(withSession.id);
  await countIs(1);
  await measure('open a session from the grid', async () => {
    await table.locator(`tr[data-id="${withSession.id}"] [data-testid=grid-session]`).click();
    await page.getByTestId('session-events').waitFor({ timeout: 120_000 });
  });
  const session = JSON.parse(execFileSync(CLI, ['session', withSession.sessions[0], '--format', 'json', ...files], { maxBuffer: 1 << 28 }).toString('utf8'));
  assert.ok(session.events.length >= 9, 'the user\'s sign-ins share the session');
  assert.deepEqual(await page.getByTestId('session-event').locator('time').allTextContents(), session.events.map((e) => e.time));
  await measure('open the finding beside it', async () => {
    await table.locator(`tr[data-id="${withSession.id}"]`).click();
    await page.getByTestId('details').waitFor();
  });
  await screenshot(page, 'grid-scale-views');

  assert.deepEqual(errors, []);
  assert.deepEqual(foreignRequests(requests, server.origin), []);
  await context.close();
});

// Kept apart so the figures of every step are printed before the budget is checked. It covers the
// report's arrival too: the findings come from the worker in pages, each parsed in a task of its
// own, and the report's text stays in a Blob the page never copies in.
test(`no main-thread task over ${BUDGET_MS} ms while the ${USERS}-row grid arrives and is used`, () => {
  const steps = Object.entries(longest);
  assert.ok(steps.length > 1, 'the grid test ran');
  const [worst, max] = steps.reduce((w, e) => (e[1] > w[1] ? e : w), ['', 0]);
  console.log(`# longest main-thread task from dropping the files to the last change: ${max.toFixed(0)} ms (${worst}); budget ${BUDGET_MS} ms`);
  assert.ok(max <= BUDGET_MS, `longest main-thread task ${max.toFixed(0)} ms (${worst})`);
});
