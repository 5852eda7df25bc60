// SPDX-License-Identifier: MIT
// A third-party CDP client on banata-local's proxy: playwright-core's connectOverCDP.
// Usage: node cdp_playwright.mjs <cdpUrl> <apiKey> <pageUrl> <expect: typed|held>
// Prints one JSON line: {"title", "value", "heldBack"} and exits 0, or an error and exits 1.
import { chromium } from 'playwright-core';

const [cdpUrl, apiKey, pageUrl, expect] = process.argv.slice(2);
const browser = await chromium.connectOverCDP(cdpUrl, { headers: { Authorization: `Bearer ${apiKey}` }, timeout: 20000 });
try {
  const context = browser.contexts()[0] ?? (await browser.newContext());
  const page = await context.newPage();
  await page.goto(pageUrl);
  const title = await page.title();
  await page.focus('#q');
  let heldBack = '';
  try {
    await page.keyboard.type('typed by playwright');
  } catch (error) {
    heldBack = String(error.message ?? error);
  }
  const value = await page.inputValue('#q');
  console.log(JSON.stringify({ title, value, heldBack, expect }));
} finally {
  // Disconnect only: the browser belongs to the sandbox.
  await browser.close();
}
