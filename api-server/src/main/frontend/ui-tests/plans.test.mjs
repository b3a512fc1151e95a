// Features per plan (issue #8): on Free, the gated screens show an upgrade prompt instead of a control that would
// fail (segment movement, predictions and their filters, CSV export, the own sender domain); after an upgrade the same
// screens work at once. The other demo shop is on Free; its upgrade is written straight into the demo's PostgreSQL,
// as the billing webhook records it (shops.plan), and undone after.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BASE, OTHER_SHOP, OTHER_TOKEN, api, checkAccessibility, count, launch, openScreen,
  screenshot } from './support.mjs';

function sql(statement) {
  const url = process.env.ECOMCRM_PG_URL ?? '';
  const database = url.slice(url.lastIndexOf('/') + 1).split('?')[0];
  assert.ok(database, 'ECOMCRM_PG_URL names the ui-tests database');
  // The server the API under test uses (bin/ui-tests follows ECOMCRM_PG_PORT), not a fixed port.
  const server = new URL(url.replace(/^jdbc:/, ''));
  return execFileSync('psql', ['-q', '-t', '-A', '-h', server.hostname, '-p', server.port || '5432', '-U',
    process.env.ECOMCRM_PG_USER ?? 'ecomcrm', '-d', database, '-v', 'ON_ERROR_STOP=1', '-c', statement],
  { env: { ...process.env, PGPASSWORD: process.env.ECOMCRM_PG_PASSWORD ?? 'ecomcrm' }, encoding: 'utf8' });
}

function setPlan(plan) {
  sql(`INSERT INTO shops (shop_domain, plan) VALUES ('${OTHER_SHOP}', '${plan}')
       ON CONFLICT (shop_domain) DO UPDATE SET plan = '${plan}'`);
}

describe('features per plan', { skip: !OTHER_TOKEN }, () => {
  let session;

  before(async () => {
    setPlan('free');
    session = await launch(OTHER_TOKEN, OTHER_SHOP);
  });

  after(async () => {
    await session?.browser.close();
    setPlan('free');
  });

  test('on Free, movement, predictions, CSV export and the sender domain show an upgrade prompt', async () => {
    const { page } = session;
    const billing = (await api('/api/billing', OTHER_TOKEN)).body;
    assert.equal(billing.plan, 'free');
    assert.deepEqual(billing.features, ['segments', 'customer_list', 'kpis', 'email_flows']);
    assert.equal((await api('/api/segments/movement', OTHER_TOKEN)).status, 403);

    await openScreen(page, 'Segments');
    const movementPrompt = page.locator('#upgrade-segment_movement');
    await movementPrompt.waitFor();
    assert.match(await movementPrompt.innerText(), /Segment movement is part of the Growth plan and above/);
    assert.equal(await page.locator('#movement-summary').count(), 0);
    await page.locator('#upgrade-predictions').waitFor();
    await screenshot(page, '14-segments-free-plan');
    await checkAccessibility(page, 'Segments on Free');

    await openScreen(page, 'Customers');
    await page.locator('#upgrade-predictions').waitFor();
    await page.locator('#customers-total').waitFor();
    assert.equal(await page.getByRole('columnheader', { name: 'Predicted 12-month value' }).count(), 0);
    assert.equal(await page.getByLabel('Churn risk').count(), 0);
    assert.equal(await page.getByRole('button', { name: /Export CSV of the customers/ }).count(), 0);
    await page.getByRole('button', { name: /Upgrade to export CSV \(CSV export is part of the Starter plan/ }).waitFor();
    await screenshot(page, '15-customers-free-plan');
    await checkAccessibility(page, 'Customers on Free');

    await openScreen(page, 'Settings');
    await page.locator('#upgrade-own_sender_domain').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save domain' }).count(), 0);

    await openScreen(page, 'Billing');
    const contacts = page.locator('#usage-contacts');
    await contacts.waitFor();
    assert.equal(await contacts.innerText(),
      `${count(billing.usage.contacts)} of ${count(billing.usage.contacts_limit)}`);
    // The prompt's action leads to the plans.
    await openScreen(page, 'Segments');
    await page.locator('#upgrade-segment_movement').getByRole('button', { name: 'See plans' }).click();
    await page.getByRole('heading', { name: 'Billing', level: 1 }).waitFor();
  });

  test('after an upgrade to Growth the same screens work at once', async () => {
    setPlan('growth');
    const { page } = session;
    const movement = (await api('/api/segments/movement', OTHER_TOKEN)).body;
    assert.equal(movement.status, 'READY');
    // A fresh load of the app (the session token stays in the tab), as after Shopify's approval page.
    await page.goto(`${BASE}/app/?shop=${OTHER_SHOP}`);
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();

    await openScreen(page, 'Segments');
    await page.locator('#movement-summary').waitFor();
    assert.equal(await page.locator('#upgrade-segment_movement').count(), 0);
    assert.equal(await page.locator('#upgrade-predictions').count(), 0);
    await screenshot(page, '16-segments-after-upgrade');

    await openScreen(page, 'Customers');
    await page.getByRole('button', { name: /Export CSV of the customers/ }).waitFor();
    await page.getByRole('columnheader', { name: 'Predicted 12-month value' }).waitFor();
    assert.equal(await page.locator('#upgrade-predictions').count(), 0);

    await openScreen(page, 'Settings');
    await page.getByRole('button', { name: 'Save domain' }).waitFor();
    assert.equal(await page.locator('#upgrade-own_sender_domain').count(), 0);
    await checkAccessibility(page, 'Settings after the upgrade');
  });
});
