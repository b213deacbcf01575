// An IP database dropped in the page with a Unified-Audit-Log-only export: the page reads it by
// content like any other input, uses it where the log has no network of its own, shows the
// database with its ranges, date and attribution, and its report is the CLI's, byte for byte
// (issue 18: enrichment in the CLI and in the page from a dropped file). Nothing is downloaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { suite, openApp, chooseFiles, foreignRequests, CLI, downloadText, screenshot } from './harness.mjs';

const env = suite({ demo: 'ual-only' });

const cli = (paths) => execFileSync(CLI, ['analyze', '--format', 'json', ...paths], { maxBuffer: 1 << 30 }).toString('utf8');

test('a dropped IP database enriches a UAL-only export in the page as in the CLI, with its attribution shown', async () => {
  const files = env.demo.files;
  const databases = files.filter((f) => /ip2asn-v[46]\.tsv$/.test(f));
  assert.equal(databases.length, 2, 'the UAL-only demo comes with its IPtoASN extracts');
  const expected = cli(files);
  const report = JSON.parse(expected);
  const withoutDb = JSON.parse(cli(files.filter((f) => !databases.includes(f))));
  // What the database adds: networks on findings that had none.
  const networks = (r) => r.findings.filter((f) => f.asns.length > 0).length;
  assert.equal(networks(withoutDb), 0, 'the audit log alone carries no ASN');
  assert.ok(networks(report) > report.findings.length / 2, `enriched: ${networks(report)} of ${report.findings.length}`);

  const { context, page, errors, requests } = await openApp(env);
  await chooseFiles(page, files);
  const shown = await page.getByTestId('ipdb-attribution').allTextContents();
  assert.equal(shown.length, 2);
  for (const [i, input] of report.inputs.filter((x) => x.log_kind === 'ip-database').entries()) {
    assert.ok(shown[i].includes(input.attribution) && shown[i].includes(`${input.ranges} ranges`), shown[i]);
  }
  const got = await downloadText(page, page.getByTestId('download-json'));
  assert.ok(got.text === expected, 'the page\'s report is the CLI\'s, byte for byte');
  await screenshot(page, 'ipdb-ual-only');
  assert.deepEqual(errors, []);
  assert.deepEqual(foreignRequests(requests, env.server.origin), []);
  await context.close();
});
