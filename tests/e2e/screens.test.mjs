// Screenshots of the analyst's page at 1280×720 and 1920×1080, light and dark: the grid, a
// finding's details and a user's timeline (saved under tests/e2e/artifacts/ to be looked at), and
// a check that nothing overflows the window sideways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot, suite } from './harness.mjs';

const env = suite();

const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

for (const [width, height] of [[1280, 720], [1920, 1080]]) {
  for (const colorScheme of ['light', 'dark']) {
    test(`layout at ${width}×${height}, ${colorScheme}`, async () => {
      const { context, page, errors } = await openPage(env.browser, { viewport: { width, height }, colorScheme });
      const name = `${width}x${height}-${colorScheme}`;
      await page.goto(env.server.url);
      await page.locator('.app[data-worker="ready"]').waitFor();
      await screenshot(page, `${name}-home`);
      await page.getByTestId('demo-button').click();
      await page.getByTestId('findings').waitFor({ timeout: 120_000 });
      const background = await page.evaluate(() => getComputedStyle(document.body.parentElement).backgroundColor);
      assert.equal(background === 'rgb(17, 22, 28)', colorScheme === 'dark', `background ${background}`);
      assert.ok(await overflow(page) <= 0, 'no sideways scrolling');
      await page.getByTestId('findings').scrollIntoViewIfNeeded();
      await screenshot(page, `${name}-grid`);
      await page.getByTestId('findings').locator('tbody tr').first().click();
      await page.getByTestId('events-loading').waitFor({ state: 'detached', timeout: 30_000 });
      await screenshot(page, `${name}-details`);
      await page.getByTestId('open-timeline').click();
      await page.getByTestId('timeline-svg').waitFor({ timeout: 30_000 });
      await page.getByTestId('details-close').click();
      await page.getByTestId('timeline').scrollIntoViewIfNeeded();
      await screenshot(page, `${name}-timeline`);
      assert.ok(await overflow(page) <= 0, 'no sideways scrolling with the timeline');
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
}
