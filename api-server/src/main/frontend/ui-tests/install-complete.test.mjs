// Opening the app completes its installation (issue #3, AUTH-02): with Shopify's managed installation Shopify installs
// the app without calling us, so the dashboard itself must ask the API for the shop's offline token and webhooks on
// load (POST /api/install/complete). For a shop already set up the answer is the stored token.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SHOP, launch } from './support.mjs';

describe('opening the app', () => {
  let session;

  before(async () => {
    session = await launch();
  });

  after(async () => {
    await session?.browser.close();
  });

  test('asks the API to complete the installation, once per load', async () => {
    const { page } = session;
    // Answered through a route, so the body is read before the page goes on, and only calls made by the reload below
    // count (the first load's call may still be in flight when the test starts).
    const calls = [];
    await page.route('**/api/install/complete', async (route) => {
      const response = await route.fetch();
      calls.push({ method: route.request().method(), authorization: route.request().headers().authorization ?? '',
        status: response.status(), body: await response.json() });
      await route.fulfill({ response });
    });
    await page.reload();
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    for (let waited = 0; calls.length === 0 && waited < 10_000; waited += 100) {
      await page.waitForTimeout(100);
    }
    await page.waitForTimeout(500); // room for a second call, which must not come
    await page.unroute('**/api/install/complete');

    assert.equal(calls.length, 1, 'one call per load');
    const [call] = calls;
    assert.equal(call.method, 'POST');
    assert.match(call.authorization, /^Bearer ./, 'sent with the session token');
    assert.equal(call.status, 200);
    assert.equal(call.body.shop, SHOP);
    assert.equal(call.body.token, 'STORED', 'the demo shop already holds an offline token: nothing is exchanged');
    assert.equal(typeof call.body.webhooks.reconciled, 'boolean');
  });
});
