// Shared by the browser specs: one chromium (Debian's, through playwright-core), the API called with the same session
// token as the page, axe-core injected into every screen, screenshots kept as test output.
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const BASE = required('UI_BASE');
export const SHOP = required('UI_SHOP');
export const TOKEN = required('UI_TOKEN');
export const OTHER_TOKEN = process.env.UI_OTHER_TOKEN ?? '';
export const OTHER_SHOP = process.env.UI_OTHER_SHOP ?? '';
const SCREENSHOTS = process.env.UI_SCREENSHOTS ?? 'ui-screenshots';
const CHROMIUM = process.env.UI_CHROMIUM ?? '/usr/bin/chromium';
export const LOCALE = 'en-US';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the specs through bin/ui-tests`);
  return value;
}

export async function launch(token = TOKEN, shop = SHOP) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ locale: LOCALE, timezoneId: 'UTC', acceptDownloads: true,
    viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) {
      problems.push(`console error: ${message.text()}`);
    }
  });
  // Opening the app once with ?token= is what the demo does; the app keeps it for the tab.
  await page.goto(`${BASE}/app/?shop=${shop}&token=${encodeURIComponent(token)}`);
  await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
  assert.ok(!page.url().includes('token='), 'the token is taken off the address bar');
  return { browser, context, page, problems };
}

/** The API answer for the same shop and token as the page. */
export async function api(path, token = TOKEN) {
  const response = await fetch(BASE + path, { headers: { Authorization: `Bearer ${token}` } });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? safeJson(text) : null, text };
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** True when the server has the endpoint (others are still building some of them). */
export async function available(path) {
  const answer = await api(path);
  return !(answer.status === 404 && /^Cannot find \/api\//.test(answer.body?.error?.message ?? ''));
}

/** Navigates inside the app the way a merchant does: by the navigation menu. */
export async function openScreen(page, label, heading = label) {
  await page.getByRole('navigation').getByRole('link', { name: label, exact: true }).click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** axe-core on the current screen; fails on any serious or critical violation. */
export async function checkAccessibility(page, screen) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.addScriptTag({ content: AXE_SOURCE });
  }
  const results = await page.evaluate(async () => window.axe.run(document, {
    resultTypes: ['violations'],
  }));
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const described = serious.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3)
    .map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(described, [], `${screen}: accessibility violations`);
}

/** The shop's currency as GET /api/shop names it when a spec file starts (USD when unknown, as the dashboard does). */
export const CURRENCY = await shopCurrency();

async function shopCurrency() {
  const answer = await api('/api/shop');
  return answer.status === 200 && /^[A-Z]{3}$/.test(answer.body?.currency ?? '') ? answer.body.currency : 'USD';
}

/** An amount as the dashboard shows it: in the shop's currency (or the one given), in the browser's locale. */
export function money(amount, currency = CURRENCY) {
  return new Intl.NumberFormat(LOCALE, { style: 'currency', currency }).format(Number(amount));
}

/** A string matched literally inside a RegExp (amounts carry "$" and "."). */
export function literal(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function count(value) {
  return new Intl.NumberFormat(LOCALE).format(value);
}

/** Waits for the next answer of an API path (prefix) the page asks for. */
export function nextAnswer(page, prefix) {
  return page.waitForResponse((r) => new URL(r.url()).pathname + new URL(r.url()).search === prefix
    || (new URL(r.url()).pathname + new URL(r.url()).search).startsWith(prefix));
}
