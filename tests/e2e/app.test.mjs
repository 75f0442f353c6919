// The app as a whole: the pages the server prerenders (first paint without the wasm), the hand-over to the running
// app, caching, and pages left while a request is still running (no console error, the app stays alive).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phonePage, BASE_URL, screenshot } from './support.mjs';
import { DEMO, abrirTramite, llenarInicio, llenarDomicilio, campos, correoUnico, esperarCaptcha } from './nss_pages.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A page without JavaScript: what the server's HTML alone shows. */
async function sinJs() {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
  return { context, page: await context.newPage() };
}

test('each route is prerendered: its own content, or a neutral heading, never another route', async () => {
  const { context, page } = await sinJs();
  await page.goto(BASE_URL + '/');
  assert.match(await page.locator('h1').innerText(), /tienes IMSS/);
  assert.equal(await page.locator('a.afi-paso').count(), 3);
  assert.equal(await page.locator('header.afi-header').count(), 1);
  assert.equal(await page.locator('footer.afi-footer').count(), 1);
  await screenshot(page, 'prerender-landing-360x740');

  await page.goto(BASE_URL + '/tramite/nss');
  assert.equal(await page.locator('h1').innerText(), 'Obtén o localiza tu Número de Seguridad Social');
  for (const id of ['afi-curp', 'afi-correo', 'afi-confirmacion', 'afi-captcha']) {
    assert.equal(await page.locator(`#${id}`).count(), 1, `#${id} in the prerendered form`);
  }
  assert.match(await page.locator('.afi-captcha').innerText(), /Cargando imagen/);
  assert.match(await page.title(), /^Iniciar trámite/);
  await screenshot(page, 'prerender-tramite-360x740');

  for (const ruta of ['/tramite/nss/resultado', '/paso-2', '/verificar/NSS-X', '/no-existe']) {
    await page.goto(BASE_URL + ruta);
    assert.equal(await page.locator('h1').innerText(), 'Afíliate al IMSS', ruta);
    assert.equal(await page.locator('header.afi-header').count(), 1, ruta);
    assert.equal(await page.locator('footer.afi-footer').count(), 1, ruta);
    assert.equal(await page.locator('a.afi-paso, #afi-curp').count(), 0, `${ruta}: no other route's content`);
  }
  await context.close();
});

test('hashed assets are immutable, pages revalidate, and the wasm is preloaded', async () => {
  const page = await fetch(BASE_URL + '/');
  assert.equal(page.headers.get('cache-control'), 'no-cache');
  const html = await page.text();
  const js = html.match(/href="?(\/afiliate-[0-9a-f]{8,16}\.js)/)?.[1];
  const wasm = html.match(/href="?(\/afiliate-[0-9a-f]{8,16}_bg\.wasm)/)?.[1];
  assert.ok(js && wasm, 'the glue and the wasm are named in the page');
  assert.match(html, new RegExp(`<link[^>]*rel="?modulepreload"?[^>]*${js.replace('.', '\\.')}|<link[^>]*${js.replace('.', '\\.')}[^>]*rel="?modulepreload`));
  assert.match(html, new RegExp(`<link[^>]*rel="?preload"?[^>]*${wasm.replace('.', '\\.')}|<link[^>]*${wasm.replace('.', '\\.')}[^>]*rel="?preload`));
  for (const asset of [js, wasm]) {
    const r = await fetch(BASE_URL + asset, { headers: { 'accept-encoding': 'br' } });
    assert.equal(r.status, 200, asset);
    assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable', asset);
  }
  const tramite = await fetch(BASE_URL + '/tramite/nss', { headers: { 'accept-encoding': 'br' } });
  assert.equal(tramite.headers.get('content-encoding'), 'br');
  assert.equal(tramite.headers.get('cache-control'), 'no-cache');
});

test('typed into the prerendered form before the wasm arrives: kept, focused, and no layout shift', async () => {
  const { context, page } = await phonePage(browser);
  await page.addInitScript(() => {
    window.__cls = 0;
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__cls += e.value; })
      .observe({ type: 'layout-shift', buffered: true });
  });
  // The wasm takes its time, as on a slow phone network.
  let soltar;
  const retenido = new Promise((r) => { soltar = r; });
  await page.route(/_bg\.wasm$/, async (route) => { await retenido; await route.continue(); });
  await page.goto(BASE_URL + '/tramite/nss', { waitUntil: 'domcontentloaded' });
  const curp = page.locator('#afi-curp');
  await curp.click();
  await page.keyboard.type('GALM0503');
  // Pressing Continuar on the snapshot sends nothing anywhere (no CURP in an address).
  await page.locator('button[type=submit]').click();
  assert.equal(new URL(page.url()).search, '');
  await curp.click();
  await page.keyboard.press('End');
  soltar();
  await esperarCaptcha(page);
  assert.equal(await page.locator('#afi-curp').count(), 1, 'one form: the snapshot is gone');
  assert.equal(await page.locator('#afi-curp').inputValue(), 'GALM0503');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'afi-curp', 'the focus stayed');
  await page.keyboard.type('14MDFRPRA7');
  assert.equal(await page.locator('#afi-curp').inputValue(), DEMO.curpLocalizado);
  // The app has what was typed: leaving the field runs its check (a valid CURP: no message).
  await page.keyboard.press('Tab');
  assert.equal(await page.locator('#afi-curp-error').count(), 0);
  const cls = await page.evaluate(() => window.__cls);
  assert.ok(cls < 0.01, `cumulative layout shift ${cls}`);
  assert.deepEqual(page.consoleErrors, []);
  await context.close();
});

