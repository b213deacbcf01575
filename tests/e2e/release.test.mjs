// The release files scripts/build.sh writes (release/), and the GitHub workflows that publish them:
// the sums check out, the zip holds exactly dist/, the single file is small enough, and the
// workflows build with the very scripts the test command runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT, DIST, SINGLE, RELEASE } from './harness.mjs';

const version = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8').match(/\[workspace\.package\][^[]*?\nversion = "([^"]+)"/)[1];
const html = `sessionhunt-${version}.html`;
const zip = `sessionhunt-${version}-dist.zip`;

test('release/ holds the single file, the zip of dist/ and SHA256SUMS, and the sums check out', () => {
  assert.deepEqual(readdirSync(RELEASE).sort(), ['SHA256SUMS', html, zip].sort());
  const sums = readFileSync(join(RELEASE, 'SHA256SUMS'), 'utf8');
  assert.match(sums, new RegExp(`^[0-9a-f]{64}  ${html.replaceAll('.', '\\.')}\n[0-9a-f]{64}  ${zip.replaceAll('.', '\\.')}\n$`));
  // The analyst's check, exactly as the README and the About panel give it.
  const out = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: RELEASE }).toString();
  assert.equal(out, `${html}: OK\n${zip}: OK\n`);
  assert.ok(readFileSync(join(RELEASE, html)).equals(readFileSync(SINGLE)), 'the release HTML is dist-single/sessionhunt.html');
});

test('the zip unpacks to exactly the files of dist/, under one folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sessionhunt-zip-'));
  try {
    execFileSync('unzip', ['-q', join(RELEASE, zip), '-d', dir]);
    assert.deepEqual(readdirSync(dir), [`sessionhunt-${version}`]);
    const unpacked = join(dir, `sessionhunt-${version}`);
    const names = readdirSync(DIST).sort();
    assert.deepEqual(readdirSync(unpacked).sort(), names);
    for (const name of names) {
      assert.ok(readFileSync(join(unpacked, name)).equals(readFileSync(join(DIST, name))), `${name} unpacks unchanged`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the single file stays under 4 MB gzipped', () => {
  const bytes = readFileSync(SINGLE);
  const gz = gzipSync(bytes, { level: 9 }).length;
  console.log(`# single file: ${bytes.length} bytes, ${gz} gzipped`);
  assert.ok(gz < 4 * 1024 * 1024, `${gz} bytes gzipped`);
});

test('the workflows build with the scripts the test command runs', () => {
  const runs = (file) => [...readFileSync(join(ROOT, '.github/workflows', file), 'utf8').matchAll(/^\s*(?:- )?run: (scripts\/\S+)\s*$/gm)].map((m) => m[1]);
  assert.deepEqual(runs('pages.yml'), ['scripts/setup.sh', 'scripts/build.sh']);
  assert.deepEqual(runs('release.yml'), ['scripts/setup.sh', 'scripts/build.sh']);
  const testSh = readFileSync(join(ROOT, 'scripts/test.sh'), 'utf8');
  assert.match(testSh, /^scripts\/build\.sh$/m, 'scripts/test.sh runs scripts/build.sh');
  assert.match(testSh, /^scripts\/check-reproducible\.sh\b/m, 'scripts/test.sh checks that the build is reproducible');
  const pages = readFileSync(join(ROOT, '.github/workflows/pages.yml'), 'utf8');
  assert.match(pages, /cp -r dist site/, 'Pages publishes dist/');
  assert.match(pages, /upload-pages-artifact[\s\S]*path: site/);
});
