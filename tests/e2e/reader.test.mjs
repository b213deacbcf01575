// The analysis worker reads files on a reader worker of its own (a second thread) and falls back to
// reading them itself when that worker cannot start, fails to read a slice, or dies: in every case
// the report is the CLI's, byte for byte, and nothing is logged as an error.
//
// Each case serves the app with a few lines put in front of `worker.js` (the analysis worker's
// script), which change what that worker finds as `Worker`: a counting wrapper, nothing at all, a
// reader whose second request is spoiled, or a reader whose script throws as it starts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, launch, openPage, foreignRequests, CLI, downloadText, repeatRows, rustConst } from './harness.mjs';

/** The worker's slice size (`SLICE` in www/src/worker/reading.rs). */
const SLICE = rustConst('www/src/worker/reading.rs', 'SLICE');

/** Counts the reader workers started and the slices they hand over (`self.__reader`). */
const COUNT = `(() => {
  const W = self.Worker;
  self.__reader = { started: 0, buffers: 0 };
  self.Worker = class extends W {
    constructor(url, options) {
      super(url, options);
      self.__reader.started += 1;
      this.addEventListener('message', (e) => { if (e.data && e.data.buffer instanceof ArrayBuffer) self.__reader.buffers += 1; });
    }
  };
})();\n`;

const CASES = {
  'on a reader worker': COUNT,
  'with no Worker in the worker': 'self.Worker = undefined;\n',
  'when the reader fails on its second slice': `${COUNT}(() => {
  const W = self.Worker;
  self.Worker = class extends W {
    postMessage(message, transfer) {
      this.asked = (this.asked ?? 0) + 1;
      // A request without a file: the reader answers it with an error.
      return this.asked === 2 ? super.postMessage({ file: null, start: 0, end: 0 }) : super.postMessage(message, transfer);
    }
  };
})();\n`,
  'when the reader dies as it starts': `${COUNT}(() => {
  const W = self.Worker;
  const broken = URL.createObjectURL(new Blob(['throw new Error("reader broken on purpose")'], { type: 'text/javascript' }));
  self.Worker = class extends W { constructor() { super(broken); } };
})();\n`,
};

let dir;
let files = [];
let expected;
let slices = 0;
let browser;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sessionhunt-reader-'));
  const demo = join(dir, 'demo');
  execFileSync(CLI, ['demo', '--out', demo], { stdio: ['ignore', 'ignore', 'inherit'] });
  files = readdirSync(demo).sort().map((n) => join(demo, n));
  // One file of a little over two slices, so reads cross slice ends and run ahead into the next
  // file: the demo's sign-in CSV, its data lines repeated.
  const csv = files.find((f) => /interactive.*\.csv$/i.test(f) || f.endsWith('.csv'));
  files.push(repeatRows(csv, join(dir, 'big-signins.csv'), 2 * SLICE + (1 << 20)));
  slices = files.reduce((n, f) => n + Math.ceil(statSync(f).size / SLICE), 0);
  expected = execFileSync(CLI, ['analyze', '-q', '--format', 'json', ...files], { maxBuffer: 1 << 30 }).toString('utf8');
});

after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

for (const [name, prefix] of Object.entries(CASES)) {
  test(`reading ${name}: the report is the CLI's`, { timeout: 300_000 }, async () => {
    const server = await serve(undefined, '/', { transform: (rel, body) => (rel === 'worker.js' ? Buffer.concat([Buffer.from(prefix), body]) : body) });
    browser ??= await launch();
    const { context, page, requests, errors } = await openPage(browser);
    const workers = [];
    page.on('worker', (w) => workers.push(w));
    try {
      await page.goto(server.url);
      await page.locator('.app[data-worker="ready"]').waitFor();
      await page.getByTestId('file-input').setInputFiles(files);
      await page.getByTestId('download-json').waitFor({ timeout: 240_000 });
      const text = (await downloadText(page, page.getByTestId('download-json'))).text;
      assert.ok(text === expected, 'byte-identical to the CLI');
      assert.ok(JSON.parse(text).findings.length > 0, 'the demo holds findings');
      assert.deepEqual(errors, []);
      assert.deepEqual(foreignRequests(requests, server.origin), []);
      // What the analysis worker saw of its reader.
      const analysis = workers.find((w) => w.url().startsWith('blob:'));
      const reader = await analysis.evaluate(() => self.__reader ?? null);
      if (name === 'on a reader worker') {
        assert.deepEqual(reader, { started: 1, buffers: slices }, 'every slice came from the reader worker');
      } else if (name === 'when the reader fails on its second slice') {
        assert.equal(reader.started, 1);
        assert.ok(reader.buffers >= 1 && reader.buffers < slices, `slices from the reader: ${reader.buffers} of ${slices}`);
      } else if (name === 'when the reader dies as it starts') {
        assert.deepEqual(reader, { started: 1, buffers: 0 });
      } else {
        assert.equal(reader, null);
      }
    } finally {
      await context.close();
      await server.close();
    }
  });
}
