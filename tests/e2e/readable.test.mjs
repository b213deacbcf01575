// Readable findings (issue 21, continued): the specification's terms explained where they are
// used, short spans said in minutes, file names that stay readable in the file table, a timeline
// whose gap labels follow their events and whose finding view frames every event behind the
// finding, and settings that refuse an invalid value next to its field. Expectations come from the
// CLI's report on the same files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, launch, openPage, screenshot, CLI, ROOT, showAll } from './harness.mjs';

const FIXTURES = join(ROOT, 'tests/fixtures/formats');
let server;
let browser;
let dir;
let demoFiles;
let expected;

const cli = (files, extra = []) => JSON.parse(execFileSync(CLI, ['analyze', '--format', 'json', ...extra, ...files], { maxBuffer: 1 << 30 }).toString('utf8'));

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sessionhunt-readable-'));
  const demo = join(dir, 'demo');
  execFileSync(CLI, ['demo', '--out', demo], { stdio: ['ignore', 'ignore', 'inherit'] });
  demoFiles = readdirSync(demo).sort().map((name) => join(demo, name));
  expected = cli(demoFiles);
  server = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function load(page, files) {
  await page.goto(server.url);
  await page.locator('.app[data-worker="ready"]').waitFor();
  await page.getByTestId('file-input').setInputFiles(files);
  await page.getByTestId('answer').waitFor({ timeout: 120_000 });
}

const rowsOf = (page) => page.getByTestId('findings').locator('tbody tr');

/** Opens finding `id` from the grid (searching for its id) and its timeline. */
async function openTimeline(page, id) {
  await page.getByTestId('findings-filter').fill(id);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=findings] tbody tr').length === 1);
  await rowsOf(page).first().click();
  await page.getByTestId('open-timeline').click();
  await page.getByTestId('timeline-svg').waitFor({ timeout: 30_000 });
  await page.getByTestId('details-close').click();
}

const view = async (page) => {
  const svg = page.getByTestId('timeline-svg');
  return [Number(await svg.getAttribute('data-view-start')), Number(await svg.getAttribute('data-view-end'))];
};

