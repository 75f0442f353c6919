// `cargo xtask screenshots`: one PNG per gallery entry and width, from the running designer preview, and an
// index.html that shows them all. Usage: node screenshots.mjs <preview URL> <output folder>
// The entries are the gallery's own (/galeria lists them), so the list lives in one place: src/preview/escenarios.rs.
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [base, out] = process.argv.slice(2);
if (!base || !out) {
  console.error('usage: node screenshots.mjs <preview URL> <output folder>');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const ANCHOS = [
  { nombre: 'telefono', width: 360, height: 740 },
  { nombre: 'escritorio', width: 1280, height: 800 },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
});
const indice = await browser.newPage();
await indice.goto(base + '/galeria', { waitUntil: 'domcontentloaded' });
await indice.locator('[data-testid=entrada]').first().waitFor();
const entradas = await indice.$$eval('[data-testid=entrada]', (secciones) => secciones.map((s) => ({
  estado: s.querySelector('h2').textContent.trim(),
  url: s.querySelector('[data-testid=enlace]').getAttribute('href'),
})));
await indice.close();

const filas = [];
for (const [i, e] of entradas.entries()) {
  const celdas = [];
  for (const a of ANCHOS) {
    const context = await browser.newContext({ viewport: { width: a.width, height: a.height }, locale: 'es-MX' });
    const page = await context.newPage();
    await page.goto(base + e.url + '&panel=no', { waitUntil: 'networkidle' });
    await page.waitForTimeout(e.url.includes('preparar=enviar') ? 1500 : 300);
    const archivo = `${String(i).padStart(2, '0')}-${a.nombre}.png`;
    await page.screenshot({ path: join(out, archivo), fullPage: true });
    celdas.push(`<figure><img src="${archivo}" width="${a.width / 2}" alt="${e.estado}, ${a.nombre}"><figcaption>${a.width}×${a.height}</figcaption></figure>`);
    await context.close();
  }
  filas.push(`<section><h2>${e.estado}</h2><p><code>${e.url}</code></p><div class="f">${celdas.join('')}</div></section>`);
  console.log(`screenshots: ${e.estado}`);
}
await browser.close();
writeFileSync(join(out, 'index.html'), `<!doctype html><html lang="es-MX"><meta charset="utf-8"><title>Afíliate: capturas</title>
<style>body{font-family:sans-serif;margin:24px}.f{display:flex;gap:16px;align-items:flex-start;flex-wrap:wrap}img{border:1px solid #999}</style>
<h1>Afíliate: ${entradas.length} pantallas × ${ANCHOS.length} anchos</h1><p><a href="captcha.html">20 retos CAPTCHA del servidor</a></p>${filas.join('\n')}</html>\n`);
console.log(`screenshots: ${entradas.length * ANCHOS.length} PNG in ${out}`);
