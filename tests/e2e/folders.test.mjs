// A folder of exports, as a consultant gets it from a customer, goes into the page in one step:
// chosen with the folder picker, or dropped on the drop zone (folders walked to the bottom), and
// plain files dropped too. Each gives the report the CLI gives on the same folder or files, byte
// for byte, with the files named by their path in the folder (`exports/audit/…`), as the CLI
// names them.
//
// The folder drop: Chromium only hands a page real file-system entries for a drag from the
// operating system, which Playwright cannot make. The test dispatches a drop whose DataTransfer
// gives entries with the browser's shape (isFile/isDirectory, fullPath, createReader().readEntries
// in batches until an empty one, file()), holding real File objects, so the page's walk of the
// folder is what is tested. The folder picker and the plain-file drop use the browser's own objects.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { serve, launch, openPage, foreignRequests, downloadText, CLI, ROOT } from './harness.mjs';

const FIXTURES = join(ROOT, 'tests/fixtures/formats');
let server;
let browser;
let dir;
/** The folder `exports/` (sign-in exports in `signins/`, the rest in `audit/` and `more/deeper/`). */
let exportsDir;
/** Every file under `exportsDir`, as paths relative to its parent (`exports/signins/…`). */
let paths;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sessionhunt-folders-'));
  exportsDir = join(dir, 'exports');
  const names = readdirSync(FIXTURES).filter((n) => n !== 'generate.py').sort();
  for (const [i, name] of names.entries()) {
    const sub = /signin/i.test(name) ? 'signins' : i % 2 ? 'audit' : 'more/deeper';
    mkdirSync(join(exportsDir, sub), { recursive: true });
    copyFileSync(join(FIXTURES, name), join(exportsDir, sub, name));
  }
  const walk = (d) => readdirSync(d, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
  paths = walk(exportsDir).map((p) => relative(dir, p)).sort();
  server = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cli = (args) => execFileSync(CLI, ['analyze', '-q', '--format', 'json', ...args], { cwd: dir, maxBuffer: 1 << 30 }).toString('utf8');

async function open() {
  const opened = await openPage(browser);
  await opened.page.goto(server.url);
  await opened.page.locator('.app[data-worker="ready"]').waitFor({ timeout: 60_000 });
  return opened;
}

/** The input names of a report (an archive's members are named `archive.zip/member`). */
const inputNames = (json) => JSON.parse(json).inputs.map((i) => i.name);

/** Waits for the report, checks that the per-file table names `names`, and downloads the report. */
async function report(page, names) {
  await page.getByTestId('download-json').waitFor({ timeout: 120_000 });
  const shown = await page.getByTestId('inputs').locator('tbody tr td:first-child').allTextContents();
  assert.deepEqual([...shown].sort(), [...names].sort());
  return (await downloadText(page, page.getByTestId('download-json'))).text;
}

test('a folder chosen with the folder picker gives the CLI\'s report on that folder', async () => {
  assert.ok(paths.length >= 30 && paths.some((p) => p.startsWith('exports/more/deeper/')), paths.join());
  const expected = cli(['exports']);
  for (const path of paths) {
    assert.ok(inputNames(expected).some((n) => n === path || n.startsWith(`${path}/`)), `the CLI names ${path} by its path`);
  }
  const { context, page, requests, errors } = await open();
  await page.getByTestId('folder-input').setInputFiles(exportsDir);
  assert.equal(await report(page, inputNames(expected)), expected);
  assert.deepEqual(errors, []);
  assert.deepEqual(foreignRequests(requests, server.origin), []);
  await context.close();
});

test('a dropped folder is walked to the bottom and gives the CLI\'s report on that folder', async () => {
  const expected = cli(['exports']);
  const { context, page, requests, errors } = await open();
  const files = paths.map((p) => ({ path: p, base64: readFileSync(join(dir, p)).toString('base64') }));
  await page.evaluate((files) => {
    const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    // A folder tree of entries shaped like the browser's FileSystemEntry objects.
    const root = { name: 'exports', fullPath: '/exports', isFile: false, isDirectory: true, children: new Map() };
    for (const { path, base64 } of files) {
      const parts = path.split('/');
      let node = root;
      for (const [i, part] of parts.slice(1).entries()) {
        const fullPath = `/${parts.slice(0, i + 2).join('/')}`;
        if (i === parts.length - 2) {
          const file = new File([bytes(base64)], part);
          node.children.set(part, { name: part, fullPath, isFile: true, isDirectory: false, file: (ok) => setTimeout(() => ok(file), 0) });
        } else {
          if (!node.children.has(part)) node.children.set(part, { name: part, fullPath, isFile: false, isDirectory: true, children: new Map() });
          node = node.children.get(part);
        }
      }
    }
    const withReaders = (node) => {
      if (!node.isDirectory) return node;
      const children = [...node.children.values()].map(withReaders);
      // Entries come in batches of three, then an empty batch, as `readEntries` hands them out.
      node.createReader = () => {
        let next = 0;
        return { readEntries: (ok) => setTimeout(() => { ok(children.slice(next, next + 3)); next += 3; }, 0) };
      };
      return node;
    };
    const transfer = { items: [{ kind: 'file', type: '', webkitGetAsEntry: () => withReaders(root) }], files: [], types: ['Files'] };
    const drop = new DragEvent('drop', { bubbles: true, cancelable: true });
    Object.defineProperty(drop, 'dataTransfer', { value: transfer });
    document.querySelector('[data-testid=drop-zone]').dispatchEvent(drop);
  }, files);
  assert.equal(await report(page, inputNames(expected)), expected);
  assert.deepEqual(errors, []);
  assert.deepEqual(foreignRequests(requests, server.origin), []);
  await context.close();
});

test('dropped files (no folder) give the CLI\'s report on those files', async () => {
  const chosen = paths.filter((p) => p.startsWith('exports/signins/'));
  assert.ok(chosen.length >= 3, chosen.join());
  const names = chosen.map((p) => p.split('/').pop());
  const expected = cli(chosen);
  const { context, page, requests, errors } = await open();
  const files = chosen.map((p) => ({ name: p.split('/').pop(), base64: readFileSync(join(dir, p)).toString('base64') }));
  await page.evaluate((files) => {
    const transfer = new DataTransfer();
    for (const { name, base64 } of files) {
      transfer.items.add(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name));
    }
    const drop = new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: transfer });
    document.querySelector('[data-testid=drop-zone]').dispatchEvent(drop);
  }, files);
  // The CLI names files given one by one by their file name, as the page does.
  assert.deepEqual(inputNames(expected).sort(), [...names].sort());
  assert.equal(await report(page, names), expected);
  assert.deepEqual(errors, []);
  assert.deepEqual(foreignRequests(requests, server.origin), []);
  await context.close();
});
