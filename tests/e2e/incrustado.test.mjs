// The embedded mode: the trámite inside a page of the gob.mx microsite (Bootstrap 3.4.1 and jQuery, its own header,
// footer, links and form) on another origin, through `afiliate-embed.js` and `<afiliate-tramite>`
// (tests/e2e/host: microsite.html, servidor.mjs). Its API and files come from the app's server, cross-origin.
//   AFILIATE_E2E_HOST_PORT  the host's port (the server lists http://127.0.0.1:<port> in AFILIATE_CORS_ORIGINS)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phonePage, BASE_URL, CAPTCHA, expectNoAxeViolations, expectNoHorizontalScroll, screenshot } from './support.mjs';
import { correoUnico, esperarCorreo, descargarPdf, llenarDomicilio } from './nss_pages.mjs';
import { servirHost, cerrar, BASE_TRAMITE } from './host/servidor.mjs';

const HOST_PORT = Number(process.env.AFILIATE_E2E_HOST_PORT ?? 18181);
const HOST = `http://127.0.0.1:${HOST_PORT}`;
// A student found in the registry, and one without an NSS, that no other test uses up (crates/server/DEMO.md).
const CURP_LOCALIZADO = process.env.AFILIATE_E2E_CURP_INCRUSTADO_LOCALIZADO ?? 'RAXD041201HJCMXGA7';
const CURP_SIN_NSS = process.env.AFILIATE_E2E_CURP_INCRUSTADO_SIN_NSS ?? 'RIVC060315MJCSGMA6';

let browser;
let host;
before(async () => {
  browser = await launch();
  host = await servirHost(HOST_PORT, BASE_URL);
});
after(async () => {
  await browser?.close();
  if (host) cerrar(host);
});

/** The host page at an app path (e.g. '/tramite/nss'), once the app has rendered its heading. */
async function abrirIncrustado(page, ruta = '', h1 = /tienes IMSS/) {
  await page.goto(HOST + BASE_TRAMITE + ruta, { waitUntil: 'networkidle' });
  await page.getByRole('heading', { level: 1, name: h1 }).waitFor();
}

/** The tag name of the focused element inside the app's shadow root. */
/** The tag of what is focused inside the app's shadow root, once it is `esperado` or after 5 s (the app moves
 * focus on the next animation frame, as `enfocado` in support.mjs waits for in the document). */
async function enfocadoEnApp(page, esperado = 'H1') {
  await page
    .waitForFunction((e) => document.querySelector('afiliate-tramite').shadowRoot.activeElement?.tagName === e,
      esperado, { timeout: 5000 })
    .catch(() => {});
  return page.evaluate(() => document.querySelector('afiliate-tramite').shadowRoot.activeElement?.tagName ?? null);
}

/** What every screen must pass, the host page included: axe, no horizontal scroll; and a screenshot. */
async function revisar(page, nombre) {
  await expectNoHorizontalScroll(page);
  await expectNoAxeViolations(page, `embedded ${nombre}`);
  await screenshot(page, `incrustado-${nombre}-${page.viewportSize().width}`);
}

/** Waits for the CAPTCHA image (inside the shadow root) to be loaded; answers its URL. */
async function esperarCaptcha(page) {
  const img = page.getByRole('img', { name: /Imagen de verificación/ });
  await img.waitFor();
  await page.waitForFunction(() => {
    const i = document.querySelector('afiliate-tramite').shadowRoot.querySelector('.afi-captcha__image');
    return i && i.complete && i.naturalWidth > 0;
  });
  return img.getAttribute('src');
}

async function llenarInicio(page, curp, correo) {
  await page.getByLabel('CURP', { exact: true }).fill(curp);
  await page.getByLabel('Correo electrónico', { exact: true }).fill(correo);
  await page.getByLabel('Confirma tu correo electrónico', { exact: true }).fill(correo);
  await page.getByLabel('Escribe los caracteres de la imagen', { exact: true }).fill(CAPTCHA);
}

/** Marks the window: a full page load (a reload, a host link) forgets the mark, the app's own routing keeps it. */
const marcar = (page) => page.evaluate(() => { window.__sinRecarga = true; });
const sinRecarga = (page) => page.evaluate(() => window.__sinRecarga === true);

