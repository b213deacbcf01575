// The workspace and its views (issue 19): once data is loaded the drop zone is a bar, the grid
// takes the rest of the first screen with the low findings folded behind a count, and the
// finding, session, campaign and overview panes open beside the grid and the timeline below it,
// none covering another, at 1280×720 and 1920×1080 in both themes. The session, campaign and
// overview views show what the CLI's `session`, `campaign` and `overview` print on the same files;
// a campaign indicator filters the grid and marks the timeline; brushing the overview's histogram
// filters the grid by time. Screenshots of each view at both sizes and themes go to artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { suite, openApp, chooseFiles, foreignRequests, screenshot, CLI } from './harness.mjs';

const env = suite({ demo: true });
const SEVERITY_RANK = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

const cli = (args) => JSON.parse(execFileSync(CLI, [...args, '--format', 'json', ...env.demo.files], { maxBuffer: 1 << 28 }).toString('utf8'));
const box = (locator) => locator.evaluate((el) => { const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; });
const overlap = (a, b) => Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
const rows = async (page) => Number(await page.getByTestId('findings').getAttribute('data-rows'));

/** Opens a finding through the search (the grid renders only the rows in view) and clears it. */
async function openFinding(page, id) {
  await page.getByTestId('findings-filter').fill(id);
  await page.locator(`tr[data-id="${id}"]`).click();
  await page.getByTestId('details').waitFor();
  await page.getByTestId('findings-filter').fill('');
}

for (const [width, height] of [[1280, 720], [1920, 1080]]) {
  for (const scheme of ['light', 'dark']) {
    test(`the workspace at ${width}×${height}, ${scheme}: a bar, the grid on the first screen, panes side by side`, async () => {
      const report = JSON.parse(env.demo.report);
      const { context, page, errors, requests } = await openApp(env, { viewport: { width, height }, colorScheme: scheme });
      await chooseFiles(page, env.demo.files);
      const name = `workspace-${width}x${height}-${scheme}`;

      // The drop zone is a bar; the grid starts in the upper half and ends on the first screen.
      const drop = await box(page.getByTestId('drop-zone'));
      assert.ok(drop.h < 70, `drop bar ${drop.h}px high`);
      const grid = await box(page.getByTestId('grid-viewport'));
      assert.ok(grid.y < height / 2, `grid starts at ${grid.y}px`);
      assert.ok(grid.y + grid.h <= height + 1, `grid ends at ${grid.y + grid.h}px of ${height}`);
      assert.ok(grid.h >= height * 0.3, `grid ${grid.h}px high`);
      // Low and info findings are folded behind a count: the first screen is what needs attention.
      const low = report.findings.filter((f) => SEVERITY_RANK[f.severity] <= SEVERITY_RANK.low).length;
      assert.ok(low > 0, 'the demo has low findings');
      assert.equal(await rows(page), report.findings.length - low);
      assert.match(await page.getByTestId('show-low').textContent(), new RegExp(`^${low} low findings folded`));
      await screenshot(page, `${name}-grid`);

      // A finding beside the grid; its timeline below the grid; nothing covers anything.
      const top = report.findings[0];
      await page.locator(`tr[data-id="${top.id}"]`).click();
      await page.getByTestId('details').waitFor();
      await page.getByTestId('open-timeline').click();
      await page.getByTestId('timeline-svg').waitFor();
      await page.waitForTimeout(200);
      const [g, t, p] = [await box(page.getByTestId('grid-viewport')), await box(page.locator('.ws-timeline')), await box(page.getByTestId('side-pane'))];
      assert.equal(overlap(g, p), 0, 'grid and pane');
      assert.equal(overlap(t, p), 0, 'timeline and pane');
      assert.equal(overlap(g, t), 0, 'grid and timeline');
      for (const [what, b] of [['grid', g], ['timeline', t], ['pane', p]]) {
        assert.ok(b.x >= 0 && b.x + b.w <= width + 1, `${what} within the width: ${JSON.stringify(b)}`);
        assert.ok(b.y + b.h <= height + 1, `${what} within the first screen: ${JSON.stringify(b)}`);
        assert.ok(b.h > 120, `${what} has room: ${JSON.stringify(b)}`);
      }
      // The grid still shows rows while both are open.
      assert.ok(await page.getByTestId('findings').locator('tbody tr').count() >= 3);
      await screenshot(page, `${name}-finding`);

      // The session, campaign and overview panes, each in the same place.
      await page.getByTestId('open-session').first().click();
      await page.getByTestId('session-events').waitFor();
      await screenshot(page, `${name}-session`);
      await page.getByTestId('tab-campaign').click();
      await page.getByTestId('campaign-table').waitFor();
      await screenshot(page, `${name}-campaign`);
      await page.getByTestId('tab-overview').click();
      await page.getByTestId('overview-histogram').waitFor();
      assert.equal(overlap(await box(page.getByTestId('grid-viewport')), await box(page.getByTestId('side-pane'))), 0);
      await screenshot(page, `${name}-overview`);
      await page.getByTestId('pane-close').click();
      await page.getByTestId('side-pane').waitFor({ state: 'detached' });

      assert.deepEqual(errors, []);
      assert.deepEqual(foreignRequests(requests, env.server.origin), []);
      await context.close();
    });
  }
}

