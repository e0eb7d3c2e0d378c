// `cargo xtask bench widget`: what the widget costs a host page and a
// visitor, in headless Chromium against the real server, as medians of
// FERROCHAT_BENCH_RUNS runs (10 by default). A benchmark, not a test: it
// prints figures and fails only if a step cannot run.
//
// - the loader's main-thread script time on the host page (the page's
//   ScriptDuration with the loader, less the same page without it);
// - click on the bubble to a usable composer, with a cold cache (a new
//   browser context) and a warm one (the same context, a new page);
// - an agent's message posted through the API to its line painted;
// - a conversation of 2,000 messages: opened to its latest line painted,
//   then scrolled to its first line page by page, with the longest frame
//   seen meanwhile; then the frame's JavaScript heap (after a collection)
//   and its wasm memory.

import { NO_IDLE, SEL, agentApi, conversations, launchChromium, startServer } from '../e2e/support.mjs';
import { conversationWith } from '../e2e/history.mjs';

const RUNS = Number(process.env.FERROCHAT_BENCH_RUNS ?? 10);
const HISTORY = 2_000;

/** In every frame, at document start: the host notes the click on the bubble; the app's frame notes when its composer is usable and when each line it watches for is painted. */
function hooks() {
  const now = () => performance.timeOrigin + performance.now();
  if (window.top === window) {
    addEventListener('pointerdown', () => (window.clicked ??= now()), true);
    return;
  }
  if (location.pathname !== '/widget') return;
  window.painted = {};
  new MutationObserver(() => {
    if (!window.interactive && document.querySelector('.fc-send:not([disabled])')) window.interactive = now();
    for (const bubble of document.querySelectorAll('.fc-message--agent .fc-bubble')) {
      const text = bubble.textContent;
      if (/^(bench \d+|History 2000)$/.test(text) && !(text in window.painted)) {
        window.painted[text] = 0;
        requestAnimationFrame(() => setTimeout(() => (window.painted[text] = now())));
      }
    }
  }).observe(document, { childList: true, subtree: true, attributes: true });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const ms = (value) => `${value.toFixed(1)} ms`;
const sleep = (millis) => new Promise((resolve) => setTimeout(resolve, millis));

const appFrame = (page) => page.frames().find((frame) => URL.parse(frame.url())?.pathname === '/widget');

async function context(browser, stored) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  await context.addInitScript(NO_IDLE);
  await context.addInitScript(hooks);
  if (stored) {
    await context.addInitScript(
      ([key, value]) => window.top === window && localStorage.setItem(key, value),
      [`ferrochat:${server.inbox}`, JSON.stringify(stored)],
    );
  }
  return context;
}

/** Opens the demo page and the chat; the milliseconds from the click to a usable composer. */
async function open(page) {
  await page.goto(`${server.host}/`);
  await sleep(300);
  await page.locator(SEL.bubble).click();
  const frame = await waitFor(() => appFrame(page));
  await frame.waitForFunction(() => window.interactive, null, { timeout: 30_000 });
  const clicked = await page.evaluate(() => window.clicked);
  return (await frame.evaluate(() => window.interactive)) - clicked;
}

async function waitFor(find) {
  for (let tries = 0; tries < 300; tries++) {
    const found = find();
    if (found) return found;
    await sleep(50);
  }
  throw new Error('the app frame never came');
}

