// The landing page: the "Afíliate al IMSS" microsite, on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phonePage, expectNoAxeViolations, screenshot, expectNoHorizontalScroll, BASE_URL } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('landing page at 360x740: heading, the three Paso links, no axe violation, nothing from other origins', async () => {
  const { context, page } = await phonePage(browser);
  await page.goto(BASE_URL + '/', { waitUntil: 'networkidle' });

  const heading = page.getByRole('heading', { level: 1 });
  await heading.waitFor();
  assert.match(await heading.innerText(), /Si eres estudiante de prepa o universidad pública tienes IMSS/i);

  const pasos = [
    /Paso 1: Obtén o localiza tu Número de Seguridad Social/,
    /Paso 2: Verifica que tu escuela te haya inscrito/,
    /Paso 3: Regístrate en la Clínica que te corresponde/,
  ];
  for (const name of pasos) {
    const link = page.getByRole('link', { name });
    assert.equal(await link.count(), 1, `one link named ${name}`);
    assert.ok(await link.isVisible(), `${name} is visible`);
  }

  // The app lives inside its host element, not on the whole body.
  assert.equal(await page.locator('#afiliate .afi-app').count(), 1);
  // Montserrat is self-hosted and used, under the app's own family name (a host page may declare its own Montserrat).
  const font = await heading.evaluate((el) => getComputedStyle(el).fontFamily);
  assert.match(font, /Montserrat/);
  assert.ok(await page.evaluate(() => document.fonts.check('16px "Afiliate Montserrat"')), 'Montserrat loaded');

  await expectNoHorizontalScroll(page);
  await expectNoAxeViolations(page, 'landing');
  await screenshot(page, 'landing-360x740');
  assert.deepEqual(page.foreignRequests, [], 'no request to any other origin');
  assert.deepEqual(page.consoleErrors, [], 'no console errors');
  await context.close();
});

test('landing page at 320 px has no horizontal scroll', async () => {
  const { context, page } = await phonePage(browser, { width: 320, height: 640 });
  await page.goto(BASE_URL + '/', { waitUntil: 'networkidle' });
  await page.getByRole('heading', { level: 1 }).waitFor();
  await expectNoHorizontalScroll(page);
  await context.close();
});