/** Holds every request matching `patron` until `soltar()`; `veces()` counts them. */
async function retener(page, patron) {
  let soltar;
  const listo = new Promise((r) => { soltar = r; });
  let n = 0;
  await page.route(patron, async (route) => {
    n += 1;
    await listo;
    await route.continue().catch(() => {});
  });
  return { soltar, veces: () => n };
}

/** Leaves the page through the app's own header link while the held request runs, then lets it finish. */
async function irseYSoltar(page, retenida, { esperaMs = 500 } = {}) {
  await page.locator('a.afi-header__brand').click();
  await page.waitForURL(BASE_URL + '/');
  retenida.soltar();
  await page.waitForTimeout(esperaMs);
  // Still alive: another page renders.
  await page.getByRole('link', { name: /^Paso 2:/ }).click();
  await page.getByRole('heading', { level: 1, name: /^Paso 2:/ }).waitFor();
  // The browser's own line about a request the test refused is not the app's.
  const errores = page.consoleErrors.filter((e) => !e.startsWith('Failed to load resource'));
  assert.deepEqual(errores, [], 'no error from the app (a panic would show here)');
}

test('left mid-request: the solicitud, with its button kept focusable', async () => {
  const { context, page } = await phonePage(browser);
  await abrirTramite(page);
  await llenarInicio(page, { curp: DEMO.curpLocalizado, correo: correoUnico('salir') });
  const retenida = await retener(page, '**/api/nss/solicitudes');
  const boton = campos(page).continuar;
  await boton.focus();
  await page.keyboard.press('Enter');
  await page.getByText('Su petición se está procesando... espere un momento.').first().waitFor();
  assert.equal(await boton.getAttribute('aria-disabled'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Continuar', 'focus stays on the button');
  await page.keyboard.press('Enter');
  // (Playwright waits for an aria-disabled control to be enabled: force the press, as a person can.)
  await boton.click({ force: true });
  assert.equal(retenida.veces(), 1, 'repeated presses send nothing more');
  await irseYSoltar(page, retenida);
  await context.close();
});

test('left mid-request: a new CAPTCHA, and a postal-code lookup', async () => {
  const { context, page } = await phonePage(browser);
  await abrirTramite(page);
  const captcha = await retener(page, '**/api/captcha');
  await page.getByRole('button', { name: 'Cargar otra imagen' }).click();
  await page.getByText('Cargando imagen…').waitFor();
  await irseYSoltar(page, captcha);

  // The address page, with the shard still on its way when the student leaves.
  await abrirTramite(page);
  await llenarInicio(page, { curp: DEMO.curpSinNss[1], correo: correoUnico('salir-cp') });
  await campos(page).continuar.click();
  await page.waitForURL(/\/domicilio$/);
  const shard = await retener(page, '**/catalogo/cp/**');
  await page.getByLabel('Código postal', { exact: true }).fill('06700');
  await page.getByText('Buscando tu código postal…').waitFor();
  await irseYSoltar(page, shard);
  await context.close();
});

test('left mid-request: the assignment, past the "puede tardar" timer', async () => {
  const { context, page } = await phonePage(browser);
  await abrirTramite(page);
  await llenarInicio(page, { curp: DEMO.curpSinNss[1], correo: correoUnico('salir-asig') });
  await campos(page).continuar.click();
  await page.waitForURL(/\/domicilio$/);
  await llenarDomicilio(page);
  await campos(page).continuar.click();
  await page.waitForURL(/\/revisar$/);
  // Held, then refused: the student's CURP stays without an NSS for the other tests.
  let soltar;
  const listo = new Promise((r) => { soltar = r; });
  await page.route('**/api/nss/asignaciones', async (route) => { await listo; await route.abort(); });
  await campos(page).continuar.click();
  await page.getByText('Estamos asignando tu Número de Seguridad Social…').first().waitFor();
  // The 3-second timer would fire after the page is gone.
  await irseYSoltar(page, { soltar }, { esperaMs: 3500 });
  await context.close();
});

test('a request that never gets an answer ends as "no connection" with a retry, never a stuck form', async () => {
  const { context, page } = await phonePage(browser);
  await abrirTramite(page);
  const correo = correoUnico('sin-respuesta');
  await llenarInicio(page, { curp: DEMO.curpLocalizado, correo });
  // The server never answers (held until the page closes): the app gives up after its 30 s timeout.
  await page.route('**/api/nss/solicitudes', () => new Promise(() => {}));
  await campos(page).continuar.click();
  const summary = page.getByRole('alert').filter({ hasText: 'Hay un problema' });
  await summary.waitFor({ timeout: 45000 });
  assert.match(await summary.innerText(), /No hay conexión con el servidor/);
  assert.equal(await campos(page).continuar.getAttribute('aria-disabled'), null, 'the form can be sent again');
  assert.equal(await campos(page).curp.inputValue(), DEMO.curpLocalizado);
  assert.equal(await campos(page).correo.inputValue(), correo);
  await context.close();
});