/** The page's main-thread script time after loading `path` and settling. */
async function scriptTime(browser, path) {
  const context = await browser.newContext();
  try {
    await context.addInitScript(NO_IDLE);
    await context.route(`${server.host}/bench/**`, (route) => {
      const loader = route.request().url().endsWith('with.html')
        ? `<script async src="/ferrochat.js" data-inbox="${server.inbox}"></script>`
        : '';
      return route.fulfill({
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body><h1>A shop</h1>${loader}</body></html>`,
      });
    });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(`${server.host}${path}`, { waitUntil: 'load' });
    await sleep(500);
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((metric) => metric.name === 'ScriptDuration').value * 1000;
  } finally {
    await context.close();
  }
}

const browser = await launchChromium();
const server = await startServer();
const rows = [];
try {
  // The loader on the host page.
  const loader = [];
  for (let run = 0; run < RUNS; run++) {
    const without = await scriptTime(browser, '/bench/without.html');
    const withLoader = await scriptTime(browser, '/bench/with.html');
    loader.push(withLoader - without);
  }
  rows.push(['loader main-thread script time on the host page', ms(median(loader))]);

  // Click to interactive, cold then warm; then agent messages, painted.
  const cold = [];
  const warm = [];
  const painted = [];
  for (let run = 0; run < RUNS; run++) {
    const visitor = await context(browser);
    try {
      const first = await visitor.newPage();
      cold.push(await open(first));
      // A first message makes the conversation the warm visit resumes.
      const app = appFrame(first);
      await app.locator(SEL.composer).fill('Hello');
      await app.locator(SEL.send).click();
      await app.locator(`${SEL.visitor}:not(${SEL.pending})`).first().waitFor();
      await first.close();
      const again = await visitor.newPage();
      warm.push(await open(again));
      const frame = appFrame(again);
      await frame.locator('.fc-status--live').waitFor({ timeout: 15_000 });
      const conversation = Math.max(...(await conversations(server)).map((each) => each.id));
      const text = `bench ${run}`;
      const posted = Date.now();
      await agentApi(server, 'POST', `/conversations/${conversation}/messages`, { content: text, message_type: 'outgoing' });
      await frame.waitForFunction((text) => window.painted[text] > 0, text, { timeout: 15_000 });
      painted.push((await frame.evaluate((text) => window.painted[text], text)) - posted);
    } finally {
      await visitor.close();
    }
  }
  rows.push(['click to usable composer, cold cache', ms(median(cold))]);
  rows.push(['click to usable composer, warm cache (a returning visitor)', ms(median(warm))]);
  rows.push(['agent message posted to line painted', ms(median(painted))]);

  // 2,000 messages.
  const { stored } = await conversationWith(server, HISTORY, { parallel: 8 });
  const opened = [];
  const scrolled = [];
  const longest = [];
  const heap = [];
  const stores = [];
  for (let run = 0; run < RUNS; run++) {
    const visitor = await context(browser, stored);
    try {
      const page = await visitor.newPage();
      await page.goto(`${server.host}/`);
      await sleep(300);
      await page.locator(SEL.bubble).click();
      const frame = await waitFor(() => appFrame(page));
      await frame.waitForFunction((text) => window.painted[text] > 0, `History ${HISTORY}`, { timeout: 30_000 });
      opened.push((await frame.evaluate((text) => window.painted[text], `History ${HISTORY}`)) - (await page.evaluate(() => window.clicked)));
      // Page by page to the first line, each scroll waiting for its page,
      // with every frame's length noted.
      const { took, worst } = await frame.evaluate(async () => {
        const list = document.querySelector('[role=log]');
        let last = performance.now();
        let worst = 0;
        let measuring = true;
        const tick = () => {
          const now = performance.now();
          worst = Math.max(worst, now - last);
          last = now;
          if (measuring) requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
        const start = performance.now();
        const first = () => [...list.querySelectorAll('.fc-bubble')].some((bubble) => bubble.textContent === 'History 1');
        const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
        while (!first()) {
          const count = list.querySelectorAll('.fc-message').length;
          // As a visitor scrolls: from where the last page left the view.
          await frame();
          list.scrollTo(0, 0);
          const asked = performance.now();
          while (list.querySelectorAll('.fc-message').length === count) {
            if (performance.now() - asked > 10_000) throw new Error('a page never came');
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        }
        measuring = false;
        return { took: performance.now() - start, worst };
      });
      scrolled.push(took);
      longest.push(worst);
      const cdp = await visitor.newCDPSession(frame);
      await cdp.send('HeapProfiler.collectGarbage');
      const usage = await cdp.send('Runtime.getHeapUsage');
      heap.push(usage.usedSize / 1024 / 1024);
      // Every WebAssembly.Memory in the frame (the app's one), by its buffer.
      const prototype = await cdp.send('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype' });
      const { objects } = await cdp.send('Runtime.queryObjects', { prototypeObjectId: prototype.result.objectId });
      const { result } = await cdp.send('Runtime.callFunctionOn', {
        objectId: objects.objectId,
        functionDeclaration: 'function () { return this.reduce((sum, memory) => sum + memory.buffer.byteLength, 0); }',
        returnByValue: true,
      });
      stores.push(result.value / 1024 / 1024);
    } finally {
      await visitor.close();
    }
  }
  rows.push([`${HISTORY.toLocaleString('en')} messages: click to latest line painted`, ms(median(opened))]);
  rows.push([`${HISTORY.toLocaleString('en')} messages: scrolled to the first, page by page (100 pages)`, ms(median(scrolled))]);
  rows.push([`${HISTORY.toLocaleString('en')} messages: longest frame while scrolling`, ms(median(longest))]);
  rows.push(['then: the frame\'s JavaScript heap, used', `${median(heap).toFixed(1)} MB`]);
  rows.push(['then: its wasm memory', `${median(stores).toFixed(1)} MB`]);
} finally {
  await browser.close();
  await server.remove();
}

console.log(`\nwidget, median of ${RUNS} runs each\n`);
console.log('| what | median |\n|---|---|');
for (const [what, value] of rows) console.log(`| ${what} | ${value} |`);
