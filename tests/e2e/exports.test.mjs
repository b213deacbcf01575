// The hand-off exports from the page: the case report, the containment script, the KQL and the
// Timesketch lines, each saved from its button, byte for byte what the CLI's command writes for
// the same files (docs/exports.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { suite, openApp, chooseFiles, foreignRequests, CLI, downloadText, screenshot } from './harness.mjs';

const env = suite({ demo: true });

const cli = (args) => execFileSync(CLI, [...args, ...env.demo.files], { maxBuffer: 1 << 30 }).toString('utf8');

test('each hand-off export saved from the page is the CLI command\'s output, byte for byte', async () => {
  const { context, page, errors, requests } = await openApp(env);
  await chooseFiles(page, env.demo.files);
  await page.getByTestId('download-json').waitFor();
  const expected = {
    report: { name: 'sessionhunt-case-report.html', text: cli(['report']) },
    contain: { name: 'sessionhunt-containment.ps1', text: cli(['contain']) },
    kql: { name: 'sessionhunt-hunt.kql', text: cli(['kql']) },
    timesketch: { name: 'sessionhunt-timesketch.jsonl', text: cli(['timesketch']) },
  };
  for (const [command, want] of Object.entries(expected)) {
    assert.ok(want.text.length > 1000, `${command}: the CLI wrote something to compare`);
    const got = await downloadText(page, page.getByTestId(`export-${command}`));
    assert.equal(got.name, want.name, command);
    assert.ok(got.text === want.text, `${command}: the page's export differs from the CLI's (${got.text.length} against ${want.text.length} characters)`);
  }
  // The case report names every input with its SHA-256, computed in the worker as the CLI does.
  assert.match(expected.report.text, /[0-9a-f]{64}/);
  // What they cover: the CLI's --min-severity, chosen in the page.
  await page.getByTestId('export-min-severity').selectOption('low');
  for (const command of ['contain', 'report']) {
    const want = cli([command, '--min-severity', 'low']);
    assert.notEqual(want, expected[command].text, `${command}: low findings change it`);
    const got = await downloadText(page, page.getByTestId(`export-${command}`));
    assert.ok(got.text === want, `${command} --min-severity low: the page's export differs from the CLI's`);
  }
  await screenshot(page, 'exports');
  assert.deepEqual(errors, []);
  assert.deepEqual(foreignRequests(requests, env.server.origin), []);
  await context.close();
});
