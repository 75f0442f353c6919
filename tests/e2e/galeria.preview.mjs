// The designer preview's gallery (`cargo xtask test gallery`, against `trunk serve` of the preview build): every
// entry renders without console errors and with 0 axe violations (WCAG 2.2 AA) at phone and desktop widths, and
// without horizontal scroll at 320 px; the release dist/ holds none of the preview.
// Not a *.test.mjs: the e2e suite (the real server) does not run it.
//   AFILIATE_PREVIEW_URL  the preview's URL
//   AFILIATE_DIST         the release build's dist/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { launch, expectNoAxeViolations, screenshot } from './support.mjs';

const BASE = process.env.AFILIATE_PREVIEW_URL ?? 'http://127.0.0.1:8082';
const DIST = process.env.AFILIATE_DIST ?? join(process.cwd(), '..', '..', 'dist');
// src/preview/mod.rs's MARCA: the preview's own words, in its panel and its gallery.
const MARCA = 'Vista previa para diseño: datos ficticios';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function abrir(url, width, height, waitUntil = 'networkidle') {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'es-MX' });
  const page = await context.newPage();
  const errores = [];
  page.on('console', (m) => { if (m.type() === 'error') errores.push(m.text()); });
  page.on('pageerror', (e) => errores.push(String(e)));
  // Chromium's "Failed to load resource" names no URL: say which one.
  page.on('response', (r) => { if (r.status() >= 400) errores.push(`${r.status()} ${r.url()}`); });
  await page.goto(BASE + url, { waitUntil });
  await page.locator('h1').first().waitFor();
  // A form sent at once (preparar=enviar) shows the mock's answer a moment later.
  if (url.includes('preparar=enviar')) {
    await page.waitForFunction(() => document.querySelector('.afi-summary, [data-testid=tarda]'), null, { timeout: 8000 });
  }
  return { context, page, errores };
}

test('the gallery lists every entry, each at phone and desktop width, and says its data are fictitious', async () => {
  // Its frames load lazily, each a whole app: wait for the page, not for the network to go quiet.
  const { context, page, errores } = await abrir('/galeria', 1280, 800, 'domcontentloaded');
  await page.getByTestId('entrada').first().waitFor();
  const entradas = await page.getByTestId('entrada').count();
  assert.ok(entradas >= 30, `${entradas} entries`);
  assert.equal(await page.locator('[data-testid=entrada] iframe').count(), entradas * 2);
  assert.match(await page.locator('main').innerText(), new RegExp(MARCA));
  // The page itself (each framed screen is checked on its own below).
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .exclude('iframe').analyze();
  assert.deepEqual(axe.violations.map((v) => v.id), [], 'axe on the gallery page');
  assert.deepEqual(errores, []);
  await context.close();
});

test('every gallery entry: no console error, 0 axe violations at 360×740 and 1280×800, no horizontal scroll at 320', async () => {
  const { context, page } = await abrir('/galeria', 1280, 800, 'domcontentloaded');
  await page.getByTestId('entrada').first().waitFor();
  const entradas = await page.$$eval('[data-testid=entrada]', (ss) => ss.map((s) => ({
    estado: s.querySelector('h2').textContent.trim(),
    url: s.querySelector('[data-testid=enlace]').getAttribute('href'),
  })));
  await context.close();
  const vistos = new Set();
  for (const [width, height] of [[360, 740], [1280, 800]]) {
    for (const [i, e] of entradas.entries()) {
      const { context, page, errores } = await abrir(e.url, width, height, 'load');
      const etiqueta = `${e.estado} (${e.url}) at ${width}`;
      await expectNoAxeViolations(page, etiqueta);
      if (width === 360) {
        await screenshot(page, `galeria-${String(i).padStart(2, '0')}-360x740`);
        // The same screen on the narrowest phone: nothing wider than the screen.
        await page.setViewportSize({ width: 320, height: 640 });
        await page.waitForTimeout(50);
        const sobra = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(sobra <= 0, `${e.estado} (${e.url}) at 320: ${sobra}px of horizontal scroll`);
        // What the screen says and what its fields hold (a pre-filled form reads like an empty one).
        vistos.add(await page.evaluate(() => document.querySelector('main').innerText
          + [...document.querySelectorAll('input, select')].map((i) => i.value).join('|')));
      }
      assert.deepEqual(errores, [], etiqueta);
      await context.close();
    }
  }
  // The entries are different screens or states, not one page many times.
  assert.ok(vistos.size >= entradas.length - 2, `${vistos.size} different screens of ${entradas.length}`);
});

test('the release build has no mock server, no scenario panel and no gallery', () => {
  const archivos = readdirSync(DIST).filter((f) => /\.(wasm|js|html)$/.test(f));
  assert.ok(archivos.some((f) => f.endsWith('.wasm')), `a release wasm in ${DIST}`);
  for (const f of archivos) {
    const texto = readFileSync(join(DIST, f)).toString('latin1');
    for (const marca of [Buffer.from(MARCA).toString('latin1'), 'escenario=', 'Galería de pantallas', 'afi-preview']) {
      assert.ok(!texto.includes(marca), `${f} contains «${marca}»`);
    }
  }
});
