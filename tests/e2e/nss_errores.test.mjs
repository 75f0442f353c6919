// Every error path of "Iniciar trámite": its message, and a way forward that keeps what was typed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phonePage, BASE_URL, enfocado } from './support.mjs';
import { DEMO, abrirTramite, llenarInicio, revisarPantalla, correoUnico, campos, esperarCaptcha } from './nss_pages.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const summary = (page) => page.getByRole('alert').filter({ hasText: 'Hay un problema' });

async function abrir() {
  const { context, page } = await phonePage(browser);
  await abrirTramite(page);
  return { context, page };
}

test('empty submit: focused summary linking to each field, same words inline, "Error: " title', async () => {
  const { context, page } = await abrir();
  await campos(page).continuar.click();
  await summary(page).waitFor();
  assert.match(await page.title(), /^Error: Iniciar trámite/);
  assert.equal(await enfocado(page, 'id', 'afi-error-summary'), 'afi-error-summary');
  const links = summary(page).getByRole('link');
  assert.deepEqual(await links.allInnerTexts(), [
    'Escribe tu CURP.',
    'Escribe tu correo electrónico.',
    'Confirma tu correo electrónico.',
    'Escribe los caracteres de la imagen.',
  ]);
  // The same words under each field.
  for (const id of ['afi-curp', 'afi-correo', 'afi-confirmacion', 'afi-captcha']) {
    const inline = await page.locator(`#${id}-error`).innerText();
    assert.ok((await links.allInnerTexts()).some((t) => inline.endsWith(t)), `${id}: ${inline}`);
    assert.equal(await page.locator(`#${id}`).getAttribute('aria-invalid'), 'true');
  }
  await revisarPantalla(page, '1-iniciar-errores');
  // A summary link moves focus to its field.
  await links.nth(1).click();
  assert.equal(await enfocado(page, 'id', 'afi-correo'), 'afi-correo');
  await context.close();
});

test('format checked as a field loses focus; e-mail typo suggestion', async () => {
  const { context, page } = await abrir();
  const c = campos(page);
  await c.curp.fill('abc');
  await c.correo.focus();
  await page.locator('#afi-curp-error').waitFor();
  assert.equal(await summary(page).count(), 0, 'no summary before submit');
  await c.correo.fill('ana@gmial.com');
  await c.confirmacion.focus();
  const sugerencia = page.getByTestId('sugerencia-correo');
  await sugerencia.waitFor();
  assert.match(await sugerencia.innerText(), /¿Quisiste decir ana@gmail\.com\?/);
  await sugerencia.getByRole('button').click();
  assert.equal(await c.correo.inputValue(), 'ana@gmail.com');
  await context.close();
});

test('wrong CAPTCHA: a new image, its message, everything else kept', async () => {
  const { context, page } = await abrir();
  const correo = correoUnico('captcha');
  const src = await page.locator('.afi-captcha__image').getAttribute('src');
  // The same challenge spoken, for people who cannot see the image (WCAG 1.1.1).
  const audio = page.getByLabel(/Escucha los caracteres/);
  assert.equal(await audio.evaluate((el) => el.tagName), 'AUDIO');
  const audioSrc = await audio.getAttribute('src');
  assert.match(audioSrc, /^\/api\/captcha\/[^/]+\/audio$/);
  assert.equal(audioSrc.split('/')[3], src.split('/')[3], 'image and audio are one challenge');
  const wav = await page.request.get(new URL(audioSrc, page.url()).href);
  assert.equal(wav.status(), 200);
  assert.equal(wav.headers()['content-type'], 'audio/wav');
  assert.equal((await wav.body()).subarray(0, 4).toString(), 'RIFF');
  await llenarInicio(page, { curp: DEMO.curpLocalizado, correo, captcha: 'incorrecto' });
  await campos(page).continuar.click();
  await summary(page).waitFor();
  assert.match(await summary(page).innerText(), /captcha no fue válido/i);
  await esperarCaptcha(page);
  await page.waitForFunction((old) => document.querySelector('.afi-captcha__image')?.getAttribute('src') !== old, src);
  assert.notEqual(await audio.getAttribute('src'), audioSrc, 'the new challenge is spoken too');
  const c = campos(page);
  assert.equal(await c.curp.inputValue(), DEMO.curpLocalizado);
  assert.equal(await c.correo.inputValue(), correo);
  assert.equal(await c.confirmacion.inputValue(), correo);
  assert.equal(await c.captcha.inputValue(), '', 'only the CAPTCHA answer is cleared');
  await context.close();
});

test('a CURP that RENAPO does not know', async () => {
  const { context, page } = await abrir();
  await llenarInicio(page, { curp: DEMO.curpDesconocida, correo: correoUnico('renapo') });
  await campos(page).continuar.click();
  await summary(page).waitFor();
  assert.match(await summary(page).innerText(), /No se localizó información en RENAPO con la CURP capturada\./);
  assert.equal(await campos(page).curp.inputValue(), DEMO.curpDesconocida);
  await revisarPantalla(page, '1-iniciar-renapo');
  await context.close();
});

test('RENAPO down: the "falla técnica" message, try later, nothing lost', async () => {
  // The harness's server uses the local registry, which cannot be taken down from a browser test: the server's own
  // answer for that case (503 problem+json, crates/server/src/error.rs) is played back for this one request.
  const { context, page } = await abrir();
  const correo = correoUnico('caido');
  await llenarInicio(page, { curp: DEMO.curpLocalizado, correo });
  const detail = 'Debido a una falla técnica, no se pudo verificar tu CURP ante el Registro Nacional de Población. Intenta más tarde.';
  await page.route('**/api/nss/solicitudes', (route) => route.fulfill({
    status: 503,
    contentType: 'application/problem+json',
    body: JSON.stringify({ type: '/problemas/renapo-no-disponible', title: 'Falla técnica', status: 503, detail, errores: {} }),
  }));
  await campos(page).continuar.click();
  await summary(page).waitFor();
  assert.match(await summary(page).innerText(), /Debido a una falla técnica/);
  assert.equal(await campos(page).correo.inputValue(), correo);
  await context.close();
});

