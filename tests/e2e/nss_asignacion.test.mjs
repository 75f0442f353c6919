// The assignment path: no NSS yet → address → Revisa tus datos → Asignación de NSS exitosa → e-mail + PDF.
// Also the same path with the keyboard only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phonePage, CAPTCHA, enfocado } from './support.mjs';
import {
  DEMO, abrirTramite, llenarInicio, llenarDomicilio, revisarPantalla, correoUnico, descargarPdf, campos, esperarCorreo,
} from './nss_pages.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('assignment path through to the e-mail and a PDF', async () => {
  const { context, page } = await phonePage(browser);
  await abrirTramite(page);
  const correo = correoUnico('asignacion');
  const curp = DEMO.curpSinNss[0];
  await llenarInicio(page, { curp, correo });
  await campos(page).continuar.click();

  await page.waitForURL(/\/tramite\/nss\/domicilio$/);
  await page.getByText('No se encontró un número asociado a tu CURP, se te asignará uno.').waitFor();
  await page.getByText('Paso 2 de 3: Ingresar domicilio').waitFor();
  assert.equal(await enfocado(page, 'tagName', 'H1'), 'H1', 'focus on the new heading');
  await revisarPantalla(page, '3-domicilio');

  // Continuar with nothing: the error summary, focused, and "Error: " in the title.
  await campos(page).continuar.click();
  const summary = page.getByRole('alert').filter({ hasText: 'Hay un problema' });
  await summary.waitFor();
  assert.match(await page.title(), /^Error: /);
  await revisarPantalla(page, '3-domicilio-errores');

  await llenarDomicilio(page, { interior: '4B' });
  await revisarPantalla(page, '3-domicilio-lleno');
  await campos(page).continuar.click();

  await page.waitForURL(/\/tramite\/nss\/revisar$/);
  await page.getByRole('heading', { level: 1, name: 'Revisa tus datos' }).waitFor();
  assert.ok(await page.getByRole('link', { name: 'Cambiar calle' }).isVisible());
  await revisarPantalla(page, '4-revisar');

  // "Cambiar" goes back with everything kept.
  await page.getByRole('link', { name: 'Cambiar calle' }).click();
  await page.waitForURL(/\/domicilio$/);
  assert.equal(await page.getByLabel('Calle', { exact: true }).inputValue(), 'Avenida Insurgentes Sur');
  await page.getByTestId('cp-estado').waitFor();
  await campos(page).continuar.click();
  await page.waitForURL(/\/revisar$/);

  await campos(page).continuar.click();
  await page.waitForURL(/\/tramite\/nss\/resultado$/);
  await page.getByRole('heading', { level: 1, name: /Asignación de NSS exitosa\./ }).waitFor();
  const nss = (await page.getByTestId('nss').innerText()).trim();
  assert.match(nss, /^\d{11}$/);
  await page.getByText('Paso 3 de 3: Finalizar trámite').waitFor();
  await revisarPantalla(page, '5-asignado');

  const raw = await esperarCorreo(correo);
  assert.ok(raw.includes(nss), 'the e-mail carries the NSS');
  assert.match(raw, /application\/pdf/i, 'with the PDFs attached');
  const { nombre } = await descargarPdf(page, 'Tarjeta de Número de Seguridad Social');
  assert.match(nombre, /\.pdf$/);
  await context.close();
});

test('keyboard only: the whole assignment path without a mouse', async () => {
  const { context, page } = await phonePage(browser, { width: 414, height: 800 });
  await abrirTramite(page);
  const correo = correoUnico('teclado');
  // Focus the CURP field by tabbing from the heading.
  await page.getByRole('heading', { level: 1 }).focus();
  const tabTo = async (locator, max = 15) => {
    for (let i = 0; i < max; i++) {
      if (await locator.evaluate((el) => el === document.activeElement)) return;
      await page.keyboard.press('Tab');
    }
    assert.fail('could not reach the control with Tab');
  };
  const c = campos(page);
  await tabTo(c.curp);
  await page.keyboard.type(DEMO.curpSinNss[1]);
  await tabTo(c.correo);
  await page.keyboard.type(correo);
  await tabTo(c.confirmacion);
  await page.keyboard.type(correo);
  await tabTo(c.captcha);
  await page.keyboard.type(CAPTCHA);
  await page.keyboard.press('Enter');

  await page.waitForURL(/\/domicilio$/);
  await page.getByRole('heading', { level: 1 }).waitFor();
  // The app moves focus to the new heading on the next frame: tab from there, not before it lands.
  assert.equal(await enfocado(page, 'tagName', 'H1'), 'H1');
  await tabTo(page.getByLabel('Código postal', { exact: true }), 20);
  await page.keyboard.type(DEMO.cp);
  await page.getByTestId('cp-estado').waitFor();
  const colonia = page.getByLabel('Colonia', { exact: true });
  await tabTo(colonia);
  await page.keyboard.press('ArrowDown');
  assert.notEqual(await colonia.inputValue(), '', 'a colonia chosen with the keyboard');
  await tabTo(page.getByLabel('Calle', { exact: true }));
  await page.keyboard.type('Calle Uno');
  await tabTo(page.getByLabel('Número exterior', { exact: true }));
  await page.keyboard.type('12');
  await tabTo(c.continuar);
  await page.keyboard.press('Enter');

  await page.waitForURL(/\/revisar$/);
  await page.getByRole('heading', { level: 1, name: 'Revisa tus datos' }).waitFor();
  assert.equal(await enfocado(page, 'tagName', 'H1'), 'H1');
  await tabTo(c.continuar, 30);
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/resultado$/);
  await page.getByRole('heading', { level: 1, name: /Asignación de NSS exitosa\./ }).waitFor();
  assert.equal(await enfocado(page, 'tagName', 'H1'), 'H1');
  assert.match((await page.getByTestId('nss').innerText()).trim(), /^\d{11}$/);
  await tabTo(page.getByRole('button', { name: 'Finalizar trámite' }), 40);
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/fin$/);
  await context.close();
});