test('embedded: the found path to the documents, inside the host page, cross-origin, axe on every screen', async () => {
  const { context, page } = await phonePage(browser);
  await abrirIncrustado(page);
  // The app is in the element's shadow root, without a header, footer or <main> of its own (the host has them).
  const forma = await page.evaluate(() => {
    const raiz = document.querySelector('afiliate-tramite').shadowRoot;
    return {
      app: raiz?.querySelectorAll('.afi-app').length,
      cabecera: raiz?.querySelectorAll('.afi-header, .afi-footer').length,
      mainsDentro: raiz?.querySelectorAll('main').length,
      mainsPagina: document.querySelectorAll('main').length,
      hostSinApp: document.querySelectorAll('.afi-app').length,
    };
  });
  assert.deepEqual(forma, { app: 1, cabecera: 0, mainsDentro: 0, mainsPagina: 1, hostSinApp: 0 });
  await revisar(page, '1-inicio');

  await marcar(page);
  await page.getByRole('link', { name: /^Paso 1: Obtén o localiza tu Número de Seguridad Social/ }).click();
  await page.waitForURL(HOST + BASE_TRAMITE + '/tramite/nss');
  await page.getByRole('heading', { level: 1, name: 'Obtén o localiza tu Número de Seguridad Social' }).waitFor();
  assert.ok(await sinRecarga(page), 'an app link is routed by the app (no page load)');
  assert.equal(await enfocadoEnApp(page), 'H1', 'focus on the new heading, inside the shadow root');
  assert.match(await page.title(), /^Iniciar trámite/);
  const imagen = await esperarCaptcha(page);
  assert.ok(imagen.startsWith(BASE_URL + '/api/captcha/'), `the CAPTCHA comes from the API's origin: ${imagen}`);
  await revisar(page, '2-iniciar');

  // Continuar with nothing: the error summary, focused inside the app.
  await page.getByRole('button', { name: 'Continuar' }).click();
  await page.getByRole('alert').filter({ hasText: 'Hay un problema' }).waitFor();
  await page.waitForFunction(() => document.querySelector('afiliate-tramite').shadowRoot.activeElement?.closest('[role=alert]'));
  await revisar(page, '2-iniciar-errores');

  const correo = correoUnico('incrustado');
  await llenarInicio(page, CURP_LOCALIZADO, correo);
  await page.getByRole('button', { name: 'Continuar' }).click();
  await page.waitForURL(HOST + BASE_TRAMITE + '/tramite/nss/resultado');
  await page.getByRole('heading', { level: 1, name: /Tu NSS es:/ }).waitFor();
  const nss = (await page.getByTestId('nss').innerText()).trim();
  assert.match(nss, /^\d{11}$/);
  assert.equal(await enfocadoEnApp(page), 'H1');
  const enlaces = await page.locator('a', { hasText: 'Descargar' }).evaluateAll((as) => as.map((a) => a.href));
  assert.equal(enlaces.length, 2);
  for (const e of enlaces) assert.ok(e.startsWith(BASE_URL + '/api/documentos/'), `a document on the API's origin: ${e}`);
  await revisar(page, '3-localizado');
  const { nombre } = await descargarPdf(page, 'Número de Seguridad Social');
  assert.match(nombre, new RegExp(nss));
  const raw = await esperarCorreo(correo);
  assert.ok(raw.includes(nss), 'the e-mail carries the NSS');

  await page.getByRole('button', { name: 'Finalizar trámite' }).click();
  await page.waitForURL(HOST + BASE_TRAMITE + '/tramite/nss/fin');
  await page.getByRole('heading', { level: 1, name: 'Terminaste el Paso 1' }).waitFor();
  await revisar(page, '4-fin');
  assert.ok(await sinRecarga(page), 'the whole trámite ran in one page load');
  assert.deepEqual(page.consoleErrors.filter((e) => !/Failed to load resource/.test(e)), []);
  // Nothing but the host and the app's server was asked for (no CDN).
  const otros = page.foreignRequests.filter((u) => !u.startsWith(HOST + '/'));
  assert.deepEqual(otros, []);
  await context.close();
});

test('embedded: the assignment path, with the postal catalog from `assets`, to the documents', async () => {
  const { context, page } = await phonePage(browser, { width: 320, height: 700 });
  await abrirIncrustado(page, '/tramite/nss', 'Obtén o localiza tu Número de Seguridad Social');
  await esperarCaptcha(page);
  const correo = correoUnico('incrustado-asignacion');
  await llenarInicio(page, CURP_SIN_NSS, correo);
  await page.getByRole('button', { name: 'Continuar' }).click();
  await page.waitForURL(HOST + BASE_TRAMITE + '/tramite/nss/domicilio');
  await page.getByText('No se encontró un número asociado a tu CURP, se te asignará uno.').waitFor();

  const shard = page.waitForResponse((r) => r.url().startsWith(BASE_URL + '/catalogo/cp/'));
  await llenarDomicilio(page);
  assert.equal((await shard).status(), 200, 'the postal-code shard comes from the app server');
  await revisar(page, '5-domicilio');
  await page.getByRole('button', { name: 'Continuar' }).click();
  await page.waitForURL(HOST + BASE_TRAMITE + '/tramite/nss/revisar');
  await page.getByRole('heading', { level: 1, name: 'Revisa tus datos' }).waitFor();
  await revisar(page, '6-revisar');
  await page.getByRole('button', { name: 'Continuar' }).click();
  await page.waitForURL(HOST + BASE_TRAMITE + '/tramite/nss/resultado');
  await page.getByRole('heading', { level: 1, name: /Asignación de NSS exitosa\./ }).waitFor();
  const nss = (await page.getByTestId('nss').innerText()).trim();
  assert.match(nss, /^\d{11}$/);
  await revisar(page, '7-asignado');
  const raw = await esperarCorreo(correo);
  assert.ok(raw.includes(nss), 'the e-mail carries the NSS');
  await descargarPdf(page, 'Tarjeta de Número de Seguridad Social');
  assert.deepEqual(page.consoleErrors.filter((e) => !/Failed to load resource/.test(e)), []);
  await context.close();
});

