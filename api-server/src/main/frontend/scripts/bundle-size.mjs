// Prints the gzipped size of what the browser loads before the first screen (the entry script, the chunks it
// preloads, and the stylesheets named by index.html) and fails the build when the JavaScript exceeds the budget of
// issue #7 (300 KB gzipped). Lazy screens are listed too, for information.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const webroot = process.env.ECOMCRM_WEBROOT ?? resolve(here, '../../../../target/classes/webroot');
const BUDGET_BYTES = 300 * 1024;

const html = readFileSync(join(webroot, 'index.html'), 'utf8');
const named = [...html.matchAll(/(?:src|href)="\/app\/(assets\/[^"]+)"/g)].map((m) => m[1]);
const gz = (file) => gzipSync(readFileSync(join(webroot, file)), { level: 9 }).length;
const kb = (bytes) => (bytes / 1024).toFixed(1) + ' KB';

const initialJs = named.filter((f) => f.endsWith('.js'));
const initialCss = named.filter((f) => f.endsWith('.css'));
const jsBytes = initialJs.reduce((sum, f) => sum + gz(f), 0);
const cssBytes = initialCss.reduce((sum, f) => sum + gz(f), 0);
const lazy = readdirSync(join(webroot, 'assets'))
  .map((f) => 'assets/' + f)
  .filter((f) => f.endsWith('.js') && !initialJs.includes(f));

console.log('dashboard bundle (gzipped, level 9):');
for (const f of initialJs) console.log(`  initial  ${kb(gz(f)).padStart(10)}  ${f}`);
for (const f of initialCss) console.log(`  css      ${kb(gz(f)).padStart(10)}  ${f}`);
for (const f of lazy) console.log(`  lazy     ${kb(gz(f)).padStart(10)}  ${f}`);
console.log(`initial JavaScript: ${kb(jsBytes)} gzipped (budget ${kb(BUDGET_BYTES)}); initial CSS: ${kb(cssBytes)}`);
if (jsBytes > BUDGET_BYTES) {
  console.error(`initial JavaScript is over budget by ${kb(jsBytes - BUDGET_BYTES)}: lazy-load more of it`);
  process.exit(1);
}