test('the fold opens and closes, and a search looks through the low findings too', async () => {
  const report = JSON.parse(env.demo.report);
  const lowOne = report.findings.find((f) => f.severity === 'low');
  const { context, page, errors } = await openApp(env);
  await chooseFiles(page, env.demo.files);
  const folded = await rows(page);
  await page.getByTestId('findings-filter').fill(lowOne.id);
  assert.equal(await rows(page), 1, 'a search finds a folded finding');
  await page.getByTestId('findings-filter').fill('');
  assert.equal(await rows(page), folded);
  await page.getByTestId('show-low').click();
  assert.equal(await rows(page), report.findings.length);
  await page.getByTestId('hide-low').click();
  assert.equal(await rows(page), folded);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the session view, from the grid, the details and the timeline, shows what `sessionhunt session` prints', async () => {
  const report = JSON.parse(env.demo.report);
  const f = report.findings.find((x) => x.session_ids.length > 0 && SEVERITY_RANK[x.severity] >= SEVERITY_RANK.high);
  assert.ok(f, 'a high finding with a session');
  const sid = f.session_ids[0];
  const view = cli(['session', sid]);
  assert.ok(view.events.length > 1, 'the session has events');
  const { context, page, errors } = await openApp(env);
  await chooseFiles(page, env.demo.files);

  // From the grid: the session cell's link.
  await page.getByTestId('findings-filter').fill(f.id);
  await page.locator(`tr[data-id="${f.id}"] [data-testid=grid-session]`).click();
  const pane = page.getByTestId('session-view');
  await pane.and(page.locator(`[data-session="${sid}"]`)).waitFor();
  const shown = page.getByTestId('session-event');
  assert.equal(await shown.count(), Math.min(view.events.length, 200));
  // The events in the CLI's order, with the same origin changes marked.
  const marks = await shown.evaluateAll((trs) => trs.map((tr) => [tr.querySelector('time').textContent, tr.dataset.changes]));
  assert.deepEqual(marks, view.events.slice(0, 200).map((e) => [e.time, e.changes.join(' ')]));
  assert.ok(view.origin_changes > 0, 'the replay changes the origin');
  assert.ok(await page.locator('[data-testid=session-event].origin-change .changed').count() > 0, 'changes are marked on their cells');
  assert.match(await page.getByTestId('session-summary').textContent(), new RegExp(`^${view.events.length} events? of `));
  // By keyboard: S on the grid's active row.
  await page.getByTestId('pane-close').click();
  await page.getByTestId('grid-viewport').focus();
  await page.keyboard.press('s');
  await pane.and(page.locator(`[data-session="${sid}"]`)).waitFor();
  // Its findings lead back to a finding.
  await page.getByTestId('session-finding').filter({ hasText: f.id }).click();
  await page.getByTestId('details').waitFor();
  assert.equal(await page.getByTestId('side-pane').getAttribute('data-pane'), 'finding');
  // The session keeps its tab.
  await page.getByTestId('tab-session').click();
  await pane.waitFor();
  await page.getByTestId('pane-close').click();

  // From the details.
  await page.getByTestId('findings-filter').fill('');
  await openFinding(page, f.id);
  await page.getByTestId('open-session').first().click();
  await pane.and(page.locator(`[data-session="${sid}"]`)).waitFor();

  // From the timeline: a click on an event of the session.
  await page.getByTestId('tab-finding').click();
  await page.getByTestId('open-timeline').click();
  await page.getByTestId('pane-close').click();
  const mark = page.locator(`[data-testid=timeline-svg] g.event[data-session="${sid}"]`).first();
  await mark.waitFor();
  await mark.click({ force: true });
  await pane.and(page.locator(`[data-session="${sid}"]`)).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('the campaign view shows what `sessionhunt campaign` prints; a click filters the grid and marks the timeline', async () => {
  const indicators = cli(['campaign']);
  const strong = indicators.filter((x) => SEVERITY_RANK[x.shared_severity] >= SEVERITY_RANK.medium);
  assert.ok(strong.length > 0, 'the demo has a campaign');
  const { context, page, errors } = await openApp(env);
  await chooseFiles(page, env.demo.files);
  await page.getByTestId('open-campaign').click();
  const entries = page.getByTestId('campaign-indicator');
  await entries.first().waitFor();
  const shown = await entries.evaluateAll((trs) => trs.map((tr) => [tr.dataset.kind, tr.dataset.value]));
  assert.deepEqual(shown, strong.slice(0, 100).map((x) => [x.kind, x.value]), 'the CLI\'s most severe shared indicators, in its order');
  assert.match(await page.getByTestId('campaign-low').textContent(), new RegExp(`^${indicators.length - strong.length} more shared only by low findings`));

  // An IP shared by the campaign: the grid shows exactly the findings that carry it.
  const ip = strong.find((x) => x.kind === 'ip') ?? strong[0];
  const members = [...new Set(ip.findings.map((m) => m.id))].sort();
  await page.locator(`[data-testid=campaign-indicator][data-value="${ip.value}"] [data-testid=campaign-pick]`).click();
  await page.getByTestId('indicator-chip').waitFor();
  assert.equal(await rows(page), members.length, 'low members too: the filter asks for them');
  const ids = await page.getByTestId('findings').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.id));
  assert.ok(ids.length > 0 && ids.every((id) => members.includes(id)), `${ids} of ${members}`);
  // The timeline (opened on the first member) marks the events that used it.
  await page.getByTestId('timeline-svg').waitFor();
  await page.locator('[data-testid=timeline-svg] g.event.hit').first().waitFor();
  assert.ok(await page.locator('[data-testid=timeline-svg] g.event.dim').count() > 0, 'the others step back');
  await screenshot(page, 'campaign-filtered');
  // Clearing it.
  await page.getByTestId('indicator-chip').locator('button').click();
  await page.getByTestId('indicator-chip').waitFor({ state: 'detached' });
  assert.equal(await page.locator('[data-testid=timeline-svg] g.event.dim').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the overview shows what `sessionhunt overview` prints; brushing its histogram filters the grid by time', async () => {
  const report = JSON.parse(env.demo.report);
  const overview = cli(['overview']);
  const { context, page, errors } = await openApp(env);
  await chooseFiles(page, env.demo.files);
  await page.getByTestId('open-overview').click();
  await page.getByTestId('overview-histogram').waitFor();
  // Every day with findings, with the CLI's count; the days between are empty bars.
  const days = await page.getByTestId('overview-day').evaluateAll((gs) => gs.map((g) => [g.dataset.day, Number(g.dataset.total)]));
  assert.deepEqual(days.filter(([, n]) => n > 0), overview.findings_per_day.map((d) => [d.day, d.total]));
  assert.equal(days[0][0], overview.findings_per_day[0].day);
  // With the grid's low findings folded, the bars are the medium-or-worse ones (a day of a
  // hundred low findings does not flatten the attack's days); opened, every finding.
  const drawn = () => page.getByTestId('overview-day').evaluateAll((gs) => gs.filter((g) => Number(g.dataset.total) > 0).map((g) => Number(g.dataset.drawn)));
  assert.deepEqual(await drawn(), overview.findings_per_day.map((d) => d.critical + d.high + d.medium));
  await page.getByTestId('show-low').click();
  assert.deepEqual(await drawn(), overview.findings_per_day.map((d) => d.total));
  await page.getByTestId('hide-low').click();
  assert.equal(days.at(-1)[0], overview.findings_per_day.at(-1).day);
  // Users: the data's count, those with findings first.
  assert.match(await page.getByTestId('overview-view').locator('h3').filter({ hasText: /^Users/ }).textContent(), new RegExp(`\\(${overview.users.length}\\)`));
  const logs = await page.getByTestId('overview-logs').locator('tbody tr td:first-child').allTextContents();
  assert.deepEqual(logs, overview.logs.map((l) => l.kind));

  // Brush the busiest day: the grid shows the findings whose span overlaps it (the fold stays).
  const busiest = overview.findings_per_day.reduce((a, b) => (b.total > a.total ? b : a));
  const bar = page.locator(`[data-testid=overview-day][data-day="${busiest.day}"] .day-bg`);
  const b = await box(bar);
  await page.mouse.move(b.x + b.w / 2, b.y + b.h / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.w / 2 + 1, b.y + b.h / 2);
  await page.mouse.up();
  await page.getByTestId('range-chip').waitFor();
  const from = Date.parse(`${busiest.day}T00:00:00Z`);
  const to = from + 86_400_000 - 1;
  const expected = report.findings.filter((f) => SEVERITY_RANK[f.severity] > SEVERITY_RANK.low)
    .filter((f) => Date.parse(f.first_seen) <= to && Date.parse(f.last_seen) >= from).length;
  assert.equal(await rows(page), expected);
  assert.ok(await page.locator('[data-testid=overview-day].picked').count() === 1);
  await screenshot(page, 'overview-brushed');
  await page.getByTestId('range-chip').locator('button').click();
  const severe = report.findings.filter((f) => SEVERITY_RANK[f.severity] > SEVERITY_RANK.low);
  assert.equal(await rows(page), severe.length);

  // The same by keyboard: → picks the first day, Shift+→ extends the pick to the second, Esc clears.
  const overlapping = (from, to) => severe.filter((f) => Date.parse(f.first_seen) <= to && Date.parse(f.last_seen) >= from).length;
  const first = Date.parse(`${days[0][0]}T00:00:00Z`);
  await page.getByTestId('overview-histogram').focus();
  await page.keyboard.press('ArrowRight');
  await page.getByTestId('range-chip').waitFor();
  assert.equal(await rows(page), overlapping(first, first + 86_400_000 - 1));
  await page.keyboard.press('Shift+ArrowRight');
  await page.waitForFunction((n) => document.querySelector('[data-testid=findings]')?.dataset.rows === String(n), overlapping(first, first + 2 * 86_400_000 - 1));
  assert.equal(await page.locator('[data-testid=overview-day].picked').count(), 2);
  await page.keyboard.press('Escape');
  await page.getByTestId('range-chip').waitFor({ state: 'detached' });
  assert.equal(await rows(page), severe.length);
  assert.deepEqual(errors, []);
  await context.close();
});
