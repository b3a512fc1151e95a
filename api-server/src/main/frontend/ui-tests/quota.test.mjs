// The over-quota notice (issue #8): when the send job holds a shop's emails because the plan's monthly quota is used
// up, Home and Billing say so with the numbers of GET /api/billing and offer the upgrade; another shop sees nothing.
// The held sends are written straight into the demo's PostgreSQL (as the send job writes them) and removed after.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { OTHER_SHOP, OTHER_TOKEN, SHOP, api, checkAccessibility, count, launch, openScreen,
  screenshot } from './support.mjs';

const MARK = `ui-quota-${process.pid}`;

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

function resetDay(resetsAt) {
  const [y, m, d] = resetsAt.slice(0, 10).split('-').map(Number);
  return new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

describe('over-quota notice', () => {
  let session;

  before(async () => {
    for (let i = 0; i < 3; i++) {
      sql(`INSERT INTO sends (shop_domain, email, trigger_key, idempotency_key, status, skip_reason, due_at)
           VALUES ('${SHOP}', 'held${i}@example.com', '${MARK}-${i}', '${MARK}-${i}', 'HELD', 'quota', now())`);
    }
    session = await launch();
  });

  after(async () => {
    await session?.browser.close();
    sql(`DELETE FROM sends WHERE shop_domain = '${SHOP}' AND trigger_key LIKE '${MARK}-%'`);
  });

  test('home and billing tell the merchant how many emails wait, until when, and offer the upgrade', async () => {
    const usage = (await api('/api/billing')).body.usage;
    assert.equal(usage.held_for_quota.count, 3);
    const expected = `3 emails are waiting: your plan's monthly quota of ${count(usage.emails_limit)} is used up; `
      + `upgrade or they go out when the quota resets on ${resetDay(usage.held_for_quota.resets_at)}.`;
    const { page } = session;
    // Home was opened before the banner's data arrived: reload it.
    await page.reload();
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    const message = page.locator('#quota-held-message');
    await message.waitFor();
    assert.equal((await message.innerText()).replace(/\s+/g, ' ').trim(), expected);
    await screenshot(page, '12-home-quota-banner');
    await checkAccessibility(page, 'Home with the quota banner');

    await page.getByRole('button', { name: 'Upgrade plan' }).click();
    await page.getByRole('heading', { name: 'Billing', level: 1 }).waitFor();
    await message.waitFor();
    assert.equal((await message.innerText()).replace(/\s+/g, ' ').trim(), expected);
    await page.getByRole('button', { name: /^Upgrade to / }).waitFor();
    await screenshot(page, '13-billing-quota-banner');
    await checkAccessibility(page, 'Billing with the quota banner');
  });

  test('another shop sees no banner and no count of these held emails', { skip: !OTHER_TOKEN }, async () => {
    const other = await launch(OTHER_TOKEN, OTHER_SHOP);
    try {
      assert.equal((await api('/api/billing', OTHER_TOKEN)).body.usage.held_for_quota.count, 0);
      await openScreen(other.page, 'Billing');
      await other.page.locator('#usage-emails').waitFor();
      assert.equal(await other.page.locator('#quota-held-message').count(), 0);
    } finally {
      await other.browser.close();
    }
  });
});
