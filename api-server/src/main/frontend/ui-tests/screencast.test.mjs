// The review screencast (issue #8, App Store requirement 4.5.x: a demo of the set-up and the main features): one
// recorded browser tab at 1600 x 900 that installs the app on a store that never had it (authorization-code grant
// against the Shopify simulator, then the first import's progress on Home) and walks the demo store through Home,
// Segments, a customer, a flow switched on with its template (preview, test send), email performance, billing and
// settings. Captions are an overlay the spec injects; each says what is on screen, and every number in it is read from
// the API with the page's own session token and checked against the screen before the caption is shown.
//
// The video lands in api-server/target/ui-screenshots/screencast/ecomcrm-screencast.webm (bin/ui-tests prints where).
// Recording needs ffmpeg: bin/ui-tests installs Debian's and points playwright-core at it (PLAYWRIGHT_BROWSERS_PATH).
// The test send is delivered to a mail server the spec runs on UI_SMTP_PORT (the API's ECOMCRM_SMTP_PORT).
// UI_SCREENCAST_PAUSE_MS sets how long each caption stays (default 2500 ms).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { BASE, LOCALE, SHOP, TOKEN, api, count, literal, money, openScreen } from './support.mjs';
import { ICON_SVG } from './app-icon.mjs';
import { startSmtpSink } from './smtp-sink.mjs';

const NEW_SHOP = process.env.UI_NEW_SHOP ?? '';
const NEW_TOKEN = process.env.UI_NEW_TOKEN ?? '';
const SMTP_PORT = Number(process.env.UI_SMTP_PORT ?? 0);
const CLIENT_ID = process.env.SHOPIFY_API_KEY ?? '';
const CLIENT_SECRET = process.env.SHOPIFY_API_SECRET ?? '';
const OUTPUT = join(process.env.UI_SCREENSHOTS ?? 'ui-screenshots', 'screencast');
export const VIDEO = join(OUTPUT, 'ecomcrm-screencast.webm');
const SIZE = { width: 1600, height: 900 };
const PAUSE_MS = Number(process.env.UI_SCREENCAST_PAUSE_MS ?? 2500);
const TEMPLATE_NAME = 'Welcome email';
const missing = !NEW_SHOP || !NEW_TOKEN || !CLIENT_SECRET || !SMTP_PORT
  ? 'UI_NEW_SHOP, UI_NEW_TOKEN, UI_SMTP_PORT and SHOPIFY_API_SECRET come from bin/ui-tests' : false;

