// App Store listing screenshots (docs/app-store/listing.md): the real dashboard with the demo data, at the listing's
// 1600 x 900, the app's own UI only (no browser frame or desktop: App Store requirement 4.4.4), one feature per image.
// Every run of bin/ui-tests takes them into api-server/target/ui-screenshots/listing/ (so a change that breaks one
// fails the run); bin/app-store-screenshots sets UI_LISTING_DIR to write them into docs/app-store/screenshots/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { launch, openScreen } from './support.mjs';

const DIR = process.env.UI_LISTING_DIR ?? join(process.env.UI_SCREENSHOTS ?? 'ui-screenshots', 'listing');
/** Shopify's desktop screenshot size for the listing. */
const WIDTH = 1600;
const HEIGHT = 900;

/** Width and height from a PNG's IHDR chunk (bytes 16 to 23, big-endian). */
function pngSize(file) {
  const bytes = readFileSync(file);
  assert.equal(bytes.subarray(12, 16).toString('latin1'), 'IHDR', `${file} is a PNG`);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('app store listing screenshots', () => {
  let session;

  before(async () => {
    mkdirSync(DIR, { recursive: true });
    session = await launch();
    await session.page.setViewportSize({ width: WIDTH, height: HEIGHT });
  });

  after(async () => {
    await session?.browser.close();
  });

  async function shot(name) {
    // Let charts finish their animation before the picture.
    await session.page.waitForTimeout(1200);
    const file = join(DIR, `${name}.png`);
    await session.page.screenshot({ path: file, fullPage: false });
    assert.deepEqual(pngSize(file), { width: WIDTH, height: HEIGHT }, `${name}.png has the listing's size`);
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
    // The customer's own page ("Customer 123"), not the list ("Customers"), which names the same column.
    await page.getByRole('heading', { name: /^Customer \S/, level: 1 }).waitFor();
    await page.getByText('Predicted 12-month value', { exact: true }).first().waitFor();
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