test('registry data that do not match the CURP: go to the subdelegación', async () => {
  const { context, page } = await abrir();
  await llenarInicio(page, { curp: DEMO.curpSubdelegacion, correo: correoUnico('subdelegacion') });
  await campos(page).continuar.click();
  await summary(page).waitFor();
  assert.match(await summary(page).innerText(), /Tu solicitud requiere que acudas a la subdelegación\./);
  await context.close();
});

test('daily limit: the message, nothing lost', async () => {
  const { context, page } = await abrir();
  const correo = correoUnico('limite');
  let limite = false;
  // Repeat the same request until the server's daily limit answers (bounded: the limit is small).
  for (let i = 0; i < 40 && !limite; i++) {
    await llenarInicio(page, { curp: DEMO.curpDesconocida, correo });
    await campos(page).continuar.click();
    await summary(page).waitFor();
    limite = /Has agotado el número de consultas permitidas por día\./.test(await summary(page).innerText());
    if (!limite) await esperarCaptcha(page);
  }
  assert.ok(limite, 'the daily limit answered');
  assert.equal(await campos(page).correo.inputValue(), correo);
  await revisarPantalla(page, '1-iniciar-limite');
  await context.close();
});

test('network down: a clear message, then retry keeps everything typed', async () => {
  const { context, page } = await abrir();
  const correo = correoUnico('red');
  await llenarInicio(page, { curp: DEMO.curpLocalizado, correo });
  await page.route('**/api/nss/solicitudes', (route) => route.abort('internetdisconnected'));
  await campos(page).continuar.click();
  await summary(page).waitFor();
  assert.match(await summary(page).innerText(), /No hay conexión con el servidor/);
  const c = campos(page);
  assert.equal(await c.curp.inputValue(), DEMO.curpLocalizado);
  assert.notEqual(await c.captcha.inputValue(), '', 'the request never arrived: the CAPTCHA answer stays');
  assert.equal(await c.continuar.isEnabled(), true);
  await revisarPantalla(page, '1-iniciar-sin-red');
  await page.unroute('**/api/nss/solicitudes');
  await c.continuar.click();
  await page.waitForURL(/\/resultado$/);
  await context.close();
});

test('server error: a message and the form stays usable', async () => {
  const { context, page } = await abrir();
  await llenarInicio(page, { curp: DEMO.curpLocalizado, correo: correoUnico('500') });
  await page.route('**/api/nss/solicitudes', (route) => route.fulfill({ status: 500, body: 'boom' }));
  await campos(page).continuar.click();
  await summary(page).waitFor();
  assert.match(await summary(page).innerText(), /Ocurrió un error en el servidor/);
  await page.unroute('**/api/nss/solicitudes');
  await esperarCaptcha(page);
  assert.equal(await campos(page).curp.inputValue(), DEMO.curpLocalizado);
  await context.close();
});

test('while the server works: the processing message, the button aria-disabled and focusable (no double submit)', async () => {
  const { context, page } = await abrir();
  await llenarInicio(page, { curp: DEMO.curpLocalizado, correo: correoUnico('espera') });
  let liberar;
  const retenida = new Promise((r) => { liberar = r; });
  let llamadas = 0;
  await page.route('**/api/nss/solicitudes', async (route) => { llamadas++; await retenida; await route.continue(); });
  await campos(page).continuar.click();
  await page.getByText('Su petición se está procesando... espere un momento.').first().waitFor();
  // GOV.UK's pattern: aria-disabled, not disabled, so the keyboard focus is not thrown away.
  assert.equal(await campos(page).continuar.getAttribute('aria-disabled'), 'true');
  assert.equal(await campos(page).continuar.evaluate((b) => b.disabled), false, 'not the disabled attribute');
  await campos(page).continuar.click({ force: true });
  await revisarPantalla(page, '1-iniciar-procesando');
  liberar();
  await page.waitForURL(/\/resultado$/);
  assert.equal(llamadas, 1);
  await context.close();
});

test('a reload keeps what was typed, never the CAPTCHA; back and forward work', async () => {
  const { context, page } = await abrir();
  const correo = correoUnico('recarga');
  await llenarInicio(page, { curp: DEMO.curpLocalizado, correo });
  await page.reload({ waitUntil: 'networkidle' });
  const c = campos(page);
  await esperarCaptcha(page);
  assert.equal(await c.curp.inputValue(), DEMO.curpLocalizado);
  assert.equal(await c.correo.inputValue(), correo);
  assert.equal(await c.captcha.inputValue(), '');
  assert.ok(!(await page.evaluate(() => JSON.stringify(sessionStorage))).includes('Ab3dE'));
  await page.goBack();
  await page.waitForURL(BASE_URL + '/');
  await page.goForward();
  await page.waitForURL(/\/tramite\/nss$/);
  assert.equal(await campos(page).correo.inputValue(), correo);
  await context.close();
});

test('verification page of an unknown folio says so', async () => {
  const { context, page } = await phonePage(browser);
  await page.goto(BASE_URL + '/verificar/NO-EXISTE-123', { waitUntil: 'networkidle' });
  await page.getByTestId('verificacion').waitFor();
  assert.match(await page.getByTestId('verificacion').innerText(), /No encontramos este documento|no/i);
  await revisarPantalla(page, '6-verificar-desconocido');
  await context.close();
});