/** An API call other than GET, with the same session token as the page. */
async function send(method, path, body, token = TOKEN) {
  const response = await fetch(BASE + path, { method, body: JSON.stringify(body),
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Shopify's signed query (lowercase hex HMAC-SHA256 of the sorted parameters), as Shopify opens the install URL. */
function signedInstallUrl(shop) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const hmac = createHmac('sha256', CLIENT_SECRET).update(`shop=${shop}&timestamp=${timestamp}`).digest('hex');
  return `${BASE}/auth/install?shop=${encodeURIComponent(shop)}&timestamp=${timestamp}&hmac=${hmac}`;
}

describe('review screencast', { skip: missing }, () => {
  let browser;
  let context;
  let page;
  let welcome;
  let mail;
  const captions = [];
  const problems = [];

  before(async () => {
    rmSync(OUTPUT, { recursive: true, force: true });
    mkdirSync(OUTPUT, { recursive: true });
    mail = await startSmtpSink(SMTP_PORT);
    browser = await chromium.launch({
      executablePath: process.env.UI_CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    context = await browser.newContext({ locale: LOCALE, timezoneId: 'UTC', viewport: SIZE,
      recordVideo: { dir: OUTPUT, size: SIZE } });
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  });

  after(async () => {
    // The demo store is left as the other specs found it: the flow off and without the template.
    if (welcome) await send('PATCH', `/api/flows/${welcome.id}`, { enabled: false, templateId: 0 });
    await context?.close().catch(() => {});
    await browser?.close();
    await mail?.close();
  });

  /** Shows a caption over the app (outside its React root, so no screen re-render removes it) and holds it. */
  async function caption(text) {
    captions.push(text);
    await page.evaluate((line) => {
      let box = document.getElementById('ecomcrm-screencast-caption');
      if (!box) {
        box = document.createElement('div');
        box.id = 'ecomcrm-screencast-caption';
        box.setAttribute('aria-hidden', 'true');
        Object.assign(box.style, { position: 'fixed', left: '50%', bottom: '32px', transform: 'translateX(-50%)',
          maxWidth: '1240px', padding: '14px 26px', borderRadius: '10px', background: 'rgba(17, 24, 39, 0.92)',
          color: '#ffffff', font: '500 22px/1.45 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif',
          boxShadow: '0 6px 24px rgba(0, 0, 0, 0.35)', zIndex: '2147483647', pointerEvents: 'none',
          textAlign: 'center' });
        document.body.appendChild(box);
      }
      box.textContent = line;
    }, text);
    assert.equal(await page.locator('#ecomcrm-screencast-caption').innerText(), text);
    await page.waitForTimeout(PAUSE_MS);
  }

  /** Opens a screen by the navigation menu, taking the last caption down first: it spoke of the screen left. */
  async function screen(label) {
    await page.evaluate(() => document.getElementById('ecomcrm-screencast-caption')?.remove());
    await openScreen(page, label);
  }

  test('install: permissions, straight into the app, the first import on Home', async () => {
    const handle = NEW_SHOP.replace(/\.myshopify\.com$/, '');
    const before = (await api('/api/sync', NEW_TOKEN)).body;
    assert.notEqual(before.phase, 'COMPLETED', `${NEW_SHOP} has never been installed`);

    const icon = `data:image/svg+xml;base64,${readFileSync(ICON_SVG).toString('base64')}`;
    await page.setContent(`<!doctype html><html><body style="margin:0;height:100vh;display:flex;align-items:center;
      justify-content:center;background:#f1f2f4"><img src="${icon}" alt="" width="240" height="240"
      style="border-radius:48px"></body></html>`);
    await caption(`Installing EcomCRM on ${NEW_SHOP}, a store that never had it. Shopify asks the merchant to `
      + 'approve reading customers and orders (the Shopify simulator approves at once).');

    // The install's redirects, hop by hop with the tab's own cookie jar (playwright does not let a route stop a
    // redirect chain): the signed install URL, Shopify's grant screen (the simulator's, which approves at once), the
    // app's callback, and the App Home in Shopify admin, which is not here: the tab opens the app page admin frames.
    const hop = async (url) => {
      const answer = await context.request.get(url, { maxRedirects: 0 });
      assert.equal(answer.status(), 302, `${url} answers ${answer.status()}: ${await answer.text()}`);
      return answer.headers().location;
    };
    const grant = await hop(signedInstallUrl(NEW_SHOP));
    assert.match(grant, new RegExp(`/shops/${NEW_SHOP.replace(/\./g, '\\.')}/admin/oauth/authorize\\?client_id=`
      + `${CLIENT_ID}&scope=read_customers%2Cread_orders&redirect_uri=`));
    const callback = await hop(grant);
    assert.ok(callback.startsWith(`${BASE}/auth/callback?`), callback);
    const appHome = await hop(callback);
    assert.equal(appHome, `https://admin.shopify.com/store/${handle}/apps/${CLIENT_ID}/`,
      'after the permissions the merchant goes straight to the app (requirement 2.3.3)');
    await page.goto(`${BASE}/app/?shop=${encodeURIComponent(NEW_SHOP)}&token=${encodeURIComponent(NEW_TOKEN)}`);
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();

    // Home asks /api/sync on its own: the card shows once that answer is in, unless the import was already done.
    const progress = page.getByRole('heading', { name: 'Importing your store', level: 2 });
    if (await progress.waitFor({ timeout: 5000 }).then(() => true, () => false)) {
      const shown = Number((await page.getByText(/records imported so far/).innerText())
        .match(/([\d,]+) records imported so far/)[1].replace(/,/g, ''));
      const now = (await api('/api/sync', NEW_TOKEN)).body;
      assert.ok(shown <= now.objects_so_far, `Home shows ${shown} records, the API counts ${now.objects_so_far}`);
      await caption(`Authenticated at once: the app holds the store's token, registered its webhooks and started `
        + `the first import. Home shows its progress: ${count(shown)} records so far.`);
    }
    let sync = (await api('/api/sync', NEW_TOKEN)).body;
    for (let waited = 0; sync.phase !== 'COMPLETED' && waited < 180; waited++) {
      assert.notEqual(sync.phase, 'FAILED', JSON.stringify(sync));
      await page.waitForTimeout(1000);
      sync = (await api('/api/sync', NEW_TOKEN)).body;
    }
    assert.equal(sync.phase, 'COMPLETED', 'the first import finishes');
    await page.reload();
    await page.getByText('Your numbers arrive after the first nightly run').waitFor();
    assert.equal(await progress.count(), 0, 'no progress card once the import is done');
    await caption(`The first import is done: ${count(sync.objects_so_far)} records of ${NEW_SHOP}. Segments, `
      + 'predictions and KPIs follow after the first nightly run; the demo store below has had its nights.');
  });

  test('home: KPIs of the last nightly run', async () => {
    await page.goto(`${BASE}/app/?shop=${encodeURIComponent(SHOP)}&token=${encodeURIComponent(TOKEN)}`);
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    const kpis = (await api('/api/kpis')).body;
    assert.equal(kpis.status, 'READY');
    await page.locator('#kpi-revenue').waitFor();
    assert.equal(await page.locator('#kpi-revenue').innerText(), money(kpis.totals.revenue));
    assert.equal(await page.locator('#kpi-orders').innerText(), count(kpis.totals.orders));
    await page.getByRole('img', { name: 'Revenue and orders per day' }).waitFor();
    await caption(`Home: ${money(kpis.totals.revenue)} of revenue from ${count(kpis.totals.orders)} orders `
      + `between ${kpis.from} and ${kpis.to}, from the last nightly run, with the night's insights below.`);
  });

  test('segments: who the customers are and how they moved', async () => {
    await screen('Segments');
    const segments = (await api('/api/segments')).body.segments;
    const top = [...segments].sort((a, b) => Number(b.revenue) - Number(a.revenue))[0];
    assert.equal(await page.locator(`[data-segment-revenue="${top.key}"]`).innerText(), money(top.revenue));
    await caption(`Segments: every customer in a segment merchants know. ${top.name}: `
      + `${count(top.customers)} customers, ${money(top.revenue)} of revenue.`);
    const movement = (await api('/api/segments/movement')).body;
    const summary = page.locator('#movement-summary');
    await summary.scrollIntoViewIfNeeded();
    assert.equal(await summary.innerText(), `${count(movement.moved_customers)} of ${count(movement.total_customers)}`
      + ` customers changed segment from ${movement.from} to ${movement.to}.`);
    await caption(`Movement: ${count(movement.moved_customers)} customers changed segment between `
      + `${movement.from} and ${movement.to}.`);
  });

  test('a customer: history and predicted value', async () => {
    await screen('Customers');
    const first = (await api('/api/customers?sort=monetary&order=desc&page=1&page_size=50')).body.items[0];
    const row = page.locator('.Polaris-IndexTable__TableRow').first();
    await page.waitForFunction((id) => document.querySelector('.Polaris-IndexTable__TableRow')?.textContent
      ?.startsWith(id), first.customer_id);
    await caption('Customers: the whole list with segment, value and predictions; filters and a CSV export.');
    await row.click();
    await page.getByRole('heading', { name: `Customer ${first.customer_id}`, level: 1 }).waitFor();
    // The loading page carries the same heading: wait for the loaded card before reading the screen.
    await page.getByText('Predicted 12-month value', { exact: true }).waitFor();
    const detail = (await api(`/api/customers/${first.customer_id}`)).body.customer;
    const clv = detail.predictions.clv_12m;
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(money(detail.monetary)), 'total spent on screen');
    assert.ok(text.includes(`${money(clv.low)} to ${money(clv.high)}`), 'the predicted range on screen');
    await caption(`Customer ${first.customer_id}: ${money(detail.monetary)} spent so far; predicted `
      + `${money(clv.value)} over the next 12 months (${money(clv.low)} to ${money(clv.high)}).`);
  });

  test('a flow switched on with its template: preview and test send', async () => {
    await screen('Flows');
    const flows = (await api('/api/flows')).body.flows;
    welcome = flows.find((f) => f.kind === 'welcome') ?? flows[0];
    if (welcome.enabled) {
      // Another spec left it on: the story starts from the state a new merchant sees.
      assert.equal((await send('PATCH', `/api/flows/${welcome.id}`, { enabled: false })).status, 200);
      await page.reload();
    }
    await page.getByRole('heading', { name: welcome.name, level: 2 }).waitFor();
    await caption(`Flows: ${flows.length} automated emails, each off until the merchant switches it on. `
      + `${welcome.name} needs a template first.`);

    await screen('Templates');
    await page.getByRole('button', { name: 'New template' }).first().click();
    await page.getByLabel('Name').fill(TEMPLATE_NAME);
    await page.getByLabel('Start from').selectOption(welcome.kind);
    await caption(`A new template from the ${welcome.name} starter: laid out for phones and every mail client.`);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: TEMPLATE_NAME, level: 1 }).waitFor();
    const created = (await api('/api/templates')).body.templates.find((t) => t.name === TEMPLATE_NAME);
    const saved = (await api(`/api/templates/${created.id}`)).body;
    const preview = (await send('POST', '/api/templates/preview', { subject: saved.subject,
      bodyHtml: saved.bodyHtml })).body;
    await page.getByTitle('Email preview').waitFor();
    await page.getByText(`Subject: ${preview.subject}`, { exact: false }).first().waitFor();
    await caption(`The editor with merge tags and a live preview, rendered by the sender's own renderer: `
      + `"${preview.subject}".`);

    await page.getByLabel('Send to').fill('merchant@example.com');
    await page.getByRole('button', { name: 'Send test email' }).click();
    const sent = page.getByText('Test email queued for merchant@example.com');
    await sent.waitFor();
    await sent.scrollIntoViewIfNeeded();
    const delivered = mail.messages.find((m) => /^To: merchant@example\.com\s*$/m.test(m));
    assert.ok(delivered, 'the test email reached the mail server');
    assert.match(delivered, new RegExp(`^Subject: ${literal(`[Test] ${preview.subject}`)}`, 'm'));
    await caption(`The test email went out: "[Test] ${preview.subject}" to merchant@example.com. Its links and `
      + 'unsubscribe change nothing.');

    await screen('Flows');
    await page.getByRole('button', { name: `Configure ${welcome.name}` }).click();
    await page.getByLabel('Template', { exact: true }).selectOption({ label: TEMPLATE_NAME });
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await page.getByText(`Template: ${TEMPLATE_NAME}`).waitFor();
    await page.getByRole('button', { name: `Turn on ${welcome.name}` }).click();
    await page.getByRole('button', { name: `Turn off ${welcome.name}` }).waitFor();
    const on = (await api('/api/flows')).body.flows.find((f) => f.id === welcome.id);
    assert.equal(on.enabled, true);
    assert.equal(on.templateName, TEMPLATE_NAME);
    await caption(`${welcome.name} is on with "${TEMPLATE_NAME}": each customer gets it once, only with marketing `
      + 'consent, within the frequency cap and outside quiet hours.');
  });

  test('email performance', async () => {
    const to = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 29 * 86400000).toISOString().slice(0, 10);
    await screen('Email performance');
    const perf = (await api(`/api/email-performance?from=${from}&to=${to}`)).body;
    if (perf.totals.sent === 0) {
      await page.getByText('No emails sent in this period').waitFor();
      await caption('Email performance: this demo store has sent no flow email yet. Once flows send, deliveries, '
        + 'opens, clicks and the orders they led to appear here per flow and template.');
    } else {
      await page.getByText(count(perf.totals.sent), { exact: true }).first().waitFor();
      await caption(`Email performance: ${count(perf.totals.sent)} emails sent from ${from} to ${to}, with `
        + 'opens, clicks and the orders they led to, per flow and template.');
    }
  });

  test('billing: the plan, usage and the plans', async () => {
    await screen('Billing');
    const billing = (await api('/api/billing')).body;
    await page.locator('#usage-emails').waitFor();
    // The bar shows what the quota counts (emails_used: SENT + in flight + outcome unknown), as the send job does.
    assert.equal(await page.locator('#usage-emails').innerText(),
      `${count(billing.usage.emails_used)} of ${count(billing.usage.emails_limit)}`);
    const plan = billing.plans.find((p) => p.name === billing.plan)?.display_name ?? billing.plan;
    await caption(`Billing through Shopify: this store is on ${plan}, `
      + `${count(billing.usage.emails_used)} of ${count(billing.usage.emails_limit)} emails this month. `
      + 'Reviewers get test charges only.');
  });

  test('settings: sending rules, sender domain, privacy', async () => {
    await screen('Settings');
    const settings = (await api('/api/settings')).body;
    assert.equal(await page.getByLabel('Time zone').inputValue(), settings.timezone ?? '');
    await page.getByRole('link', { name: 'privacy policy' }).waitFor();
    await caption(`Settings: time zone (${settings.timezone ?? 'not set yet'}), quiet hours, sender name and address, the sender `
      + 'domain with DKIM, and the privacy policy.');
  });

  test('the recording: a 1600 x 900 webm with every caption, no script error', async () => {
    assert.deepEqual(problems, []);
    const video = page.video();
    await context.close();
    await video.saveAs(VIDEO);
    await video.delete();
    const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries',
      'stream=codec_name,width,height:format=duration,format_name', '-of', 'json', VIDEO], { encoding: 'utf8' }));
    assert.equal(probe.streams[0].width, SIZE.width);
    assert.equal(probe.streams[0].height, SIZE.height);
    assert.match(probe.format.format_name, /webm/);
    const seconds = Number(probe.format.duration);
    assert.ok(seconds >= captions.length * PAUSE_MS / 1000,
      `${seconds} s of video holds ${captions.length} captions of ${PAUSE_MS} ms each`);
    assert.ok(statSync(VIDEO).size > 100 * 1024, 'the video has content');
  });
});
