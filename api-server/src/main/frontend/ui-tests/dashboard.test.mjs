// Every screen of the dashboard against the real api-server with demo data: the numbers on screen are the numbers
// the API gives the same session token, the main actions work, axe finds nothing serious, screenshots are kept.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { OTHER_SHOP, OTHER_TOKEN, api, available, checkAccessibility, count, launch, literal, money, nextAnswer,
  openScreen, screenshot } from './support.mjs';

describe('dashboard', () => {
  let session;
  let page;

  before(async () => {
    session = await launch();
    page = session.page;
  });

  after(async () => {
    await session?.browser.close();
  });

  test('home shows the KPIs of the last nightly run', async () => {
    const kpis = (await api('/api/kpis')).body;
    assert.equal(kpis.status, 'READY', 'the demo shop has KPIs');
    await page.locator('#kpi-revenue').waitFor();
    assert.equal(await page.locator('#kpi-revenue').innerText(), money(kpis.totals.revenue));
    assert.equal(await page.locator('#kpi-orders').innerText(), count(kpis.totals.orders));
    assert.equal(await page.locator('#kpi-aov').innerText(), money(kpis.totals.aov));
    await page.getByRole('img', { name: 'Revenue and orders per day' }).waitFor();
    const lastDay = kpis.days[kpis.days.length - 1];
    const firstRow = page.locator('.Polaris-DataTable__TableRow').first();
    assert.match(await firstRow.innerText(), new RegExp(`${lastDay.date}\\s+${count(lastDay.orders)}\\s+`
      + `${literal(money(lastDay.revenue))}`));
    const insights = await api('/api/insights');
    if (insights.status === 200) {
      const open = insights.body.insights.filter((i) => i.state !== 'DISMISSED' && i.state !== 'DONE')
        .sort((a, b) => a.rank - b.rank);
      if (open.length === 0) {
        await page.getByText('No open insights.', { exact: false }).waitFor();
      } else {
        await page.getByRole('heading', { name: open[0].title, level: 3 }).waitFor();
      }
    }
    await screenshot(page, '01-home');
    await checkAccessibility(page, 'Home');
  });

  test('segments show every segment with the API numbers, the grid and the movement', async () => {
    const segments = (await api('/api/segments')).body;
    await openScreen(page, 'Segments');
    for (const segment of segments.segments) {
      assert.equal(await page.locator(`[data-segment-revenue="${segment.key}"]`).innerText(), money(segment.revenue),
        `${segment.name} revenue`);
      await page.getByText(`${count(segment.customers)} customers`, { exact: true }).first().waitFor();
    }
    assert.ok(await page.getByRole('table', { name: /Segments by recency/ }).isVisible());
    const movement = (await api('/api/segments/movement')).body;
    assert.equal(movement.status, 'READY', 'two nightly runs were published');
    const summary = page.locator('#movement-summary');
    await summary.waitFor();
    assert.equal(await summary.innerText(), `${count(movement.moved_customers)} of ${count(movement.total_customers)}`
      + ` customers changed segment from ${movement.from} to ${movement.to}.`);
    await page.getByRole('img', { name: /Customers moving between segments/ }).waitFor();
    await screenshot(page, '02-segments');
    await checkAccessibility(page, 'Segments');
  });

  test('customers: list, filters, paging and CSV export match the API', async () => {
    const all = (await api('/api/customers?sort=monetary&order=desc&page=1&page_size=50')).body;
    await openScreen(page, 'Customers');
    await page.locator('#customers-total').waitFor();
    assert.match(await page.locator('#customers-total').innerText(), new RegExp(`^${count(all.total)} customers`));
    const firstRow = page.locator('.Polaris-IndexTable__TableRow').first();
    assert.match(await firstRow.innerText(), new RegExp(`^${all.items[0].customer_id}\\s`));
    await screenshot(page, '03-customers');
    await checkAccessibility(page, 'Customers');

    // Filter by segment and churn risk: the page asks the API exactly that and shows its total.
    const atRisk = (await api('/api/customers?segment=AT_RISK&churn_risk=HIGH&sort=monetary&order=desc'
      + '&page=1&page_size=50')).body;
    let answer = nextAnswer(page, '/api/customers?segment=AT_RISK&churn_risk=HIGH');
    await page.getByLabel('Segment').selectOption('AT_RISK');
    await page.getByLabel('Churn risk').selectOption('HIGH');
    await answer;
    await page.waitForFunction((total) => document.querySelector('#customers-total')?.textContent
      ?.startsWith(total + ' customers') || (total === '0' && document.body.innerText.includes('No customers match')),
      count(atRisk.total));

    // A value range on the predicted CLV.
    const ranged = (await api('/api/customers?segment=AT_RISK&churn_risk=HIGH&clv_min=10&sort=monetary&order=desc'
      + '&page=1&page_size=50')).body;
    answer = nextAnswer(page, '/api/customers?segment=AT_RISK&churn_risk=HIGH&clv_min=10');
    await page.getByLabel('12-month value from').fill('10');
    await answer;
    await page.waitForFunction((total) => document.querySelector('#customers-total')?.textContent
      ?.startsWith(total + ' customers') || (total === '0' && document.body.innerText.includes('No customers match')),
      count(ranged.total));
    await screenshot(page, '04-customers-filtered');

    // A malformed amount is refused by the server and shown on the field, with the server's words.
    await page.getByLabel('12-month value from').fill('ten');
    await page.getByText(/is not an amount such as 150 or 149.99/).waitFor();
    await page.getByLabel('12-month value from').fill('10');
    await page.waitForFunction(() => !document.body.innerText.includes('is not an amount'));

    // The export carries the same filters: its rows are the filtered customers.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: /Export CSV of the customers matching these filters/ }).click();
    const file = await download;
    assert.match(file.suggestedFilename(), /^customers-.*\.csv$/);
    const csv = readFileSync(await file.path(), 'utf8').trim().split('\n');
    assert.equal(csv.length - 1, ranged.total, 'one CSV row per filtered customer');

    // Paging over the unfiltered list.
    await page.getByLabel('Segment').selectOption('');
    await page.getByLabel('Churn risk').selectOption('');
    answer = nextAnswer(page, '/api/customers?sort=monetary&order=desc&page=1');
    await page.getByLabel('12-month value from').fill('');
    await answer;
    const second = (await api('/api/customers?sort=monetary&order=desc&page=2&page_size=50')).body;
    answer = nextAnswer(page, '/api/customers?sort=monetary&order=desc&page=2');
    await page.getByRole('button', { name: 'Next page' }).click();
    await answer;
    await page.waitForFunction((id) => document.querySelector('.Polaris-IndexTable__TableRow')?.textContent
      ?.startsWith(id), second.items[0].customer_id);
  });

  test('a customer shows purchases, predictions with their range, and history', async () => {
    const top = (await api('/api/customers?sort=clv_12m&order=desc&page_size=1')).body.items[0];
    const detail = (await api(`/api/customers/${top.customer_id}`)).body;
    await page.getByLabel('Sort by').selectOption('clv_12m');
    await page.waitForFunction((id) => document.querySelector('.Polaris-IndexTable__TableRow')?.textContent
      ?.startsWith(id), top.customer_id);
    await page.locator('.Polaris-IndexTable__TableRow').first().click();
    await page.getByRole('heading', { name: `Customer ${top.customer_id}`, level: 1 }).waitFor();
    await page.getByText('Predicted 12-month value', { exact: true }).waitFor();
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(money(detail.customer.monetary)), 'total spent');
    assert.ok(text.includes(money(detail.customer.predictions.clv_12m.value)), 'predicted CLV');
    assert.ok(text.includes(`${money(detail.customer.predictions.clv_12m.low)} to `
      + `${money(detail.customer.predictions.clv_12m.high)}`), 'its interval');
    assert.ok(text.includes(detail.rfm_history[detail.rfm_history.length - 1].segment_name));
    await screenshot(page, '05-customer');
    await checkAccessibility(page, 'Customer');
  });

  test('another shop\'s session sees that shop\'s numbers, never these', { skip: !OTHER_TOKEN }, async () => {
    const mine = (await api('/api/segments')).body;
    const theirs = (await api('/api/segments', OTHER_TOKEN)).body;
    assert.notEqual(theirs.shop, mine.shop);
    const other = await launch(OTHER_TOKEN, OTHER_SHOP);
    try {
      await openScreen(other.page, 'Segments');
      for (const segment of theirs.segments) {
        assert.equal(await other.page.locator(`[data-segment-revenue="${segment.key}"]`).innerText(),
          money(segment.revenue), `${theirs.shop} ${segment.name} revenue`);
      }
      const differing = theirs.segments.filter((s) => s.revenue !== mine.segments.find((m) => m.key === s.key)?.revenue);
      assert.ok(differing.length > 0, 'the two demo shops have different numbers, so the check above means something');
      await screenshot(other.page, '02b-segments-other-shop');
    } finally {
      await other.browser.close();
    }
  });

  test('billing shows the plan, usage against quota and the plans', async () => {
    const billing = (await api('/api/billing')).body;
    await openScreen(page, 'Billing');
    await page.locator('#usage-emails').waitFor();
    assert.equal(await page.locator('#usage-emails').innerText(),
      `${count(billing.usage.emails_sent)} of ${count(billing.usage.emails_limit)}`);
    assert.equal(await page.locator('#usage-contacts').innerText(),
      `${count(billing.usage.contacts)} of ${count(billing.usage.contacts_limit)}`);
    for (const plan of billing.plans) {
      await page.getByRole('heading', { name: plan.display_name, level: 3 }).waitFor();
    }
    await screenshot(page, '06-billing');
    await checkAccessibility(page, 'Billing');
  });

  test('flows: list with counts, toggle one on and off', async (t) => {
    await openScreen(page, 'Flows');
    if (!(await available('/api/flows'))) {
      await page.getByText('Flows is not available yet').waitFor();
      await screenshot(page, '07-flows');
      t.skip('GET /api/flows is not deployed on this server yet');
      return;
    }
    const flows = (await api('/api/flows')).body.flows;
    assert.ok(flows.length > 0, 'the flow library exists');
    const flow = flows[0];
    await page.getByRole('heading', { name: flow.name, level: 2 }).waitFor();
    await screenshot(page, '07-flows');
    await checkAccessibility(page, 'Flows');
    const toggle = page.getByRole('button', { name: `${flow.enabled ? 'Turn off' : 'Turn on'} ${flow.name}` });
    const patched = page.waitForResponse((r) => r.request().method() === 'PATCH');
    await toggle.click();
    const answer = await patched;
    if (answer.status() >= 400) {
      // The server may refuse to turn on a flow without a template: the screen must say why.
      const body = await answer.json();
      await page.getByText(body.error.message).waitFor();
      return;
    }
    await page.getByRole('button', { name: `${flow.enabled ? 'Turn on' : 'Turn off'} ${flow.name}` }).waitFor();
    assert.equal((await api('/api/flows')).body.flows.find((f) => f.id === flow.id).enabled, !flow.enabled);
    await page.getByRole('button', { name: `${flow.enabled ? 'Turn on' : 'Turn off'} ${flow.name}` }).click();
    await page.getByRole('button', { name: `${flow.enabled ? 'Turn off' : 'Turn on'} ${flow.name}` }).waitFor();
    assert.equal((await api('/api/flows')).body.flows.find((f) => f.id === flow.id).enabled, flow.enabled);
  });

  test('templates: create, save with a deliberate error, fix it, see the new version', async (t) => {
    await openScreen(page, 'Templates');
    if (!(await available('/api/templates'))) {
      await page.getByText('Email templates is not available yet').waitFor();
      await screenshot(page, '08-templates');
      t.skip('GET /api/templates is not deployed on this server yet');
      return;
    }
    await checkAccessibility(page, 'Templates');
    const name = `UI test ${Date.now()}`;
    await page.getByRole('button', { name: 'New template' }).first().click();
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Subject', { exact: true }).fill('We miss you, ${customer.first_name}');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    const created = (await api('/api/templates')).body.templates.find((x) => x.name === name);
    assert.ok(created, 'the template was created');

    // Merge-tag completion offers the server's tags after "${" (FreeMarker interpolation).
    const editor = page.locator('.cm-content');
    await editor.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('<p>${cust');
    await page.keyboard.press('Control+Space');
    await page.locator('.cm-tooltip-autocomplete').getByText('customer.first_name').first().waitFor();
    await page.keyboard.press('Escape');
    await screenshot(page, '09-template-completion');

    // The deliberate error: an unclosed interpolation (insertText: typed text would get its braces closed).
    await page.keyboard.press('Control+a');
    await page.keyboard.insertText('<p>Hi ${customer.first_name </p>\n');
    const rejected = page.waitForResponse((r) => r.request().method() === 'PUT');
    await page.getByRole('button', { name: 'Save' }).click();
    const refusal = await rejected;
    assert.equal(refusal.status(), 422, 'an unclosed ${ is refused');
    const body = await refusal.json();
    assert.ok(body.problems.length > 0, 'the refusal says where');
    await page.getByText('The template was not saved').waitFor();
    // FreeMarker's messages span lines; the page shows them as flowing text, so compare with whitespace collapsed.
    const flat = (text) => text.replace(/\s+/g, ' ').trim();
    const problems = flat(await page.getByTestId('template-problems').innerText());
    for (const problem of body.problems) {
      const expected = flat(`Line ${problem.line}, column ${problem.column}: ${problem.message}`);
      assert.ok(problems.includes(expected), `the page lists "${expected}"; it shows "${problems}"`);
    }
    await page.locator('.cm-lintRange-error').first().waitFor();
    await screenshot(page, '10-template-error');
    assert.equal((await api(`/api/templates/${created.id}`)).body.version, created.version, 'nothing saved');
    const before = (await api(`/api/templates/${created.id}`)).body.version;

    // Fixed: saved as the next version.
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+a');
    await page.keyboard.insertText('<p>Hi ${customer.first_name}</p>\n');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(`Saved as version ${before + 1}.`).waitFor();
    const saved = (await api(`/api/templates/${created.id}`)).body;
    assert.equal(saved.version, before + 1);
    assert.equal(saved.bodyHtml, '<p>Hi ${customer.first_name}</p>\n');
    await page.getByRole('button', { name: `Load version ${saved.version} into the editor` }).waitFor();
    await screenshot(page, '10-template-saved');
    await checkAccessibility(page, 'Template editor');

    if (await available(`/api/templates/${created.id}/test-send`)) {
      await page.getByLabel('Send to').fill('merchant@example.com');
      await page.getByRole('button', { name: 'Send test email' }).click();
      await page.getByText(/Test email queued for merchant@example.com|could not|Cannot/).waitFor();
    }
  });

  test('email performance shows the totals of the period', async (t) => {
    const to = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 29 * 86400000).toISOString().slice(0, 10);
    const perf = await api(`/api/email-performance?from=${from}&to=${to}`);
    await openScreen(page, 'Email performance');
    if (!(await available(`/api/email-performance?from=${from}&to=${to}`))) {
      await page.getByText('Email performance is not available yet').waitFor();
      t.skip('GET /api/email-performance is not deployed on this server yet');
    } else if (perf.status !== 200) {
      // Whatever the server says goes on screen, with a way to try again.
      t.diagnostic(`GET /api/email-performance answered ${perf.status}: ${perf.text}`);
      await page.getByText(perf.body.error.message).waitFor();
      await page.getByRole('button', { name: 'Try again' }).waitFor();
    } else if (perf.body.totals.sent === 0) {
      await page.getByText('No emails sent in this period').waitFor();
    } else {
      await page.getByText(count(perf.body.totals.sent), { exact: true }).first().waitFor();
    }
    await screenshot(page, '11-email-performance');
    await checkAccessibility(page, 'Email performance');
  });

  test('settings show the sender domain and the sending settings', async (t) => {
    await openScreen(page, 'Settings');
    await page.getByText(/Sender domain/).first().waitFor();
    await screenshot(page, '12-settings');
    const settings = await api('/api/settings');
    if (!(await available('/api/settings'))) {
      await page.getByText('Sending settings is not available yet').waitFor();
      t.skip('GET /api/settings is not deployed on this server yet');
    } else if (settings.status !== 200) {
      t.diagnostic(`GET /api/settings answered ${settings.status}: ${settings.text}`);
      await page.getByText(settings.body.error.message).waitFor();
    } else {
      assert.equal(await page.getByLabel('Time zone').inputValue(), settings.body.timezone ?? '');
      assert.equal(await page.getByLabel('Sender name').inputValue(), settings.body.fromName ?? '');
    }
    const domain = await api('/api/sender-domain');
    if (domain.status === 200 && domain.body.domain === null) {
      await page.getByText('No sender domain yet', { exact: false }).waitFor();
    }
    if (settings.status === 200 && domain.status === 200) {
      // The own From address is offered only at a verified domain; before that, the page says what to do first.
      if (domain.body.status === 'VERIFIED') {
        await page.getByLabel('From address').waitFor();
      } else {
        await page.getByText('verify your sender domain first', { exact: false }).waitFor();
        assert.equal(await page.getByLabel('From address').count(), 0, 'no From address field before verification');
      }
      await page.getByLabel('Postal address').waitFor();
    }
    await checkAccessibility(page, 'Settings');
  });

  test('no screen raised a script error', () => {
    assert.deepEqual(session.problems.filter((p) => !/status of 404/.test(p)), []);
  });
});
