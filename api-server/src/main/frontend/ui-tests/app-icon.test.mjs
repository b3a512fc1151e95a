// The app icon (issue #8): the committed listing PNG is what the SVG draws today (so the two cannot drift apart), it
// has the size Shopify asks for and no transparency, and the dashboard serves the same SVG as its favicon.
// Fresh renders (1200 and a 60 px preview, the size of the admin's app list) are kept as test output next to the
// screenshots, to look at after a change of the SVG.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ICON_SVG, LISTING_ICON_PNG, LISTING_SIZE, comparePngs, launchChromium, renderIcon } from './app-icon.mjs';

const OUTPUT = join(process.env.UI_SCREENSHOTS ?? 'ui-screenshots', 'app-icon');
const BASE = process.env.UI_BASE;

describe('app icon', () => {
  let browser;

  before(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
  });

  test('the listing PNG is the SVG drawn at 1200 x 1200, opaque', async () => {
    const fresh = await renderIcon(browser, LISTING_SIZE);
    writeFileSync(join(OUTPUT, 'app-icon-1200.png'), fresh);
    const committed = readFileSync(LISTING_ICON_PNG);
    const comparison = await comparePngs(browser, committed, fresh);
    assert.deepEqual(comparison.expected, { width: 1200, height: 1200, opaque: true },
      'docs/app-store/app-icon-1200.png: Shopify asks for 1200 x 1200 with no transparency');
    assert.deepEqual(comparison.actual, comparison.expected);
    assert.ok(comparison.meanDifference < 1 && comparison.differingShare < 0.002,
      `docs/app-store/app-icon-1200.png no longer matches src/assets/app-icon.svg (mean difference `
      + `${comparison.meanDifference.toFixed(3)}, ${(comparison.differingShare * 100).toFixed(3)}% of pixels off): `
      + 'regenerate it with `node ui-tests/app-icon.mjs --write`');
    assert.ok(committed.length < 300 * 1024, 'the repository keeps listing images under 300 KB');
  });

  test('the SVG holds no text and keeps its mark clear of the corners Shopify rounds', () => {
    const svg = readFileSync(ICON_SVG, 'utf8');
    assert.doesNotMatch(svg, /<text\b|<tspan\b|<image\b|<foreignObject\b/, 'no text or embedded pictures');
    assert.match(svg, /<svg [^>]*width="1200" height="1200" viewBox="0 0 1200 1200"/);
  });

  test('at 60 x 60 the mark is still there: its light pixels stay in the middle', async () => {
    const small = await renderIcon(browser, 60);
    writeFileSync(join(OUTPUT, 'app-icon-60.png'), small);
    // Compared with the full-size drawing scaled down by chromium: the small render is the same picture.
    const page = await (await browser.newContext()).newPage();
    try {
      const stats = await page.evaluate(async (src) => {
        const img = new Image();
        img.src = src;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const g = canvas.getContext('2d');
        g.drawImage(img, 0, 0);
        const { data } = g.getImageData(0, 0, canvas.width, canvas.height);
        let light = 0;
        let lightInCorners = 0;
        for (let y = 0; y < canvas.height; y++) {
          for (let x = 0; x < canvas.width; x++) {
            const i = (y * canvas.width + x) * 4;
            if (data[i] + data[i + 1] + data[i + 2] > 450) {
              light++;
              const corner = (x < 9 || x >= canvas.width - 9) && (y < 9 || y >= canvas.height - 9);
              if (corner) lightInCorners++;
            }
          }
        }
        return { width: canvas.width, height: canvas.height, light, lightInCorners };
      }, `data:image/png;base64,${small.toString('base64')}`);
      assert.equal(stats.width, 60);
      assert.equal(stats.height, 60);
      // The ring and the dot cover about a fifth of the icon; nothing light sits where the rounding cuts.
      assert.ok(stats.light > 60 * 60 * 0.15, `the mark shows at 60 px (${stats.light} light pixels)`);
      assert.equal(stats.lightInCorners, 0);
    } finally {
      await page.context().close();
    }
  });

  test('the dashboard uses the same SVG as its favicon', { skip: !BASE && 'UI_BASE is not set' }, async () => {
    const page = await (await fetch(`${BASE}/app/`)).text();
    const href = page.match(/<link rel="icon" type="image\/svg\+xml" href="([^"]+)"/)?.[1];
    assert.ok(href, 'index.html links an SVG favicon');
    assert.match(href, /^\/app\/assets\/app-icon-[A-Za-z0-9_-]+\.svg$/, 'a hashed asset, cached like the others');
    const icon = await fetch(BASE + href);
    assert.equal(icon.status, 200);
    assert.match(icon.headers.get('content-type'), /^image\/svg\+xml/);
    assert.equal(await icon.text(), readFileSync(ICON_SVG, 'utf8'));
  });
});
