// The orders timeline on the Customer screen, money in the shop's currency and times in the shop's time zone (issue #7).
// The demo shop's currency is set to EUR and its time zone to Asia/Tokyo (UTC+9, far from the browser's UTC) in
// PostgreSQL for this file (and put back after), so an amount shown in dollars or a time shown in UTC would be caught.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { SHOP, api, checkAccessibility, count, launch, money, openScreen, screenshot } from './support.mjs';

const CURRENCY = 'EUR';
const TIME_ZONE = 'Asia/Tokyo';

/** "2026-11-29 23:30" in the given zone, built from the platform's zone data (not the dashboard's code). */
function localMinute(iso, timeZone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(iso))
    .map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** psql on the database the API under test uses (bin/ui-tests exports ECOMCRM_PG_*). */
function sql(statement, ...values) {
  const url = new URL((process.env.ECOMCRM_PG_URL ?? '').replace(/^jdbc:/, ''));
  const args = ['-qtAX', '-h', url.hostname, '-p', url.port || '5432', '-U', process.env.ECOMCRM_PG_USER ?? 'ecomcrm',
    '-d', url.pathname.slice(1), '-v', 'ON_ERROR_STOP=1'];
  values.forEach((value, i) => args.push('-v', `v${i + 1}=${value}`));
  return execFileSync('psql', args, { input: statement, encoding: 'utf8',
    env: { ...process.env, PGPASSWORD: process.env.ECOMCRM_PG_PASSWORD ?? 'ecomcrm' } }).trim();
}

