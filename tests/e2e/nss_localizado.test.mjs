// The "localizado" path: a student who already has an NSS gets it, with the documents, in two steps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phonePage, BASE_URL, enfocado } from './support.mjs';
import { DEMO, abrirTramite, llenarInicio, revisarPantalla, correoUnico, descargarPdf, campos, esperarCorreo } from './nss_pages.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('found path: Iniciar trámite → Tu NSS es → documents → Finalizar → what next', async () => {
  const { context, page } = await phonePage(browser);
  await abrirTramite(page);
  assert.match(await page.title(), /^Iniciar trámite/);
  await assert.doesNotReject(page.getByText('Paso 1 de 3: Iniciar trámite').waitFor());
  await revisarPantalla(page, '1-iniciar');

  const correo = correoUnico('localizado');
  await llenarInicio(page, { curp: DEMO.curpLocalizado.toLowerCase(), correo });
  await campos(page).continuar.click();

  await page.waitForURL(/\/tramite\/nss\/resultado$/);
  const h1 = page.getByRole('heading', { level: 1 });
  await h1.waitFor();
  assert.match(await h1.innerText(), /Tu NSS es:/);
  const nss = (await page.getByTestId('nss').innerText()).trim();
  assert.match(nss, /^\d{11}$/);
  // Two steps when found; focus on the new heading.
  await page.getByText('Paso 2 de 2: Finalizar trámite').waitFor();
  assert.equal(await enfocado(page, 'tagName', 'H1'), 'H1');
  await page.getByText('Tu Número de Seguridad Social (NSS), ha sido enviado a tu correo electrónico.').waitFor();
  assert.equal((await page.locator('dd').allInnerTexts()).filter((t) => t.includes(DEMO.curpLocalizado)).length, 1, await page.locator('dd').allInnerTexts());

  const rows = page.locator('tbody tr');
  assert.equal(await rows.count(), 2);
  const documentos = await page.locator('td[data-label="Documento"]').allInnerTexts();
  assert.match(documentos[0], /^Número de Seguridad Social/);
  assert.match(documentos[1], /^Tarjeta de Número de Seguridad Social/);
  assert.equal((await page.locator('td[data-label="Folio"]').allInnerTexts()).filter((f) => f.trim()).length, 2);
  assert.match((await page.locator('td[data-label="Fecha"]').allInnerTexts())[0], /^\d{2}\/\d{2}\/\d{4}$/);
  await revisarPantalla(page, '2-localizado');

  const { nombre } = await descargarPdf(page, 'Número de Seguridad Social');
  assert.match(nombre, new RegExp(nss));

  // Re-send the first document: its row confirms; the fourth time the same day answers the limit (3 a day).
  const reenviar = page.getByRole('button', { name: /^Reenviar por correo\s*:?\s+Número de Seguridad Social$/ });
  const estado = page.locator('tbody tr').first().locator('.afi-docs__status');
  const vistos = [];
  for (let i = 0; i < 4; i++) {
    await Promise.all([page.waitForResponse((r) => r.url().includes('/reenvios')), reenviar.click()]);
    await page.waitForFunction(() => !document.querySelector('tbody tr .afi-docs__status')?.textContent.startsWith('Enviando'));
    vistos.push(await estado.innerText());
  }
  assert.match(vistos[0], /El comprobante ha sido reenviado\.|Ya reenviaste este documento 3 veces hoy/);
  assert.match(vistos[3], /Ya reenviaste este documento 3 veces hoy/);

  if (process.env.AFILIATE_E2E_MAILDIR) {
    const raw = await esperarCorreo(correo);
    assert.ok(raw.includes(nss), 'the e-mail carries the NSS');
  }

  // The public verification page of that document (what its QR code opens): authentic, data partly masked.
  const folio = (await page.locator('td[data-label="Folio"]').first().innerText()).trim();
  const verificar = await context.newPage();
  await verificar.goto(BASE_URL + '/verificar/' + encodeURIComponent(folio), { waitUntil: 'networkidle' });
  await verificar.getByTestId('verificacion').waitFor();
  assert.match(await verificar.getByTestId('verificacion').innerText(), /Documento auténtico/);
  assert.ok(!(await verificar.content()).includes(nss), 'the NSS is masked');
  // The key that sealed it, as printed beside the seal on the PDF.
  assert.match((await verificar.getByTestId('clave-sello').innerText()).trim(), /^[0-9a-f]{12}$/);
  await revisarPantalla(verificar, '6-verificar');
  await verificar.close();

  // A reload keeps the result (sessionStorage).
  await page.reload({ waitUntil: 'networkidle' });
  assert.equal((await page.getByTestId('nss').innerText()).trim(), nss);

  await page.getByRole('button', { name: 'Finalizar trámite' }).click();
  await page.waitForURL(/\/tramite\/nss\/fin$/);
  await page.getByRole('heading', { level: 1, name: 'Terminaste el Paso 1' }).waitFor();
  assert.equal(await page.getByRole('link', { name: /^Paso 2: Verifica que tu escuela te haya inscrito al IMSS/ }).count(), 1);
  assert.equal(await page.getByRole('link', { name: /^Paso 3: Regístrate en la Clínica que te corresponde/ }).count(), 1);
  assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'Finalizar clears what was kept');
  await revisarPantalla(page, '5-fin');

  // Back on the trámite: nothing typed remains.
  await page.goto(BASE_URL + '/tramite/nss', { waitUntil: 'networkidle' });
  assert.equal(await campos(page).curp.inputValue(), '');

  assert.deepEqual(page.foreignRequests, [], 'no request to any other origin');
  assert.deepEqual(page.consoleErrors.filter((e) => !/Failed to load resource/.test(e)), []);
  await context.close();
});
