// Pasos 2 and 3 in the running app: the constancia de vigencia de derechos from the landing page to the PDF
// downloaded and e-mailed, each of its error paths, the clinic of a known and an unknown postal code, and the
// privacy notice. Demo data: crates/server/DEMO.md (`registry seed-demo`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phonePage, BASE_URL, CAPTCHA, expectNoAxeViolations, screenshot, expectNoHorizontalScroll, enfocado } from './support.mjs';
import { DEMO, abrirTramite, llenarInicio, correoUnico, descargarPdf, campos, esperarCorreo, esperarCaptcha } from './nss_pages.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// The documented people of Paso 2's states (crates/server/DEMO.md).
export const PASOS = {
  vigente: { curp: 'TOMV070418MDFRNLA4', nss: '09240701012' },
  sinInscripcion: { curp: 'CARA060903HMCSZNA2', nss: '09240601022' },
  baja: { curp: 'NASL060211MJCVTCA1', nss: '09240601030' },
  vencido: { curp: 'MEOR051027HNLNRCA0', nss: '09240501040' },
  nssDadoDeBaja: { curp: 'AUVP070130MPLGGLA8', nss: '09240701053' },
  variosNss: { curp: 'SACJ060606HGTLMRA8', nss: '09240601063' },
  // Well-formed (its check digit is right) and in no registry.
  curpDesconocida: 'ROTE061123HYNLMMA5',
  // Andrés's CURP with Valeria's NSS.
  nssAjeno: { curp: 'CARA060903HMCSZNA2', nss: '09240701012' },
  // A postal code the demo catalog's clinics serve, and one no clinic serves.
  cpConUmf: '04000',
  cpSinUmf: '20000',
};

const vigencia = (page) => ({
  ...campos(page),
  nss: page.getByLabel('NSS (Número de Seguridad Social)', { exact: true }),
});

/** Screenshot + axe + no horizontal scroll, at 360x740. */
async function revisar(page, nombre) {
  await expectNoHorizontalScroll(page);
  await expectNoAxeViolations(page, nombre);
  await screenshot(page, `pasos-${nombre}-360x740`);
}

async function abrirConstancia(page) {
  await page.goto(BASE_URL + '/tramite/vigencia', { waitUntil: 'networkidle' });
  await page.getByRole('heading', { level: 1, name: 'Solicitud de constancia de vigencia de derechos' }).waitFor();
  await esperarCaptcha(page);
}

async function pedirConstancia(page, { curp, nss, correo = correoUnico('vigencia'), captcha = CAPTCHA }) {
  const c = vigencia(page);
  await c.curp.fill(curp);
  await c.nss.fill(nss);
  await c.correo.fill(correo);
  await c.confirmacion.fill(correo);
  await c.captcha.fill(captcha);
  await c.continuar.click();
  return correo;
}