// The styles compared: everything but geometry that depends on the width the app is given.
const PROPIEDADES = [
  'color', 'background-color', 'background-image', 'font-family', 'font-size', 'font-weight', 'font-style',
  'line-height', 'letter-spacing', 'word-spacing', 'text-transform', 'text-decoration-line', 'text-align',
  'text-indent', 'white-space', 'vertical-align', 'display', 'position', 'float', 'visibility', 'opacity',
  'box-sizing', 'margin-top', 'margin-bottom', 'padding-top', 'padding-right', 'padding-bottom', 'padding-left',
  'border-top-width', 'border-top-style', 'border-top-color', 'border-left-width', 'border-left-style',
  'border-top-left-radius', 'box-shadow', 'list-style-type', 'cursor', 'outline-style', 'text-shadow',
];

/**
 * tag.class and the PROPIEDADES of the element `selector` (in the shadow root of `sombra`, if given) and of every
 * element in it; `dentro`: of those in it only (the app's content is a <main> standalone, a <div> embedded).
 */
function estilosDe(page, { sombra, selector, dentro = false }) {
  return page.evaluate(({ sombra, selector, dentro, props }) => {
    const raiz = sombra ? document.querySelector(sombra).shadowRoot : document;
    const base = raiz.querySelector(selector);
    return [...(dentro ? [] : [base]), ...base.querySelectorAll('*')]
      .filter((el) => !['SCRIPT', 'AFILIATE-TRAMITE', 'STYLE', 'LINK'].includes(el.tagName))
      .map((el) => {
        const cs = getComputedStyle(el);
        return [el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''),
          Object.fromEntries(props.map((p) => [p, cs.getPropertyValue(p)]))];
      });
  }, { sombra, selector, dentro, props: PROPIEDADES });
}

/** The first difference between two style lists, or null. */
function diferencia(a, b) {
  if (a.length !== b.length) return `${a.length} elements against ${b.length}: ${a.map((x) => x[0]).join(' ')} | ${b.map((x) => x[0]).join(' ')}`;
  for (let i = 0; i < a.length; i++) {
    if (a[i][0] !== b[i][0]) return `element ${i}: ${a[i][0]} against ${b[i][0]}`;
    for (const p of PROPIEDADES) {
      if (a[i][1][p] !== b[i][1][p]) return `${a[i][0]} (element ${i}) ${p}: ${a[i][1][p]} against ${b[i][1][p]}`;
    }
  }
  return null;
}

