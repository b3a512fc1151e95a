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
    const calls = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/install/complete') {
        calls.push(request.method());
      }
    });
    const answered = page.waitForResponse((response) =>
      new URL(response.url()).pathname === '/api/install/complete');
    await page.reload();
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    const response = await answered;

    assert.equal(response.request().method(), 'POST');
    assert.match(response.request().headers().authorization ?? '', /^Bearer ./, 'sent with the session token');
    assert.equal(response.status(), 200);
    const body = await response.json();
    assert.equal(body.shop, SHOP);
    assert.equal(body.token, 'STORED', 'the demo shop already holds an offline token: nothing is exchanged');
    assert.equal(typeof body.webhooks.reconciled, 'boolean');
    assert.deepEqual(calls, ['POST'], 'one call per load');
  });
});
