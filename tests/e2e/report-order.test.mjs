// The findings reach the screen before the report's JSON text is written: the worker sends the
// findings, then writes the text (what "Download report" saves) and sends it last. Until it
// arrives the download button is disabled and says why; once it arrives the download is the CLI's
// report, byte for byte.
//
// The app is served with a few lines put in front of `worker.js` (the analysis worker's script)
// that hold the worker's `report-json` message back for a while, so the window between the two is
// wide enough to look at on any machine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, launch, openPage, foreignRequests, CLI, downloadText, ungrouped, screenshot } from './harness.mjs';

const HOLD_MS = 3000;
const HOLD = `(() => {
  const post = self.postMessage.bind(self);
  self.__order = [];
  self.postMessage = (message, transfer) => {
    if (message && message.type !== 'progress') self.__order.push(message.type);
    if (message && message.type === 'report-json') {
      self.__held = (self.__held ?? 0) + 1;
      setTimeout(() => post(message, transfer), ${HOLD_MS});
    } else {
      post(message, transfer);
    }
  };
})();\n`;

let dir;
let files;
let expected;
let browser;
let server;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sessionhunt-order-'));
  execFileSync(CLI, ['demo', '--out', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  files = readdirSync(dir).sort().map((n) => join(dir, n));
  expected = execFileSync(CLI, ['analyze', '-q', '--format', 'json', ...files], { maxBuffer: 1 << 30 }).toString('utf8');
  server = await serve(undefined, '/', { transform: (rel, body) => (rel === 'worker.js' ? Buffer.concat([Buffer.from(HOLD), body]) : body) });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the findings are shown while the JSON is written, then the download is the CLI\'s report', { timeout: 120_000 }, async () => {
  const { context, page, requests, errors } = await openPage(browser);
  try {
    await page.goto(server.url);
    await page.locator('.app[data-worker="ready"]').waitFor();
    await page.getByTestId('file-input').setInputFiles(files);
    // The report is on screen: its findings grid and summary, with the download not ready yet.
    await page.getByTestId('findings').waitFor({ timeout: 60_000 });
    const rows = ungrouped((await page.getByTestId('findings-count').textContent()).split(' of ')[1]);
    assert.equal(rows, JSON.parse(expected).findings.length, 'every finding is listed before the text arrives');
    const button = page.getByTestId('download-json');
    assert.equal(await button.isDisabled(), true, 'no download before the text arrives');
    assert.equal(await button.getAttribute('aria-busy'), 'true');
    assert.match(await page.getByTestId('download-pending').textContent(), /Writing the report's JSON/);
    await screenshot(page, 'download-pending');
    // Then the held message arrives and the button is enabled.
    await page.waitForFunction(() => !document.querySelector('[data-testid="download-json"]').disabled, null, { timeout: HOLD_MS + 30_000 });
    assert.equal(await page.getByTestId('download-pending').count(), 0);
    assert.equal(await button.getAttribute('aria-busy'), 'false');
    const { text } = await downloadText(page, button);
    // The order the worker sent them in: the findings, the rest of the report, then its text.
    const seen = await Promise.all(page.workers().map((w) => w.evaluate(() => self.__order ?? null)));
    const order = seen.find((o) => o !== null).filter((t) => t !== 'ready');
    assert.deepEqual([...new Set(order)], ['findings-page', 'done', 'report-json'], order.join(' '));
    assert.equal(order.at(-1), 'report-json');
    assert.ok(text === expected, 'byte-identical to the CLI');
    assert.deepEqual(errors, []);
    assert.deepEqual(foreignRequests(requests, server.origin), []);
  } finally {
    await context.close();
  }
});