for (const ancho of [360, 1280]) {
  test(`at ${ancho} px the host's styles do not reach the app, and the app's do not reach the host`, async () => {
    const { context, page } = await phonePage(browser, { width: ancho, height: 800 });
    for (const [ruta, h1] of [['', /tienes IMSS/], ['/tramite/nss', 'Obtén o localiza tu Número de Seguridad Social']]) {
      await page.goto(BASE_URL + ruta, { waitUntil: 'networkidle' });
      await page.getByRole('heading', { level: 1, name: h1 }).waitFor();
      // The prerendered snapshot has made way for the running app.
      await page.waitForFunction(() => document.querySelectorAll('#afi-contenido').length === 1);
      if (ruta) await page.waitForFunction(() => document.querySelector('.afi-captcha__image')?.complete);
      await page.evaluate(() => document.fonts.ready);
      const solo = await estilosDe(page, { selector: '#afi-contenido', dentro: true });
      await abrirIncrustado(page, ruta, h1);
      if (ruta) await esperarCaptcha(page);
      await page.evaluate(() => document.fonts.ready);
      const dentro = await estilosDe(page, { sombra: 'afiliate-tramite', selector: '#afi-contenido', dentro: true });
      assert.ok(solo.length > 20, `${solo.length} elements compared`);
      assert.equal(diferencia(solo, dentro), null, `the app's ${ruta || '/'} embedded looks as standalone`);
    }
    // The app's font is its own family: Montserrat in the app, and the host's fonts untouched.
    const fuentes = await page.evaluate(() => ({
      app: getComputedStyle(document.querySelector('afiliate-tramite').shadowRoot.querySelector('h1')).fontFamily,
      host: getComputedStyle(document.body).fontFamily,
      caras: [...document.fonts].map((f) => f.family.replace(/"/g, '')).filter((f) => f === 'Afiliate Montserrat').length,
      usada: document.fonts.check('16px "Afiliate Montserrat"'),
    }));
    assert.match(fuentes.app, /^"?Afiliate Montserrat"?,/);
    assert.match(fuentes.host, /^"?Montserrat"?, "Helvetica Neue"/);
    assert.equal(fuentes.caras, 3, 'three faces declared once, at document level');

    const conApp = await estilosDe(page, { selector: 'html' });
    await page.goto(HOST + BASE_TRAMITE + '/tramite/nss?sin-app', { waitUntil: 'networkidle' });
    assert.equal(await page.locator('afiliate-tramite').count(), 0);
    const sinApp = await estilosDe(page, { selector: 'html' });
    assert.ok(sinApp.length > 30, `${sinApp.length} host elements compared`);
    assert.equal(diferencia(sinApp, conApp), null, 'the host looks the same with the app in it');
    await context.close();
  });
}

test('embedded: back and forward across host and app URLs, a reload on an app URL, host links and form', async () => {
  const { context, page } = await phonePage(browser);
  await abrirIncrustado(page);
  await marcar(page);
  const antes = host.peticiones.length;

  // An app link: the app routes it, under `base`.
  await page.getByRole('link', { name: /^Paso 2: Verifica que tu escuela te haya inscrito al IMSS/ }).click();
  await page.waitForURL(HOST + BASE_TRAMITE + '/paso-2');
  await page.getByRole('heading', { level: 1, name: /Paso 2/ }).waitFor();
  assert.ok(await sinRecarga(page));
  await page.goBack();
  await page.waitForURL(HOST + BASE_TRAMITE);
  await page.getByRole('heading', { level: 1, name: /tienes IMSS/ }).waitFor();
  await page.goForward();
  await page.waitForURL(HOST + BASE_TRAMITE + '/paso-2');
  await page.getByRole('heading', { level: 1, name: /Paso 2/ }).waitFor();
  assert.ok(await sinRecarga(page), 'back and forward inside the app load no page');
  assert.equal(host.peticiones.slice(antes).filter((p) => p.startsWith(BASE_TRAMITE)).length, 0, 'the host was not asked');

  // A host link (the breadcrumb) is the browser's: a page load of the host's page.
  await page.getByRole('link', { name: 'Afíliate al IMSS', exact: true }).click();
  await page.waitForURL(HOST + '/afiliatealimss');
  await page.getByRole('heading', { level: 1, name: 'Página del sitio: /afiliatealimss' }).waitFor();
  // Back to the app's URL: the host serves its page there and the app opens on that route.
  await page.goBack();
  await page.waitForURL(HOST + BASE_TRAMITE + '/paso-2');
  await page.getByRole('heading', { level: 1, name: /Paso 2/ }).waitFor();
  await page.reload({ waitUntil: 'networkidle' });
  await page.getByRole('heading', { level: 1, name: /Paso 2/ }).waitFor();
  assert.ok(host.peticiones.includes(BASE_TRAMITE + '/paso-2'), 'the reload asked the host for the app URL');
  await revisar(page, '8-paso-2');

  // The host's menu (Bootstrap's collapse, on jQuery) and its search form work beside the app.
  const menu = page.getByRole('button', { name: 'Menú' });
  await menu.click();
  await page.waitForFunction(() => document.querySelector('#gobmx-menu').classList.contains('in'));
  assert.equal(await menu.getAttribute('aria-expanded'), 'true');
  await page.getByLabel('Buscar en gob.mx').fill('afiliación');
  await page.getByLabel('Buscar en gob.mx').press('Enter');
  await page.waitForURL(HOST + '/busqueda?q=afiliaci%C3%B3n');
  await page.getByRole('heading', { level: 1, name: 'Resultados de búsqueda' }).waitFor();
  await page.goBack();
  await page.getByRole('heading', { level: 1, name: /Paso 2/ }).waitFor();
  await page.getByRole('button', { name: 'Menú' }).click();
  await page.getByRole('link', { name: 'Trámites', exact: true }).click();
  await page.waitForURL(HOST + '/tramites');
  assert.deepEqual(page.consoleErrors.filter((e) => !/Failed to load resource/.test(e)), []);
  await context.close();
});