describe('orders timeline and shop currency', () => {
  let session;
  let page;
  let previous;

  before(async () => {
    previous = sql("SELECT coalesce(currency, '') || '|' || coalesce(timezone, '') FROM shops WHERE shop_domain = :'v1'",
      SHOP).split('|');
    sql("INSERT INTO shops (shop_domain, currency, timezone) VALUES (:'v1', :'v2', :'v3') "
      + 'ON CONFLICT (shop_domain) DO UPDATE SET currency = EXCLUDED.currency, timezone = EXCLUDED.timezone',
      SHOP, CURRENCY, TIME_ZONE);
    session = await launch();
    page = session.page;
  });

  after(async () => {
    await session?.browser.close();
    if (previous !== undefined) {
      sql("UPDATE shops SET currency = nullif(:'v2', ''), timezone = nullif(:'v3', '') WHERE shop_domain = :'v1'",
        SHOP, previous[0] ?? '', previous[1] ?? '');
    }
  });

  test('GET /api/shop names the shop, its currency and its time zone', async () => {
    const shop = (await api('/api/shop')).body;
    assert.equal(shop.domain, SHOP);
    assert.equal(shop.currency, CURRENCY);
    assert.equal(shop.time_zone, TIME_ZONE);
  });

  test('the customer screen lists the API\'s orders, newest first, with refunds and cancellations', async () => {
    const top = (await api('/api/customers?sort=monetary&order=desc&page=1&page_size=50')).body.items[0];
    const orders = (await api(`/api/customers/${top.customer_id}/orders?page=1&page_size=10`)).body;
    assert.ok(orders.total > 0, 'the biggest spender has orders');
    await openScreen(page, 'Customers');
    await page.waitForFunction((id) => document.querySelector('.Polaris-IndexTable__TableRow')?.textContent
      ?.startsWith(id), top.customer_id);
    await page.locator('.Polaris-IndexTable__TableRow').first().click();
    await page.getByRole('heading', { name: `Customer ${top.customer_id}`, level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Orders', level: 2 }).waitFor();
    await page.locator('#orders-summary').waitFor();
    assert.equal(await page.locator('#orders-summary').innerText(),
      `${count(orders.total)} orders up to ${orders.as_of_date}, newest first.`);
    const shown = await page.locator('[data-order-id]').evaluateAll((cells) => cells.map((c) => c.dataset.orderId));
    assert.deepEqual(shown, orders.items.map((o) => o.order_id), 'the same orders in the same order');
    for (const order of orders.items) {
      assert.equal(await page.locator(`[data-order-total="${order.order_id}"]`).innerText(), money(order.total, CURRENCY));
      assert.equal(await page.locator(`[data-order-net="${order.order_id}"]`).innerText(), money(order.net, CURRENCY));
      assert.equal(await page.locator(`[data-order-refunded="${order.order_id}"]`).innerText(),
        Number(order.refunded) > 0 ? money(order.refunded, CURRENCY) : '—');
      const row = await page.locator('tr', { has: page.locator(`[data-order-id="${order.order_id}"]`) }).innerText();
      // The shop's local minute, not the UTC one: nine hours apart, so a time shown in UTC fails here.
      assert.ok(row.startsWith(localMinute(order.processed_at, TIME_ZONE)),
        `order ${order.name} placed ${order.processed_at} shown as ${row.slice(0, 16)}, expected Tokyo time`);
      assert.equal(row.includes('Cancelled'), order.cancelled, `order ${order.name} cancelled: ${order.cancelled}`);
    }
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(money(top.monetary, CURRENCY)), 'total spent in the shop currency');
    assert.ok(money(1, CURRENCY).includes('€'));
    assert.ok(!text.includes('$'), 'no amount in dollars on a euro shop');
    if (orders.total > orders.page_size) {
      const older = (await api(`/api/customers/${top.customer_id}/orders?page=2&page_size=10`)).body;
      await page.getByRole('button', { name: 'Older orders' }).click();
      await page.waitForFunction((id) => document.querySelector('[data-order-id]')?.getAttribute('data-order-id') === id,
        older.items[0].order_id);
    }
    await screenshot(page, '05b-customer-orders');
    await checkAccessibility(page, 'Customer orders');
  });

  test('segment cards show the server\'s average predicted value in the shop currency', async () => {
    const segments = (await api('/api/segments')).body;
    await openScreen(page, 'Segments');
    for (const segment of segments.segments) {
      const cell = page.locator(`[data-segment-clv="${segment.key}"]`);
      await cell.waitFor();
      const shown = await cell.innerText();
      if (segment.average_clv_12m === null) {
        assert.equal(shown, '—', `${segment.name} has no prediction`);
      } else {
        assert.ok(shown.startsWith(money(segment.average_clv_12m, CURRENCY)), `${segment.name}: ${shown}`);
      }
      assert.equal(await page.locator(`[data-segment-revenue="${segment.key}"]`).innerText(),
        money(segment.revenue, CURRENCY));
    }
    assert.ok(segments.segments.some((s) => s.average_clv_12m !== null), 'the demo shop has predictions');
    await screenshot(page, '02c-segments-currency');
  });

  test('a customer without orders shows what happens next', async () => {
    // A prospect has no counted order, but may have a cancelled or refunded one: take one with none at all.
    const prospects = (await api('/api/customers?segment=PROSPECTS&page=1&page_size=20')).body.items;
    let id = null;
    let orders = null;
    for (const prospect of prospects) {
      const answer = (await api(`/api/customers/${prospect.customer_id}/orders`)).body;
      if (answer.total === 0) {
        id = prospect.customer_id;
        orders = answer;
        break;
      }
    }
    if (id === null) return;
    await page.evaluate((path) => { window.history.pushState({}, '', path); window.dispatchEvent(new PopStateEvent('popstate')); },
      `/app/customers/${id}`);
    await page.getByRole('heading', { name: `Customer ${id}`, level: 1 }).waitFor();
    await page.getByText(`No orders from this customer up to ${orders.as_of_date}.`, { exact: false }).waitFor();
  });

  test('no screen raised a script error', () => {
    assert.deepEqual(session.problems.filter((p) => !/status of 404/.test(p)), []);
  });
});
