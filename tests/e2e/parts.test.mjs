// On a machine with three logical processors or more, the analysis worker parses the second half of
// a large CSV export on a helper worker (another instance of itself) and joins it back; when the
// helper cannot run, it reads those bytes itself. Either way the report is the CLI's, byte for byte,
// and nothing is logged as an error. On fewer processors no helper is started.
//
// The page's processor count is set with an init script (this suite runs on 2-core machines). What
// the analysis worker does with `Worker` is watched through a few lines put in front of `worker.js`:
// the helper is started from the worker's own URL, readers from scripts of their own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, launch, openPage, foreignRequests, CLI, downloadText, repeatRows, rustConst } from './harness.mjs';

/** The smallest file the page reads in two parts: two parts of the core's `PART_MIN_BYTES`. */
const PART_MIN = 2 * rustConst('src/ingest/part.rs', 'PART_MIN_BYTES');

/** Counts the helpers the analysis worker starts and the parts they hand back (`self.__helpers`). */
const COUNT = `(() => {
  const W = self.Worker;
  self.__helpers = { started: 0, parts: 0 };
  self.Worker = class extends W {
    constructor(url, options) {
      super(url, options);
      if (String(url) === self.location.href) {
        self.__helpers.started += 1;
        this.addEventListener('message', (e) => { if (e.data?.type === 'part-read' && e.data.part instanceof ArrayBuffer) self.__helpers.parts += 1; });
      }
    }
  };
})();\n`;

/** As COUNT, but every helper runs a script that throws as it starts. */
const BROKEN = `(() => {
  const W = self.Worker;
  const broken = URL.createObjectURL(new Blob(['throw new Error("helper broken on purpose")'], { type: 'text/javascript' }));
  self.__helpers = { started: 0, parts: 0 };
  self.Worker = class extends W {
    constructor(url, options) {
      const helper = String(url) === self.location.href;
      super(helper ? broken : url, options);
      if (helper) self.__helpers.started += 1;
    }
  };
})();\n`;

const CASES = [
  { name: 'with a helper on 8 processors', processors: 8, prefix: COUNT, helpers: { started: 1, parts: 1 } },
  { name: 'when the helper fails (its half read by the worker)', processors: 8, prefix: BROKEN, helpers: { started: 1, parts: 0 } },
  { name: 'without a helper on 2 processors', processors: 2, prefix: COUNT, helpers: { started: 0, parts: 0 } },
];

let dir;
let files = [];
let expected;
let browser;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sessionhunt-parts-'));
  const demo = join(dir, 'demo');
  execFileSync(CLI, ['demo', '--out', demo], { stdio: ['ignore', 'ignore', 'inherit'] });
  files = readdirSync(demo).sort().map((n) => join(demo, n));
  // A sign-in export over the threshold: the demo's portal CSV, its data lines repeated (the copies
  // are duplicates, settled across the two halves), with the demo's other files beside it.
  const csv = files.find((f) => /interactive.*\.csv$/i.test(f)) ?? files.find((f) => f.endsWith('.csv'));
  files.push(repeatRows(csv, join(dir, 'big-signins.csv'), PART_MIN + (8 << 20)));
  expected = execFileSync(CLI, ['analyze', '-q', '--format', 'json', ...files], { maxBuffer: 1 << 30 }).toString('utf8');
});

after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

for (const { name, processors, prefix, helpers } of CASES) {
  test(`reading ${name}: the report is the CLI's`, { timeout: 300_000 }, async () => {
    const server = await serve(undefined, '/', { transform: (rel, body) => (rel === 'worker.js' ? Buffer.concat([Buffer.from(prefix), body]) : body) });
    browser ??= await launch();
    const { context, page, requests, errors } = await openPage(browser);
    await context.addInitScript((n) => {
      Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => n });
    }, processors);
    const workers = [];
    page.on('worker', (w) => workers.push(w));
    try {
      await page.goto(server.url);
      await page.locator('.app[data-worker="ready"]').waitFor();
      await page.getByTestId('file-input').setInputFiles(files);
      await page.getByTestId('download-json').waitFor({ timeout: 240_000 });
      const text = (await downloadText(page, page.getByTestId('download-json'))).text;
      assert.ok(text === expected, 'byte-identical to the CLI');
      const report = JSON.parse(text);
      assert.ok(report.findings.length > 0, 'the demo holds findings');
      const big = report.inputs.find((i) => i.name === 'big-signins.csv');
      assert.ok(big.duplicates > big.events, `the copies are duplicates: ${JSON.stringify(big)}`);
      assert.deepEqual(errors, []);
      assert.deepEqual(foreignRequests(requests, server.origin), []);
      // The first worker is the analysis worker (the page starts no other).
      const started = await workers[0].evaluate(() => self.__helpers);
      assert.deepEqual(started, helpers, 'helpers the analysis worker started, parts they handed back');
    } finally {
      await context.close();
      await server.close();
    }
  });
}
