// Page objects and helpers for the NSS trámite's end-to-end tests (nss_*.test.mjs).
// Demo data: crates/server/DEMO.md (the server's `registry seed-demo`); override with env vars if it changes.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_URL, CAPTCHA, MAILDIR, expectNoAxeViolations, screenshot, expectNoHorizontalScroll } from './support.mjs';

export const DEMO = {
  // A student who already has an NSS (the "localizado" path).
  curpLocalizado: process.env.AFILIATE_E2E_CURP_LOCALIZADO ?? 'GALM050314MDFRPRA7',
  // Students without an NSS (the assignment path); each test uses its own, since a CURP is assigned once.
  curpSinNss: (process.env.AFILIATE_E2E_CURP_SIN_NSS ?? 'MARL060822HNLRMSA9,HECS051102MPLRRFA2').split(','),
  // A well-formed CURP that RENAPO does not know.
  curpDesconocida: process.env.AFILIATE_E2E_CURP_DESCONOCIDA ?? 'FOGE060109HYNLMMA1',
  // A CURP whose registry data do not match ("acude a la subdelegación").
  curpSubdelegacion: process.env.AFILIATE_E2E_CURP_SUBDELEGACION ?? 'PESD050630MMCRTNA3',
  // A postal code in the catalog and one of its colonias.
  cp: process.env.AFILIATE_E2E_CP ?? '01000',
  colonia: process.env.AFILIATE_E2E_COLONIA ?? '',
};

/** A fresh e-mail for each run, so the Maildir check finds this run's message. */
export function correoUnico(prefix = 'e2e') {
  return `${prefix}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@example.mx`;
}

export const campos = (page) => ({
  curp: page.getByLabel('CURP', { exact: true }),
  correo: page.getByLabel('Correo electrónico', { exact: true }),
  confirmacion: page.getByLabel('Confirma tu correo electrónico', { exact: true }),
  captcha: page.getByLabel('Escribe los caracteres de la imagen', { exact: true }),
  continuar: page.getByRole('button', { name: 'Continuar' }),
});

/** Opens the trámite from the landing page's Paso 1 link. */
export async function abrirTramite(page) {
  await page.goto(BASE_URL + '/', { waitUntil: 'networkidle' });
  await page.getByRole('link', { name: /^Paso 1: Obtén o localiza tu Número de Seguridad Social/ }).click();
  await page.waitForURL(/\/tramite\/nss$/);
  await page.getByRole('heading', { level: 1, name: 'Obtén o localiza tu Número de Seguridad Social' }).waitFor();
  await esperarCaptcha(page);
}

/** Waits for the CAPTCHA image to be on screen and loaded. */
export async function esperarCaptcha(page) {
  const img = page.getByRole('img', { name: /Imagen de verificación/ });
  await img.waitFor();
  await page.waitForFunction(() => {
    const i = document.querySelector('.afi-captcha__image');
    return i && i.complete && i.naturalWidth > 0;
  });
  return img;
}

export async function llenarInicio(page, { curp, correo, confirmacion = correo, captcha = CAPTCHA }) {
  const c = campos(page);
  await c.curp.fill(curp);
  await c.correo.fill(correo);
  await c.confirmacion.fill(confirmacion);
  await c.captcha.fill(captcha);
}

/** Screenshot + axe + no horizontal scroll: what every screen must pass. */
export async function revisarPantalla(page, nombre) {
  await expectNoHorizontalScroll(page);
  await expectNoAxeViolations(page, nombre);
  await screenshot(page, `nss-${nombre}-360x740`);
}

/** Fills the address with the catalog's first colonia (or DEMO.colonia) and continues to "Revisa tus datos". */
export async function llenarDomicilio(page, { cp = DEMO.cp, calle = 'Avenida Insurgentes Sur', numero = '1500', interior = '' } = {}) {
  await page.getByLabel('Código postal', { exact: true }).fill(cp);
  const colonia = page.getByLabel('Colonia', { exact: true });
  await page.getByTestId('cp-estado').waitFor();
  const options = await colonia.locator('option').allTextContents();
  assert.ok(options.length >= 2, `colonias for ${cp}: ${options}`);
  if (DEMO.colonia) await colonia.selectOption({ label: new RegExp(DEMO.colonia) });
  else await colonia.selectOption({ index: 1 });
  await page.getByLabel('Calle', { exact: true }).fill(calle);
  await page.getByLabel('Número exterior', { exact: true }).fill(numero);
  if (interior) await page.getByLabel('Número interior (opcional)', { exact: true }).fill(interior);
}

/** Waits for a message to the given address in the SMTP test server's Maildir; returns its raw text. */
export async function esperarCorreo(to, { intentos = 300 } = {}) {
  assert.ok(MAILDIR, 'AFILIATE_E2E_MAILDIR is set');
  const dir = join(MAILDIR, 'new');
  for (let i = 0; i < intentos; i++) {
    if (existsSync(dir)) {
      for (const f of readdirSync(dir)) {
        const raw = readFileSync(join(dir, f), 'latin1');
        if (raw.toLowerCase().includes(to.toLowerCase())) return raw;
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`no e-mail to ${to} in ${dir}`);
}

/** Downloads a document of the result screen and checks it is a PDF. */
export async function descargarPdf(page, documento = 'Número de Seguridad Social') {
  const link = page.getByRole('link', { name: new RegExp(`^Descargar\\s*:?\\s+${documento}$`) });
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.match(download.suggestedFilename(), /\.pdf$/i);
  const path = await download.path();
  const bytes = readFileSync(path);
  assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  return { nombre: download.suggestedFilename(), bytes };
}
