// The fourth step of the import (issue #3): the refunded items of refunds made before install, read after the bulk
// imports at Shopify's rate limit. When Shopify makes it wait, Home names the step in the merchant's words and says it
// continues on its own; when it failed, Home says what is imported and that it is read again. The demo shop's real
// import is finished, so a later step row is written for the test (as RefundLinesImport writes it) and removed after.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { SHOP, TOKEN, api, checkAccessibility, launch, screenshot } from './support.mjs';

function sql(statement) {
  const url = new URL((process.env.ECOMCRM_PG_URL ?? '').replace(/^jdbc:/, ''));
  return execFileSync('psql', ['-q', '-t', '-A', '-h', url.hostname, '-p', url.port || '5432', '-U',
    process.env.ECOMCRM_PG_USER ?? 'ecomcrm', '-d', url.pathname.slice(1), '-v', 'ON_ERROR_STOP=1', '-c', statement],
  { env: { ...process.env, PGPASSWORD: process.env.ECOMCRM_PG_PASSWORD ?? 'ecomcrm' }, encoding: 'utf8' });
}

const MARK = 'ui-tests-sync-progress';

function step(status, error) {
  sql(`DELETE FROM bulk_syncs WHERE shop_domain = '${SHOP}' AND landed_file = '${MARK}'`);
  sql(`INSERT INTO bulk_syncs (shop_domain, object_type, status, lines_landed, lines_rejected, started_at,
         finished_at, kind, landed_file, objects_so_far, root_objects_so_far, estimated_root_objects, error)
       VALUES ('${SHOP}', 'refund_lines', '${status}', 0, 0, now() + interval '1 day',
         ${status === 'RUNNING' ? 'NULL' : "now() + interval '1 day'"}, 'initial', '${MARK}', 30, 3, 12,
         '${error.replaceAll("'", "''")}')`);
}

describe('the refund lines step on Home', () => {
  let session;

  before(async () => {
    session = await launch(TOKEN, SHOP);
  });

  after(async () => {
    await session?.browser.close();
    sql(`DELETE FROM bulk_syncs WHERE shop_domain = '${SHOP}' AND landed_file = '${MARK}'`);
  });

  test('paused by Shopify\'s rate limit: named "Refunded items", a calm message, no failure', async () => {
    step('RUNNING', 'THROTTLED: Shopify answered THROTTLED; waiting 3 s, until 2026-11-30T10:00:03Z');
    const sync = (await api('/api/sync')).body;
    assert.equal(sync.phase, 'RUNNING');
    assert.equal(sync.objects.find((o) => o.object_type === 'refund_lines').label, 'Refunded items');

    const { page } = session;
    await page.reload();
    const message = page.locator('#sync-message-refund_lines');
    await message.waitFor();
    assert.match(await message.innerText(), /^Refunded items: Shopify limits how fast apps may read your store, so reading the items of your past refunds is paused for a moment\. It continues on its own/);
    await page.getByText('Paused by Shopify').waitFor();
    assert.equal(await page.getByText('Import failed').count(), 0);
    await screenshot(page, '23-home-sync-refunded-items-paused');
    await checkAccessibility(page, 'Home with the refund lines step paused');
  });

  test('failed: says what is imported and that the refunded items are read again', async () => {
    step('FAILED', `Cannot read the refunds of ${SHOP}: Shopify answered 3 nodes for 10 ids`);
    const { page } = session;
    await page.reload();
    const message = page.locator('#sync-message-refund_lines');
    await message.waitFor();
    const text = await message.innerText();
    assert.match(text, /^Refunded items: We could not read from Shopify which items your past refunds gave back\./);
    assert.match(text, /Your customers, orders and refund amounts are imported/);
    assert.doesNotMatch(text, /nodes for 10 ids/, 'the technical error is not shown to the merchant');
    await page.getByText('Import failed').waitFor();
  });
});
