// The privacy policy (issue #8): Settings links to it, and the page it opens is the API server's public /privacy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, openScreen } from './support.mjs';

describe('privacy policy', () => {
  let session;

  before(async () => {
    session = await launch();
  });

  after(async () => {
    await session?.browser.close();
  });

  test('settings link to the privacy policy, which is served without a login', async () => {
    const { page, context } = session;
    await openScreen(page, 'Settings');
    const link = page.getByRole('link', { name: 'privacy policy' });
    assert.equal(await link.getAttribute('href'), `${BASE}/privacy`);
    const [policy] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await policy.waitForLoadState();
    assert.equal(new URL(policy.url()).pathname, '/privacy');
    await policy.getByRole('heading', { name: 'EcomCRM privacy policy', level: 1 }).waitFor();
    await policy.getByRole('heading', { name: 'How long it is kept', level: 2 }).waitFor();
    const response = await fetch(`${BASE}/privacy`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(response.headers.get('content-security-policy'), /^default-src 'none'; style-src 'sha256-/);
    await policy.close();
  });
});
