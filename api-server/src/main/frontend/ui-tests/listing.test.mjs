// App Store listing screenshots (docs/app-store/listing.md): the real dashboard with the demo data, at the listing's
// 1600 x 900, the app's own UI only (no browser frame or desktop: App Store requirement 4.4.4), one feature per image.
// Runs only when UI_LISTING_DIR is set (bin/app-store-screenshots sets it); bin/ui-tests alone skips it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { launch, openScreen } from './support.mjs';

const DIR = process.env.UI_LISTING_DIR;

describe('app store listing screenshots', { skip: !DIR }, () => {
  let session;

  before(async () => {
    mkdirSync(DIR, { recursive: true });
    session = await launch();
    await session.page.setViewportSize({ width: 1600, height: 900 });
  });

  after(async () => {
    await session?.browser.close();
  });

  async function shot(name) {
    // Let charts finish their animation before the picture.
    await session.page.waitForTimeout(1200);
    const file = join(DIR, `${name}.png`);
    await session.page.screenshot({ path: file, fullPage: false });
    const size = statSync(file).size;
    assert.ok(size < 300 * 1024, `${name}.png is ${size} bytes; the repository keeps listing images under 300 KB`);
  }

  test('home, segments, customers, a customer, flows, billing', async () => {
    const { page } = session;
    await page.locator('#kpi-revenue').waitFor();
    await page.getByRole('img', { name: 'Revenue and orders per day' }).waitFor();
    await shot('1-home-kpis');
    await openScreen(page, 'Segments');
    await page.waitForLoadState('networkidle');
    await shot('2-segments');
    await openScreen(page, 'Customers');
    await page.waitForLoadState('networkidle');
    await shot('3-customers');
    await page.locator('.Polaris-IndexTable__TableRow').first().click();
    await page.getByText('Predicted 12-month value', { exact: true }).waitFor();
    await shot('4-customer-predictions');
    await openScreen(page, 'Flows');
    await page.waitForLoadState('networkidle');
    await shot('5-flows');
    // Email performance is left out: the demo store has sent no email, so that screen shows its empty state.
    await openScreen(page, 'Billing');
    await page.locator('#usage-emails').waitFor();
    await shot('6-billing-plans');
  });
});