test('24 minutes of data "spans only 24 min", and H1 is explained where a warning names it', async () => {
  // The Graph fixture's last sign-in moved to 24 minutes after its first.
  const text = readFileSync(join(FIXTURES, 'graph_signin.jsonl'), 'utf8');
  const times = [...text.matchAll(/"createdDateTime":"([^"]+)"/g)].map((m) => m[1]).sort();
  const last = times[times.length - 1];
  const at24 = new Date(Date.parse(times[0]) + 24 * 60_000).toISOString().replace('.000Z', 'Z');
  const file = join(dir, 'signins_24min.jsonl');
  writeFileSync(file, text.replaceAll(`"createdDateTime":"${last}"`, `"createdDateTime":"${at24}"`));
  const report = cli([file]);
  assert.ok(report.coverage.warnings.some((w) => w.startsWith('The data spans only 24 min ')), report.coverage.warnings.join('\n'));
  const { context, page, errors } = await openPage(browser);
  await load(page, [file]);
  const coverage = page.getByTestId('summary').locator('.warnings');
  const said = await coverage.locator('li').allTextContents();
  assert.deepEqual(said, report.coverage.warnings);
  assert.ok(said.some((w) => w.includes('spans only 24 min (less than 72 h)')), said.join('\n'));
  assert.doesNotMatch(await page.evaluate(() => document.body.innerText), /spans only 0 h/);
  // The warnings take the summary's width and no word runs out of their card.
  const fit = await page.evaluate(() => {
    const card = document.querySelector('[data-testid=summary] .warnings');
    return { card: card.getBoundingClientRect().width, summary: card.parentElement.getBoundingClientRect().width,
      over: [...card.querySelectorAll('li')].filter((li) => li.scrollWidth > li.clientWidth + 1).map((li) => li.textContent) };
  });
  assert.ok(fit.card >= 0.95 * fit.summary, JSON.stringify(fit));
  assert.deepEqual(fit.over, []);
  // "H1" in a warning is explained: a tooltip on the word and a line under the warnings.
  assert.ok(report.coverage.warnings.some((w) => /\bH1\b/.test(w)), 'the fixture\'s warnings name H1');
  const term = coverage.locator('abbr.term', { hasText: 'H1' }).first();
  assert.match(await term.getAttribute('title'), /^H1: reference hunt H1, "AiTM session hijacking"/);
  const glossary = coverage.getByTestId('glossary');
  assert.ok((await glossary.locator('dt').allTextContents()).includes('H1'));
  assert.match(await glossary.textContent(), /absent from the user's interactive baseline/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('H2 and the ladder are explained in the details of a finding that names them', async () => {
  const texts = (f) => [f.severity_reason, ...f.explanation, ...f.facts.map((x) => x.detail)];
  const cases = [
    ['H2', expected.findings.find((f) => texts(f).some((t) => /\bH2\b/.test(t)))],
    ['ladder', expected.findings.find((f) => texts(f).some((t) => /\bladder\b/.test(t)))],
  ];
  const { context, page, errors } = await openPage(browser, { viewport: { width: 1920, height: 1080 } });
  await load(page, demoFiles);
  for (const [name, f] of cases) {
    assert.ok(f, `the demo has a finding whose sentences name ${name}`);
    await page.getByTestId('findings-filter').fill(f.id);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=findings] tbody tr').length === 1);
    await rowsOf(page).first().click();
    const details = page.getByTestId('details');
    await details.waitFor();
    // The explanation is visible without unfolding the facts.
    const glossary = details.getByTestId('glossary');
    assert.ok(await glossary.isVisible(), name);
    assert.ok((await glossary.locator('dt').allTextContents()).includes(name), name);
    assert.match(await glossary.textContent(), /docs\/detection\.md §/);
    await details.getByTestId('details-close').click();
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('file names in the file table stay readable with row problems open (1280×720)', async () => {
  const { context, page, errors } = await openPage(browser);
  // Long names and row problems: a damaged UAL export and broken JSON lines.
  const files = ['ual_damaged.csv', 'graph_broken.jsonl'].map((name) => {
    const copy = join(dir, `Exports_UnifiedAuditLog_2026-03-01_to_2026-03-31_tenant-contoso_${name}`);
    writeFileSync(copy, readFileSync(join(FIXTURES, name)));
    return copy;
  });
  await load(page, files);
  const table = page.getByTestId('inputs');
  for (const summary of await table.getByTestId('file-diagnostics').locator('summary').all()) await summary.click();
  await table.scrollIntoViewIfNeeded();
  // Each name cell: at most three lines, each holding many characters.
  const cells = await table.locator('tbody tr td:first-child').evaluateAll((tds) => tds.map((td) => {
    const range = document.createRange();
    range.selectNodeContents(td);
    const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    return { name: td.textContent, lines, width: td.getBoundingClientRect().width };
  }));
  assert.equal(cells.length, files.length);
  for (const c of cells) {
    assert.ok(c.lines <= 3 && c.width >= 180, `${c.name}: ${c.lines} lines in ${c.width} px`);
  }
  // The problems themselves stay readable too.
  const items = await table.getByTestId('file-diagnostics').locator('li').evaluateAll((lis) => lis.map((li) => li.getBoundingClientRect().width));
  assert.ok(items.length > 0 && items.every((w) => w >= 180), `problem widths ${items}`);
  await screenshot(page, 'readable-file-problems-1280');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), 0, 'no sideways scrolling');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the timeline\'s gap label follows its events and is gone when they are out of view', async () => {
  const { context, page, errors } = await openPage(browser, { viewport: { width: 1920, height: 1080 } });
  await load(page, demoFiles);
  const f = expected.findings[0];
  await openTimeline(page, f.id);
  const svg = page.getByTestId('timeline-svg');
  const plot = await svg.locator('rect.lane-bg').first().boundingBox();
  // The label lies inside the plot and over the part of the gap in view.
  const placed = async () => {
    const gaps = svg.getByTestId('timeline-gap');
    const out = [];
    for (const g of await gaps.all()) {
      const [a, b] = await g.locator('line').evaluateAll((ls) => ls.slice(0, 2).map((l) => l.getBoundingClientRect().x));
      const label = await g.locator('text').boundingBox();
      out.push({ a, b, label });
    }
    return out;
  };
  const inside = (p) => {
    const [lo, hi] = [Math.max(Math.min(p.a, p.b), plot.x), Math.min(Math.max(p.a, p.b), plot.x + plot.width)];
    return p.label.x >= plot.x - 1 && p.label.x + p.label.width <= plot.x + plot.width + 1
      && p.label.x < hi + 1 && p.label.x + p.label.width > lo - 1;
  };
  let gaps = await placed();
  assert.ok(gaps.length > 0, 'the top finding has a gap drawn');
  for (const p of gaps) assert.ok(inside(p), JSON.stringify({ p, plot }));
  // In its own row above the lanes: it covers no event mark.
  for (const p of gaps) assert.ok(p.label.y + p.label.height <= plot.y + 1, `label over the lanes: ${JSON.stringify({ p, plot })}`);
  // Pan and zoom: while any of the gap is in view its label sits over it; once the gap is out of
  // view no label is left behind at the edge.
  let seenGone = false;
  for (const step of ['pan-right', 'pan-right', 'zoom-in', 'zoom-in', 'pan-right', 'pan-right', 'pan-right', 'pan-right', 'pan-right', 'pan-right']) {
    await page.getByTestId(step).click();
    gaps = await placed();
    for (const p of gaps) assert.ok(inside(p), `${step}: ${JSON.stringify({ p, plot })}`);
    const [start, end] = await view(page);
    const replay = Date.parse(f.first_seen);
    if (start > replay + 60_000 || end < replay - 86_400_000 * 2) {
      if (gaps.length === 0) seenGone = true;
    }
  }
  assert.ok(seenGone, 'the gap went out of view and its label with it');
  await screenshot(page, 'readable-timeline-panned');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the "Finding" view frames every event behind the finding (both sign-ins of an impossible-travel pair)', async () => {
  // An impossible-travel finding whose events start before its first_seen: the pair's other
  // sign-in, the one a view fitted to first_seen..last_seen would leave out.
  const times = (f) => f.events.map((e) => Date.parse(e.time));
  const f = expected.findings.find((x) => x.rules.includes('impossible-travel') && Math.min(...times(x)) < Date.parse(x.first_seen))
    ?? expected.findings.find((x) => x.rules.includes('impossible-travel'));
  assert.ok(f, 'the demo has an impossible-travel finding');
  const [lo, hi] = [Math.min(...times(f)), Math.max(...times(f))];
  const { context, page, errors } = await openPage(browser, { viewport: { width: 1920, height: 1080 } });
  await load(page, demoFiles);
  await openTimeline(page, f.id);
  const framed = async (what) => {
    const [start, end] = await view(page);
    assert.ok(start <= lo && end >= hi, `${what}: view ${new Date(start).toISOString()} → ${new Date(end).toISOString()} leaves out part of ${f.events[0].time} … ${new Date(hi).toISOString()}`);
    // Every one of the user's own events behind it (both sign-ins of the pair; not an admin's
    // revocation, which is in the admin's lanes) is drawn and ringed.
    const ringed = await page.getByTestId('timeline-svg').locator('g.event.suspicious title').allTextContents();
    for (const e of f.events.filter((x) => x.kind !== 'audit')) {
      assert.ok(ringed.some((t) => t.startsWith(`${e.time} · ${e.kind} · `)), `${what}: ${e.time} ${e.kind} is ringed`);
    }
  };
  await framed('opened from the finding');
  await page.getByTestId('zoom-all').click();
  await page.getByTestId('zoom-in').click();
  await page.getByTestId('zoom-in').click();
  await page.getByTestId('zoom-in').click();
  await page.getByTestId('zoom-finding').click();
  await framed('the Finding button');
  await screenshot(page, 'readable-timeline-finding');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an invalid setting is refused with a message next to its field, and not applied', async () => {
  const { context, page, errors } = await openPage(browser);
  await load(page, demoFiles);
  await page.getByTestId('settings').locator('summary').first().click();
  const stored = () => page.evaluate(() => localStorage.getItem('sessionhunt.settings'));
  const before = await stored();
  const input = page.getByTestId('setting-short_window_minutes');
  const previous = await input.inputValue();
  await input.fill('-5');
  await input.blur();
  const field = page.locator('.setting', { has: input });
  // A human label with its unit, and the one-line help the core's settings docs give.
  assert.equal(await field.locator('label > span').textContent(), 'Short window (minutes)');
  const block = readFileSync(join(ROOT, 'src/settings.rs'), 'utf8').match(/((?:[ \t]*\/\/\/[^\n]*\n)+)[ \t]*pub short_window_minutes/)[1];
  const doc = block.split('\n').map((l) => l.trim().replace(/^\/\/\/\s?/, '')).filter(Boolean).join(' ');
  assert.equal(await field.locator('.help').textContent(), `${doc.slice(0, doc.indexOf('. ') + 1)}`.replaceAll('`', ''));
  const message = field.getByTestId('settings-error');
  await message.waitFor();
  assert.equal(await message.textContent(), 'Refused, not applied. -5 is not accepted: Short window (minutes) takes a whole number, 0 or more.');
  assert.equal(await field.getAttribute('class'), 'setting invalid');
  assert.equal(await input.inputValue(), '-5', 'the refused text stays in the field, to be corrected');
  // Not applied: nothing re-scored, nothing stored, the findings as they were.
  assert.equal(await page.getByTestId('status-working').count(), 0);
  assert.equal(await page.getByTestId('rescored').count(), 0);
  assert.equal(await stored(), before);
  // The message sits beside the field (within its column), not at the top of the panel.
  const [a, b] = [await input.boundingBox(), await message.boundingBox()];
  assert.ok(b.y >= a.y + a.height - 1 && b.y - (a.y + a.height) < 60 && Math.abs(b.x - a.x) < 40, JSON.stringify({ a, b }));
  await screenshot(page, 'readable-settings-refused');
  // A negative distance passes the core's parser; the form refuses it too.
  await page.getByTestId('setting-impossible_travel_min_km').fill('-5');
  await page.getByTestId('setting-impossible_travel_min_km').blur();
  const km = page.locator('.setting', { has: page.getByTestId('setting-impossible_travel_min_km') }).getByTestId('settings-error');
  assert.match(await km.textContent(), /takes a number, 0 or more/);
  // A valid value clears the message and applies.
  await input.fill(previous === '10' ? '11' : '10');
  await input.blur();
  await page.getByTestId('rescored').waitFor({ timeout: 60_000 });
  assert.equal(await page.getByTestId('settings-error').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('an audit operation from an attacker IP shows the network its sign-ins carry, marked as derived', async () => {
  // A finding with audit operations behind it from one of its sign-in IPs (audit logs carry no ASN).
  const f = expected.findings.find((x) => x.events.some((e) => e.kind === 'audit') && x.related_audit.length > 0);
  assert.ok(f, 'the demo has a finding with audit operations behind it');
  const { context, page, errors } = await openPage(browser, { viewport: { width: 1920, height: 1080 } });
  await load(page, demoFiles);
  await page.getByTestId('findings-filter').fill(f.id);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=findings] tbody tr').length === 1);
  await rowsOf(page).first().click();
  await page.getByTestId('events-loading').waitFor({ state: 'detached', timeout: 30_000 });
  const summaries = await page.getByTestId('finding-events').locator('summary').allTextContents();
  // "time · audit · ip · network · operation": from an IP of the finding, never "unknown ASN".
  const audits = summaries.map((t) => t.split(' · ')).filter((p) => p[1] === 'audit' && f.ips.includes(p[2]));
  assert.ok(audits.length > 0, summaries.join('\n'));
  for (const p of audits) {
    assert.match(p[3], /^AS\d+ .*\(from the IP's sign-ins\)$/, p.join(' · '));
    assert.ok(f.asns.some((a) => p[3].startsWith(`AS${a} `)), `${p[3]} is one of ${f.asns}`);
  }
  // The timeline colours those operations as the attacker's network, not as "unknown".
  await page.getByTestId('open-timeline').click();
  await page.getByTestId('timeline-svg').waitFor({ timeout: 30_000 });
  await page.getByTestId('details-close').click();
  const marks = await page.getByTestId('timeline-svg').locator('g.event.audit.suspicious').evaluateAll((gs) => gs.map((g) => [g.dataset.asn, g.querySelector('title').textContent]));
  const fromAttacker = marks.filter(([, t]) => f.ips.includes(t.split(' · ')[2]));
  assert.ok(fromAttacker.length > 0);
  for (const [asn, t] of fromAttacker) assert.ok(f.asns.includes(Number(asn)), `${asn}: ${t}`);
  const legend = await page.getByTestId('timeline-legend').locator('li').allTextContents();
  assert.ok(!legend.some((l) => l.startsWith('unknown ASN') && l.includes(' attacker')), legend.join(' | '));
  assert.deepEqual(errors, []);
  await context.close();
});

for (const [width, height] of [[1280, 720], [1920, 1080]]) {
  test(`the related-audit table is readable at ${width}×${height}: each detail on a line across the table, nothing cut off`, async () => {
    const f = expected.findings.find((x) => x.related_audit.some((a) => a.detail.length > 80));
    assert.ok(f, 'the demo has a finding with a long audit detail');
    const { context, page, errors } = await openPage(browser, { viewport: { width, height } });
    await load(page, demoFiles);
    await page.getByTestId('findings-filter').fill(f.id);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=findings] tbody tr').length === 1);
    await rowsOf(page).first().click();
    const table = page.getByTestId('related-audit');
    await table.scrollIntoViewIfNeeded();
    const m = await page.evaluate(() => {
      const panel = document.querySelector('[data-testid=details]');
      const t = panel.querySelector('[data-testid=related-audit]');
      return {
        panel: [panel.scrollWidth, panel.clientWidth],
        table: t.getBoundingClientRect().width,
        details: [...t.querySelectorAll('td.detail')].map((td) => [td.getBoundingClientRect().width, td.textContent]),
        ops: [...t.querySelectorAll('tr.op td:nth-child(2)')].map((td) => td.textContent),
        // Lines each operation name takes: a name is never broken inside a word.
        opLines: [...t.querySelectorAll('tr.op td:nth-child(2)')].map((td) => {
          const r = document.createRange();
          r.selectNodeContents(td);
          return [td.textContent, new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size];
        }),
      };
    });
    assert.ok(m.panel[0] <= m.panel[1], `the panel does not scroll sideways: ${m.panel}`);
    assert.deepEqual(m.ops, f.related_audit.map((a) => a.operation));
    assert.deepEqual(m.details.map(([, t]) => t), f.related_audit.map((a) => a.detail));
    for (const [w, t] of m.details) assert.ok(w >= 0.95 * m.table, `${Math.round(w)} of ${Math.round(m.table)} px: ${t}`);
    for (const [op, lines] of m.opLines) assert.ok(lines <= op.split(' ').length, `${op} takes ${lines} lines`);
    await screenshot(page, `readable-related-audit-${width}`);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

for (const [width, height] of [[1280, 720], [1920, 1080]]) test(`at ${width}×${height} the grid's default columns fit, remediation included, without scrolling sideways`, async () => {
  const { context, page, errors } = await openPage(browser, { viewport: { width, height } });
  await load(page, demoFiles);
  await rowsOf(page).first().waitFor();
  const m = await page.evaluate(() => {
    const v = document.querySelector('[data-testid=grid-viewport]');
    const last = v.querySelector('tbody tr td:last-child').getBoundingClientRect();
    return { scroll: v.scrollWidth, client: v.clientWidth, lastRight: last.right, right: v.getBoundingClientRect().right };
  });
  assert.ok(m.scroll <= m.client && m.lastRight <= m.right + 1, JSON.stringify(m));
  assert.match(await rowsOf(page).first().locator('td.remediation').textContent(), /^(contained|not contained|unknown)$/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a time range brushed on the timeline is shown on the timeline as well as over the grid, and cleared from either', async () => {
  const { context, page, errors } = await openPage(browser, { viewport: { width: 1920, height: 1080 } });
  await load(page, demoFiles);
  await openTimeline(page, expected.findings[0].id);
  await page.getByTestId('findings-filter').fill('');
  await showAll(page);
  const n = expected.findings.length;
  await page.waitForFunction((t) => document.querySelector('[data-testid=findings-count]')?.textContent === t, `${n} of ${n}`);
  await page.getByTestId('timeline-svg').scrollIntoViewIfNeeded();
  const brush = await page.getByTestId('timeline-brush').boundingBox();
  const y = brush.y + brush.height / 2;
  await page.mouse.move(brush.x + brush.width * 0.1, y);
  await page.mouse.down();
  await page.mouse.move(brush.x + brush.width * 0.4, y, { steps: 5 });
  await page.mouse.up();
  const chip = page.getByTestId('timeline').getByTestId('timeline-range-chip');
  await chip.waitFor();
  assert.match(await chip.textContent(), /^Filtering the findings to \d{4}-\d\d-\d\dT.* → \d{4}-\d\d-\d\dT/);
  await page.getByTestId('range-chip').waitFor();
  const shown = Number((await page.getByTestId('findings-count').textContent()).split(' of ')[0]);
  assert.ok(shown < n, `the range filters the grid: ${shown} of ${n}`);
  await chip.getByRole('button').click();
  await chip.waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('range-chip').count(), 0);
  assert.equal(await page.getByTestId('findings-count').textContent(), `${n} of ${n}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the attacker\'s IPs, networks and countries read in one order: each IP with its own', async () => {
  // A finding with IPs on different networks and countries.
  const f = expected.findings.find((x) => x.ips.length > 1 && x.countries.length > 1 && x.asns.length > 1);
  assert.ok(f, 'the demo has a finding spread over networks and countries');
  const { context, page, errors } = await openPage(browser, { viewport: { width: 1920, height: 1080 } });
  await load(page, demoFiles);
  await page.getByTestId('findings-filter').fill(f.id);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=findings] tbody tr').length === 1);
  await rowsOf(page).first().click();
  const origins = page.getByTestId('answer-origin').getByTestId('origin');
  await origins.first().waitFor({ timeout: 30_000 });
  const lines = await origins.allTextContents();
  assert.deepEqual(await origins.evaluateAll((li) => li.map((l) => l.dataset.ip)), f.ips, 'in the finding\'s order');
  // Each line's network is the one the IP's events behind the finding show, its country one of
  // the finding's.
  const behind = (await page.getByTestId('finding-events').locator('summary').allTextContents()).map((t) => t.split(' · '));
  for (const line of lines) {
    const [ip, network, country] = line.split(' · ');
    const seen = behind.filter((p) => p[2] === ip).map((p) => p[3]);
    assert.ok(seen.includes(network), `${ip}: ${network} / ${seen}`);
    assert.ok(f.asns.some((a) => network.startsWith(`AS${a} `)), `${network} is one of ${f.asns}`);
    assert.ok(f.countries.includes(country), `${ip}: ${country} of ${f.countries}`);
  }
  assert.deepEqual(errors, []);
  await context.close();
});
