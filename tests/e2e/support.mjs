// Shared helpers for the end-to-end tests: Debian's Chromium through playwright-core, axe, screenshots.
//
// `cargo xtask test` starts the real server (SQLite, the demo registry, the fixed test CAPTCHA, a real SMTP server)
// and runs `node --test` here with:
//   AFILIATE_E2E_URL       base URL of the server, e.g. http://127.0.0.1:18080
//   AFILIATE_E2E_CAPTCHA   the fixed CAPTCHA answer the server accepts
//   AFILIATE_E2E_MAILDIR   the SMTP test server's Maildir (messages arrive in <dir>/new)
//   AFILIATE_E2E_ARTIFACTS where screenshots go (default tests/artifacts)
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';

export const BASE_URL = process.env.AFILIATE_E2E_URL ?? 'http://127.0.0.1:8080';
export const CAPTCHA = process.env.AFILIATE_E2E_CAPTCHA ?? 'Ab3dE';
export const MAILDIR = process.env.AFILIATE_E2E_MAILDIR ?? '';
export const ARTIFACTS = process.env.AFILIATE_E2E_ARTIFACTS ?? join(process.cwd(), '..', 'artifacts');

/** Launches Debian's Chromium (never a downloaded browser) headless, as root. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A phone-sized page (360x740 unless told otherwise) that fails the test on any request to another origin
 * and records console errors.
 */
export async function phonePage(browser, { width = 360, height = 740 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'es-MX', acceptDownloads: true });
  const page = await context.newPage();
  const origin = new URL(BASE_URL).origin;
  page.foreignRequests = [];
  page.consoleErrors = [];
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) page.foreignRequests.push(url);
  });
  page.on('console', (msg) => { if (msg.type() === 'error') page.consoleErrors.push(msg.text()); });
  page.on('pageerror', (err) => page.consoleErrors.push(String(err)));
  return { context, page };
}

/**
 * The focused element's `prop` (`id`, `tagName`…) once it is `esperado`, or whatever it is after `timeout` ms.
 * The app moves focus in the next animation frame (after the click's own focus on the link, after a render), so
 * reading it at once races the browser.
 */
export async function enfocado(page, prop, esperado, timeout = 5000) {
  await page
    .waitForFunction(([p, e]) => document.activeElement?.[p] === e, [prop, esperado], { timeout })
    .catch(() => {});
  return page.evaluate((p) => document.activeElement?.[p], prop);
}

/** Runs axe (WCAG 2.0/2.1/2.2 A and AA) and asserts there is no violation. */
export async function expectNoAxeViolations(page, label) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  const summary = results.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(summary, [], `axe violations on ${label}`);
}

/** Saves a full-page screenshot as a test artifact. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Asserts the page does not scroll horizontally (phones: 320 to 414 px). */
export async function expectNoHorizontalScroll(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
}
