// The iframe mode: a host page on another origin frames the app, which reports its content height so the frame
// never scrolls inside; a page outside the server's frame-ancestors allow-list cannot frame it.
//   AFILIATE_E2E_HOST_PORT  the port of the allowed host (the server runs with AFILIATE_FRAME_ANCESTORS naming it)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phonePage, BASE_URL } from './support.mjs';
import { servirHost } from './host/servidor.mjs';

const HOST_PORT = Number(process.env.AFILIATE_E2E_HOST_PORT ?? 18181);

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function alturas(page) {
  const marco = page.frames().find((f) => f.url().startsWith(BASE_URL));
  const iframe = await page.locator('#afiliate').evaluate((el) => el.getBoundingClientRect().height);
  const dentro = await marco.evaluate(() => ({
    cuerpo: document.body.scrollHeight,
    sobra: document.documentElement.scrollHeight - document.documentElement.clientHeight,
  }));
  return { iframe, ...dentro };
}

/** The heights once the frame fits its content, or after 5 s: the app reports its height asynchronously (a
 * resize observer, then a message to the host), so a late layout change is followed a moment later. */
async function ajustadas(page) {
  let a = await alturas(page);
  for (let i = 0; i < 50 && !(Math.abs(a.iframe - a.cuerpo) <= 1 && a.sobra <= 0); i++) {
    await page.waitForTimeout(100);
    a = await alturas(page);
  }
  return a;
}

test('framed on an allowed host, the app sets the frame to its height: no scroll inside, on every page', async () => {
  const host = await servirHost(HOST_PORT, BASE_URL);
  const { context, page } = await phonePage(browser, { width: 1024, height: 700 });
  page.foreignRequests = [];
  await page.goto(`http://127.0.0.1:${HOST_PORT}/marco.html?app=${encodeURIComponent(BASE_URL)}`, { waitUntil: 'networkidle' });
  const app = page.frameLocator('#afiliate');
  await app.getByRole('heading', { level: 1, name: 'Obtén o localiza tu Número de Seguridad Social' }).waitFor();
  await page.waitForFunction(() => document.getElementById('afiliate').style.height !== '');
  let a = await ajustadas(page);
  assert.ok(Math.abs(a.iframe - a.cuerpo) <= 1, `frame ${a.iframe} px, content ${a.cuerpo} px`);
  assert.ok(a.sobra <= 0, `${a.sobra} px scroll inside the frame`);
  assert.notEqual(a.iframe, 600, 'the host\'s default height was replaced');

  // Another page of the app, of another height: the frame follows it.
  const antes = a.iframe;
  await app.getByRole('link', { name: 'Inicio', exact: true }).click();
  await app.getByRole('heading', { level: 1 }).filter({ hasText: 'tienes IMSS' }).waitFor();
  await page.waitForFunction((h) => Math.abs(document.getElementById('afiliate').getBoundingClientRect().height - h) > 1, antes);
  a = await ajustadas(page);
  assert.ok(Math.abs(a.iframe - a.cuerpo) <= 1, `frame ${a.iframe} px, content ${a.cuerpo} px`);
  assert.ok(a.sobra <= 0, `${a.sobra} px scroll inside the frame`);
  await context.close();
  host.closeAllConnections();
  host.close();
});

test('a host outside AFILIATE_FRAME_ANCESTORS cannot frame the app', async () => {
  const otro = await servirHost(0, BASE_URL);
  const port = otro.address().port;
  const { context, page } = await phonePage(browser);
  const bloqueos = [];
  page.on('console', (m) => { if (/frame-ancestors/.test(m.text())) bloqueos.push(m.text()); });
  await page.goto(`http://127.0.0.1:${port}/marco.html?app=${encodeURIComponent(BASE_URL)}`, { waitUntil: 'load' });
  await page.waitForTimeout(1500);
  for (let i = 0; i < 50 && bloqueos.length === 0; i++) await page.waitForTimeout(100);
  assert.equal(await page.frameLocator('#afiliate').locator('.afi-app').count(), 0, 'the app is not shown in the frame');
  assert.ok(bloqueos.length > 0, 'the browser refused the frame because of frame-ancestors');
  await context.close();
  otro.closeAllConnections();
  otro.close();
});
