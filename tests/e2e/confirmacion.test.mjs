// E-mail confirmation (the server's AFILIATE_CONFIRMAR_CORREO=true; xtask starts a second server with it, on the
// same database and SMTP server): Paso 1's form answers "Revisa tu correo", nothing else; the e-mail's link opens
// the result once, and a second time says the link is not valid any more.
//   AFILIATE_E2E_URL_CONFIRMAR  that server's URL
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phonePage, enfocado } from './support.mjs';
import { DEMO, correoUnico, esperarCaptcha, llenarInicio, revisarPantalla, esperarCorreo } from './nss_pages.mjs';

const URL_CONFIRMAR = process.env.AFILIATE_E2E_URL_CONFIRMAR ?? 'http://127.0.0.1:8081';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The confirmation link in a raw message: quoted-printable soft breaks and `=3D` undone. */
function enlaceDe(raw) {
  const plano = raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const m = plano.match(/https?:\/\/[^\s"<>]+\/tramite\/nss\/confirmar#t=[A-Za-z0-9_-]+/);
  assert.ok(m, `a confirmation link in the e-mail:\n${plano.slice(0, 2000)}`);
  return m[0];
}

test('with e-mail confirmation: revisa tu correo, the link opens the found NSS once, then says it was used', async () => {
  const { context, page } = await phonePage(browser);
  const correo = correoUnico('confirmacion');
  await page.goto(URL_CONFIRMAR + '/tramite/nss', { waitUntil: 'networkidle' });
  await page.getByRole('heading', { level: 1, name: 'Obtén o localiza tu Número de Seguridad Social' }).waitFor();
  await esperarCaptcha(page);
  await llenarInicio(page, { curp: DEMO.curpLocalizado, correo });
  await page.getByRole('button', { name: 'Continuar' }).click();

  await page.waitForURL(/\/tramite\/nss\/correo$/);
  const h1 = page.getByRole('heading', { level: 1, name: 'Revisa tu correo' });
  await h1.waitFor();
  assert.equal(await enfocado(page, 'tagName', 'H1'), 'H1', 'focus moves to the heading');
  const texto = await page.locator('main').innerText();
  assert.ok(texto.includes(correo), 'the address the link went to is shown');
  assert.doesNotMatch(texto.replace(correo, ''), /\d{11}|Tu NSS es/, 'no NSS on screen before the address is confirmed');
  await revisarPantalla(page, 'confirmacion-revisa-tu-correo');

  const enlace = enlaceDe(await esperarCorreo(correo));
  assert.ok(enlace.startsWith(URL_CONFIRMAR + '/tramite/nss/confirmar#t='), enlace);
  // The link, as the student opens it from the e-mail (in a new tab: the trámite's state starts empty).
  const otra = await context.newPage();
  await otra.goto(enlace, { waitUntil: 'networkidle' });
  await otra.waitForURL(/\/tramite\/nss\/resultado$/);
  const resultado = otra.getByRole('heading', { level: 1 });
  await resultado.waitFor();
  assert.match(await resultado.innerText(), /Tu NSS es:/);
  assert.match(await otra.locator('main').innerText(), /\d{11}/, 'the NSS is on screen');
  assert.ok(!(await otra.evaluate(() => location.href)).includes('#t='), 'the token left the address bar');

  // The same link again: used.
  const tercera = await context.newPage();
  await tercera.goto(enlace, { waitUntil: 'networkidle' });
  await tercera.getByRole('heading', { level: 1, name: 'Enlace no válido' }).waitFor();
  assert.match(await tercera.getByRole('alert').innerText(), /ya se usó o ya no es válido/);
  await revisarPantalla(tercera, 'confirmacion-enlace-usado');
  await context.close();
});

test('the link page without its token says what is missing', async () => {
  const { context, page } = await phonePage(browser);
  await page.goto(URL_CONFIRMAR + '/tramite/nss/confirmar', { waitUntil: 'networkidle' });
  await page.getByRole('heading', { level: 1, name: 'Enlace no válido' }).waitFor();
  assert.match(await page.getByRole('alert').innerText(), /le falta una parte/);
  await context.close();
});