test('Paso 2 from the landing page: the constancia says SÍ, is downloaded and e-mailed, and leads to Paso 3', async () => {
  const { context, page } = await phonePage(browser);
  await page.goto(BASE_URL + '/', { waitUntil: 'networkidle' });
  await page.getByRole('link', { name: /^Paso 2: Verifica que tu escuela te haya inscrito/ }).click();
  await page.waitForURL(/\/paso-2$/);
  await page.getByRole('heading', { level: 1, name: /^Paso 2/ }).waitFor();
  await revisar(page, 'paso-2');

  await page.getByRole('link', { name: 'Solicitar constancia de vigencia' }).click();
  await page.waitForURL(/\/tramite\/vigencia$/);
  await esperarCaptcha(page);
  assert.equal(await page.getByRole('link', { name: '¿No te sabes tu NSS? Consúltalo aquí.' }).getAttribute('href'), '/tramite/nss');
  assert.equal(await page.getByTestId('aviso-formulario').getByRole('link', { name: 'Aviso de privacidad' }).count(), 1);
  await revisar(page, 'vigencia-formulario');

  const correo = await pedirConstancia(page, PASOS.vigente);
  await page.waitForURL(/\/tramite\/vigencia\/resultado$/);
  const h1 = page.getByRole('heading', { level: 1 });
  await h1.waitFor();
  assert.equal(await h1.innerText(), 'SÍ tienes derecho al servicio médico del IMSS');
  assert.equal(await enfocado(page, 'tagName', 'H1'), 'H1');
  const datos = await page.locator('.afi-datos').innerText();
  assert.ok(datos.includes(PASOS.vigente.curp) && datos.includes(PASOS.vigente.nss), datos);
  assert.match(datos, /seguro facultativo/i);
  assert.match(datos, /Registro patronal/);
  assert.match(datos, /Vigencia\s+Del \d{2}\/\d{2}\/\d{4} al \d{2}\/\d{2}\/\d{4}/);
  const documentos = await page.locator('td[data-label="Documento"]').allInnerTexts();
  assert.equal(documentos.length, 1);
  assert.match(documentos[0], /^Constancia de vigencia de derechos/);
  await revisar(page, 'vigencia-vigente');

  const { nombre, bytes } = await descargarPdf(page, 'Constancia de vigencia de derechos');
  assert.equal(nombre, `comprobanteVigenciaDerechos${PASOS.vigente.nss}.pdf`);
  assert.ok(bytes.length > 1000);
  if (process.env.AFILIATE_E2E_MAILDIR) {
    const raw = await esperarCorreo(correo);
    assert.ok(raw.includes(`comprobanteVigenciaDerechos${PASOS.vigente.nss}.pdf`), 'the e-mail carries the constancia');
  }

  // Its QR's page says what it certifies.
  const folio = (await page.locator('td[data-label="Folio"]').first().innerText()).trim();
  const verificar = await context.newPage();
  await verificar.goto(BASE_URL + '/verificar/' + encodeURIComponent(folio), { waitUntil: 'networkidle' });
  await verificar.getByTestId('verificacion').waitFor();
  assert.match(await verificar.getByTestId('verificacion').innerText(), /Documento auténtico/);
  const certifica = await verificar.locator('.afi-datos').innerText();
  assert.match(certifica, /Constancia de vigencia de derechos/);
  assert.match(certifica, /derecho/i);
  await verificar.close();

  // A reload keeps the result; then on to Paso 3, whose print link opens this constancia.
  await page.reload({ waitUntil: 'networkidle' });
  // The prerendered shell's heading shows until the app has started: wait for the app's, then read it whole.
  const titulo = page.getByRole('heading', { level: 1, name: /derecho al servicio médico/ });
  await titulo.waitFor();
  assert.equal(await titulo.innerText(), 'SÍ tienes derecho al servicio médico del IMSS');
  await page.getByRole('link', { name: 'Ir al Paso 3: tu clínica' }).click();
  await page.waitForURL(/\/paso-3$/);
  const imprimir = page.getByRole('link', { name: /^Imprimir mi constancia/ });
  assert.match(await imprimir.getAttribute('href'), /^\/documentos\/|^\/d\/|^\//);
  assert.deepEqual(page.consoleErrors, []);
  assert.deepEqual(page.foreignRequests, []);
  await context.close();
});

test('Paso 1 → Paso 2: CURP, NSS and correo come pre-filled from the NSS just found', async () => {
  const { context, page } = await phonePage(browser);
  await abrirTramite(page);
  const correo = correoUnico('prellenado');
  await llenarInicio(page, { curp: DEMO.curpLocalizado, correo });
  await campos(page).continuar.click();
  await page.waitForURL(/\/tramite\/nss\/resultado$/);
  const nss = (await page.getByTestId('nss').innerText()).trim();
  await page.getByRole('link', { name: /^Paso 2: solicita tu constancia/ }).click();
  await page.waitForURL(/\/tramite\/vigencia$/);
  await esperarCaptcha(page);
  const c = vigencia(page);
  assert.equal(await c.curp.inputValue(), DEMO.curpLocalizado);
  assert.equal(await c.nss.inputValue(), nss);
  assert.equal(await c.correo.inputValue(), correo);
  assert.equal(await c.confirmacion.inputValue(), correo);
  await context.close();
});

test('Paso 2 error paths: each with its message, where the student sees it, and nothing typed lost', async () => {
  const { context, page } = await phonePage(browser);
  await abrirConstancia(page);

  // Nothing typed: the summary lists every field in form order, focused; the title says "Error:".
  await vigencia(page).continuar.click();
  const resumen = page.getByRole('alert').filter({ hasText: 'Hay un problema' });
  await resumen.waitFor();
  const items = await resumen.locator('li').allInnerTexts();
  assert.equal(items.length, 5, items.join(' | '));
  assert.match(items[1], /NSS/);
  assert.match(await page.title(), /^Error: /);
  await revisar(page, 'vigencia-errores');

  // An NSS that belongs to somebody else: the server's message on the NSS field, a fresh CAPTCHA.
  await pedirConstancia(page, PASOS.nssAjeno);
  await page.locator('#afi-nss-error').waitFor();
  assert.match(await page.locator('#afi-nss-error').innerText(), /NSS/);
  assert.equal(await vigencia(page).curp.inputValue(), PASOS.nssAjeno.curp);
  assert.equal(await vigencia(page).captcha.inputValue(), '');
  await esperarCaptcha(page);

  // A wrong CAPTCHA.
  await pedirConstancia(page, { ...PASOS.baja, captcha: 'zzzzzz' });
  await page.locator('#afi-captcha-error').waitFor();
  assert.match(await page.locator('#afi-captcha-error').innerText(), /captcha no fue válido/i);
  await esperarCaptcha(page);

  // A CURP RENAPO does not know (not DEMO.curpDesconocida: Paso 1's tests use up its daily attempts).
  await pedirConstancia(page, { curp: PASOS.curpDesconocida, nss: '12230543212' });
  await page.locator('#afi-curp-error').waitFor();
  assert.match(await page.locator('#afi-curp-error').innerText(), /No se localizó información en RENAPO/);
  await esperarCaptcha(page);

  for (const [caso, persona, mensaje] of [
    ['varios NSS', PASOS.variosNss, /subdelegaci/],
    ['NSS dado de baja', PASOS.nssDadoDeBaja, /dado de baja/],
  ]) {
    await pedirConstancia(page, persona);
    await resumen.waitFor();
    await page.waitForFunction(() => document.querySelector('.afi-summary')?.textContent.length > 20);
    assert.match(await resumen.innerText(), mensaje, caso);
    await esperarCaptcha(page);
  }
  assert.deepEqual(page.consoleErrors.filter((e) => !/status of 4\d\d|503/.test(e)), []);
  await context.close();
});

test('Paso 2 without the right: the constancia says NO and what to do, for each reason', async () => {
  const { context, page } = await phonePage(browser);
  for (const [caso, persona, queHacer] of [
    ['sin-inscripcion', PASOS.sinInscripcion, /todavía no te inscribe/],
    ['baja', PASOS.baja, /te dio de baja/],
    ['vencido', PASOS.vencido, /no la renueva/],
  ]) {
    await abrirConstancia(page);
    await pedirConstancia(page, persona);
    await page.waitForURL(/\/tramite\/vigencia\/resultado$/);
    await page.getByTestId('vigencia').waitFor();
    assert.equal(await page.getByTestId('vigencia').innerText(), 'NO tienes derecho al servicio médico por ahora');
    assert.match(await page.getByTestId('que-hacer').innerText(), queHacer, caso);
    assert.match((await page.locator('td[data-label="Documento"]').allInnerTexts())[0], /^Constancia de vigencia de derechos/);
    await revisar(page, `vigencia-${caso}`);
    await page.getByRole('button', { name: 'Finalizar trámite' }).click();
    await page.waitForURL(new RegExp(`^${BASE_URL}/$`));
  }
  await context.close();
});

test('Paso 3: the clinic of a known postal code, and the real service\'s words for one no clinic serves', async () => {
  const { context, page } = await phonePage(browser);
  await page.goto(BASE_URL + '/paso-3', { waitUntil: 'networkidle' });
  await page.getByRole('heading', { level: 1, name: 'Paso 3: Regístrate en la Clínica que te corresponde' }).waitFor();
  const cp = page.getByLabel('Código postal de tu domicilio', { exact: true });
  await cp.fill(PASOS.cpConUmf);
  await page.getByRole('button', { name: 'Buscar mi clínica' }).click();
  const clinicas = page.getByTestId('clinicas');
  await clinicas.waitFor();
  const umf = page.getByTestId('umf').first();
  const texto = await umf.innerText();
  assert.match(texto, /Domicilio/);
  assert.match(texto, /Horario/);
  assert.match(await umf.getByRole('link').first().getAttribute('href'), /^tel:\d+$/);
  await page.getByText('Una fotografía tamaño infantil.').waitFor();
  assert.equal(await page.getByRole('link', { name: 'Obtener mi constancia' }).count(), 1);
  await revisar(page, 'paso-3-clinica');

  await cp.fill(PASOS.cpSinUmf);
  await page.getByRole('button', { name: 'Buscar mi clínica' }).click();
  await page.getByTestId('sin-umf').waitFor();
  assert.match(await page.getByTestId('sin-umf').innerText(),
    new RegExp(`El Código Postal ${PASOS.cpSinUmf} no se encuentra relacionado a ninguna Unidad Médica Familiar \\(UMF\\)`));
  assert.equal(await clinicas.count(), 0);
  await revisar(page, 'paso-3-sin-umf');

  await cp.fill('123');
  await page.getByRole('button', { name: 'Buscar mi clínica' }).click();
  await page.getByRole('alert').filter({ hasText: 'Hay un problema' }).waitFor();
  assert.match(await page.locator('#afi-cp-umf-error').innerText(), /5 números/);
  await context.close();
});

test('the privacy notice: linked from the footer, and says who, what, for what, how long and the ARCO rights', async () => {
  const { context, page } = await phonePage(browser);
  await page.goto(BASE_URL + '/', { waitUntil: 'networkidle' });
  await page.locator('footer').getByRole('link', { name: 'Aviso de privacidad' }).click();
  await page.waitForURL(/\/aviso-de-privacidad$/);
  await page.getByRole('heading', { level: 1, name: 'Aviso de privacidad' }).waitFor();
  const texto = await page.locator('main').innerText();
  for (const parte of ['Qué datos usamos', 'Para qué los usamos', 'Cuánto tiempo los guardamos', 'Tus derechos ARCO']) {
    assert.ok(texto.includes(parte), parte);
  }
  await revisar(page, 'aviso');
  await context.close();
});
