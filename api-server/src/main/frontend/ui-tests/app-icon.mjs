// The app icon (issue #8): one SVG, src/assets/app-icon.svg, is the dashboard's favicon and the source of the PNG the
// App Store listing and the Partner Dashboard take (docs/app-store/app-icon-1200.png, 1200 x 1200, opaque, no text).
// The PNG is drawn by the same headless chromium the browser tests drive, so no other graphics tool is needed, and
// app-icon.test.mjs renders it again in every run of bin/ui-tests and fails when the committed PNG no longer matches.
//
// Regenerate after editing the SVG (from api-server/src/main/frontend):
//   node ui-tests/app-icon.mjs --write
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

const HERE = fileURLToPath(new URL('.', import.meta.url));
export const ICON_SVG = resolve(HERE, '../src/assets/app-icon.svg');
export const LISTING_ICON_PNG = resolve(HERE, '../../../../../docs/app-store/app-icon-1200.png');
/** Shopify's listing and Partner Dashboard size (shopify.dev changelog, 30 August 2022; listing guidelines). */
export const LISTING_SIZE = 1200;

export async function launchChromium() {
  return chromium.launch({
    executablePath: process.env.UI_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

function dataUrl(bytes, type) {
  return `data:${type};base64,${Buffer.from(bytes).toString('base64')}`;
}

/** The SVG drawn at size x size CSS pixels at a device scale of 1, so the PNG has exactly that many pixels. */
export async function renderIcon(browser, size, svg = readFileSync(ICON_SVG)) {
  const context = await browser.newContext({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
  try {
    const page = await context.newPage();
    await page.setContent(`<!doctype html><html><body style="margin:0;background:#fff">`
      + `<img id="icon" alt="" width="${size}" height="${size}" style="display:block"></body></html>`);
    await page.evaluate(async (src) => {
      const img = document.getElementById('icon');
      img.src = src;
      await img.decode();
    }, dataUrl(svg, 'image/svg+xml'));
    return await page.screenshot({ type: 'png', clip: { x: 0, y: 0, width: size, height: size } });
  } finally {
    await context.close();
  }
}

/**
 * Decodes PNGs in chromium and compares them: their pixel sizes, whether every pixel is opaque, and how far the
 * second is from the first (mean absolute difference per channel, and the share of pixels off by more than 16 in a
 * channel). Chromium releases anti-alias edges a little differently, so "the same picture" is a tolerance, not equality.
 */
export async function comparePngs(browser, expected, actual) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    return await page.evaluate(async ([a, b]) => {
      const load = async (src) => {
        const img = new Image();
        img.src = src;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const g = canvas.getContext('2d');
        g.drawImage(img, 0, 0);
        return { width: img.naturalWidth, height: img.naturalHeight,
          data: g.getImageData(0, 0, img.naturalWidth, img.naturalHeight).data };
      };
      const [x, y] = [await load(a), await load(b)];
      const opaque = (p) => { for (let i = 3; i < p.data.length; i += 4) if (p.data[i] !== 255) return false; return true; };
      const result = { expected: { width: x.width, height: x.height, opaque: opaque(x) },
        actual: { width: y.width, height: y.height, opaque: opaque(y) }, meanDifference: null, differingShare: null };
      if (x.width !== y.width || x.height !== y.height) return result;
      let sum = 0;
      let differing = 0;
      for (let i = 0; i < x.data.length; i += 4) {
        let worst = 0;
        for (let c = 0; c < 3; c++) {
          const d = Math.abs(x.data[i + c] - y.data[i + c]);
          sum += d;
          worst = Math.max(worst, d);
        }
        if (worst > 16) differing++;
      }
      result.meanDifference = sum / (x.width * x.height * 3);
      result.differingShare = differing / (x.width * x.height);
      return result;
    }, [dataUrl(expected, 'image/png'), dataUrl(actual, 'image/png')]);
  } finally {
    await context.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!process.argv.includes('--write')) {
    console.error('usage: node ui-tests/app-icon.mjs --write   (renders src/assets/app-icon.svg into '
      + 'docs/app-store/app-icon-1200.png)');
    process.exit(2);
  }
  const browser = await launchChromium();
  try {
    writeFileSync(LISTING_ICON_PNG, await renderIcon(browser, LISTING_SIZE));
    console.log(`wrote ${LISTING_ICON_PNG}`);
  } finally {
    await browser.close();
  }
}
