// Two things a merchant sees without asking (issues #7, #8): on the Free plan, Home says that predictive insights are
// hidden and leads to the upgrade; on a customer's screen, the orders timeline loads with the screen, not behind a
// click. The other demo shop is on Free (set again here, as plans.test.mjs does, and left on Free after).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BASE, OTHER_SHOP, OTHER_TOKEN, SHOP, TOKEN, api, checkAccessibility, count, launch,
  screenshot } from './support.mjs';

function sql(statement) {
  const url = new URL((process.env.ECOMCRM_PG_URL ?? '').replace(/^jdbc:/, ''));
  return execFileSync('psql', ['-q', '-t', '-A', '-h', url.hostname, '-p', url.port || '5432', '-U',
    process.env.ECOMCRM_PG_USER ?? 'ecomcrm', '-d', url.pathname.slice(1), '-v', 'ON_ERROR_STOP=1', '-c', statement],
  { env: { ...process.env, PGPASSWORD: process.env.ECOMCRM_PG_PASSWORD ?? 'ecomcrm' }, encoding: 'utf8' });
}

function setPlan(shop, plan) {
  sql(`INSERT INTO shops (shop_domain, plan) VALUES ('${shop}', '${plan}')
       ON CONFLICT (shop_domain) DO UPDATE SET plan = '${plan}'`);
}

describe('home on the Free plan', { skip: !OTHER_TOKEN }, () => {
  let session;

  before(async () => {
    setPlan(OTHER_SHOP, 'free');
    session = await launch(OTHER_TOKEN, OTHER_SHOP);
  });

  after(async () => {
    await session?.browser.close();
    setPlan(OTHER_SHOP, 'free');
  });

  test('Home says predictive insights are hidden on Free and links to the upgrade', async () => {
    const { page } = session;
    const insights = (await api('/api/insights', OTHER_TOKEN)).body;
    assert.equal(insights.plan_required?.feature, 'predictions', 'the API marks the insights as cut by the plan');
    assert.ok(!insights.insights.some((i) => ['REVENUE_AT_RISK', 'VALUABLE_CUSTOMERS_SLIPPING'].includes(i.kind)),
      'no prediction-made finding in a Free answer');

    const hidden = page.locator('#insights-hidden');
    await hidden.waitFor();
    const text = await hidden.innerText();
    assert.match(text, /Predictive insights are hidden on your plan/);
    assert.match(text, new RegExp(`Upgrade to the ${insights.plan_required.plan.charAt(0).toUpperCase()}`
      + `${insights.plan_required.plan.slice(1)} plan`));
    await screenshot(page, '16-home-free-plan');
    await checkAccessibility(page, 'Home on Free');

    await hidden.getByRole('button', { name: 'See plans' }).click();
    await page.getByRole('heading', { name: 'Billing', level: 1 }).waitFor();
  });

  test('on a plan with predictions Home has no such notice', async () => {
    const growth = await launch(TOKEN, SHOP);
    try {
      assert.equal((await api('/api/insights')).body.plan_required, undefined);
      await growth.page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
      // Wait for the insights to be answered before looking for the notice.
      await growth.page.waitForLoadState('networkidle');
      assert.equal(await growth.page.locator('#insights-hidden').count(), 0);
    } finally {
      await growth.browser.close();
    }
  });
});

describe('orders timeline at mount', () => {
  let session;

  before(async () => {
    session = await launch();
  });

  after(async () => {
    await session?.browser.close();
  });

  test('a customer screen opened by its address shows its orders with no click', async () => {
    const { page } = session;
    const top = (await api('/api/customers?sort=monetary&order=desc&page=1&page_size=1')).body.items[0];
    const orders = (await api(`/api/customers/${top.customer_id}/orders?page=1&page_size=10`)).body;
    assert.ok(orders.total > 0, 'the biggest spender has orders');
    const asked = [];
    page.on('request', (request) => asked.push(new URL(request.url()).pathname));

    // Straight to the customer's address: no navigation click, no button pressed on the screen.
    await page.goto(`${BASE}/app/customers/${top.customer_id}?shop=${SHOP}&token=${encodeURIComponent(TOKEN)}`);
    await page.getByRole('heading', { name: `Customer ${top.customer_id}`, level: 1 }).waitFor();
    await page.locator('#orders-summary').waitFor();

    assert.ok(asked.includes(`/api/customers/${top.customer_id}/orders`), 'the orders were asked for at mount');
    assert.equal(await page.locator('#orders-summary').innerText(),
      `${count(orders.total)} orders up to ${orders.as_of_date}, newest first.`);
    const shown = await page.locator('[data-order-id]').evaluateAll((cells) => cells.map((c) => c.dataset.orderId));
    assert.deepEqual(shown, orders.items.map((o) => o.order_id), 'the API\'s first page of orders, in its order');
    assert.equal(await page.getByRole('button', { name: /show orders|load orders/i }).count(), 0);
    await checkAccessibility(page, 'Customer with its orders');
  });

  test('no screen raised a script error', () => {
    assert.deepEqual(session.problems.filter((p) => !/status of 404/.test(p)), []);
  });
});
