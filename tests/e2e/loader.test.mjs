// The loader on the demo host page: what it fetches and when, the bubble's
// isolation from the host's CSS, the iframe's placement, and the bridge with
// the app. The bridge tests stand a scripted page in for the app at
// `/widget`, so they check the loader's half of the protocol alone.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { NO_IDLE, SEL, eventually, launchChromium, recordingPage, startServer } from './support.mjs';

let server;
let browser;

before(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
});

after(async () => {
  await browser?.close();
  await server?.remove();
});

/** A fresh browser context (no storage, no cache) and a recording page. */
async function open({ idle = false, viewport } = {}) {
  const context = await browser.newContext(viewport ? { viewport } : {});
  if (!idle) await context.addInitScript(NO_IDLE);
  const recording = await recordingPage(context);
  return { context, ...recording };
}

const isWidgetUrl = (url) => new URL(url).pathname.startsWith('/widget');

describe('lazy loading', () => {
  test('the host page fetches only the loader until the visitor hovers the bubble', async () => {
    const { context, page, requests, problems } = await open();
    try {
      await page.goto(`${server.host}/`);
      await page.waitForLoadState('load');
      await page.locator(SEL.bubble).waitFor({ state: 'visible' });
      await sleep(1_000);
      const fetched = requests.filter((url) => !url.endsWith('/favicon.ico'));
      assert.deepEqual(fetched, [`${server.host}/`, `${server.base}/ferrochat.js`]);
      assert.equal(await page.locator(SEL.frame).count(), 0, 'no iframe before a trigger');

      const wasm = page.waitForResponse((response) => response.url().endsWith('/widget/widget_bg.wasm'));
      await page.locator(SEL.bubble).hover();
      const frame = page.locator(SEL.frame);
      await frame.waitFor({ state: 'attached' });
      const src = new URL(await frame.getAttribute('src'));
      assert.equal(src.origin, server.base);
      assert.equal(src.pathname, '/widget');
      assert.equal(src.searchParams.get('inbox'), server.inbox);
      assert.equal(src.searchParams.get('origin'), server.host);
      // Served precompressed, as the size figures assume.
      assert.equal((await wasm).headers()['content-encoding'], 'br');
      // The app starts in the iframe (under its CSP), which stays hidden until opened.
      await page.frameLocator(SEL.frame).locator('.fc-app').waitFor({ state: 'attached' });
      assert.equal(await frame.isVisible(), false);
      assert.equal(await page.locator(SEL.bubble).getAttribute('aria-expanded'), 'false');
      assert.deepEqual(
        requests.filter(isWidgetUrl).map((url) => new URL(url).pathname).sort(),
        ['/widget', '/widget/widget.css', '/widget/widget.js', '/widget/widget_bg.wasm'],
      );
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('keyboard focus on the bubble loads the chat too', async () => {
    const { context, page, requests } = await open();
    try {
      await page.goto(`${server.host}/`);
      await page.locator(SEL.bubble).waitFor({ state: 'visible' });
      assert.equal(requests.filter(isWidgetUrl).length, 0);
      await page.locator(SEL.bubble).focus();
      await page.locator(SEL.frame).waitFor({ state: 'attached' });
      await eventually('the shell to be requested', () => requests.some(isWidgetUrl));
    } finally {
      await context.close();
    }
  });

  test('an idle page loads the chat by itself, hidden', async () => {
    const { context, page, problems } = await open({ idle: true });
    try {
      await page.goto(`${server.host}/`);
      await page.locator(SEL.frame).waitFor({ state: 'attached', timeout: 7_000 });
      await page.frameLocator(SEL.frame).locator('.fc-app').waitFor({ state: 'attached' });
      assert.equal(await page.locator(SEL.frame).isVisible(), false);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('$ferrochat.open() loads and shows the chat', async () => {
    const { context, page } = await open();
    try {
      await page.goto(`${server.host}/`);
      await page.waitForFunction(() => window.$ferrochat && window.$ferrochat.open);
      await page.evaluate(() => window.$ferrochat.open());
      await page.locator(SEL.frame).waitFor({ state: 'visible' });
      assert.equal(await page.locator(SEL.bubble).getAttribute('aria-expanded'), 'true');
    } finally {
      await context.close();
    }
  });
});

describe('the bubble and the window', () => {
  test('host CSS neither reaches the bubble nor is joined by ours', async () => {
    const { context, page } = await open();
    try {
      await page.goto(`${server.host}/`);
      const bubble = page.locator(SEL.bubble);
      await bubble.waitFor({ state: 'visible' });
      // The loader added no stylesheet to the document, and the host's own
      // buttons keep the host's look.
      assert.equal(await page.evaluate(() => document.styleSheets.length), 1);
      const hostButton = page.locator('main button').first();
      assert.equal(await hostButton.evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(232, 184, 109)');

      // Hostile host rules, added after the bubble exists.
      await page.addStyleTag({
        content:
          '* { color: red !important; font-size: 40px !important; line-height: 3 !important }' +
          ' button, ferrochat-widget { display: none !important; width: 3px !important; background: lime !important }' +
          ' svg { display: none !important } div, b { visibility: hidden !important }',
      });
      await bubble.waitFor({ state: 'visible' });
      const box = await bubble.boundingBox();
      const viewport = page.viewportSize();
      assert.deepEqual(
        [box.width, box.height, box.x + box.width, box.y + box.height],
        [56, 56, viewport.width - 20, viewport.height - 20],
      );
      const style = await bubble.evaluate((b) => {
        const css = getComputedStyle(b);
        const icon = getComputedStyle(b.querySelector('svg'));
        return [css.backgroundColor, css.color, getComputedStyle(b.querySelector('b')).fontSize, icon.display, icon.visibility];
      });
      // The icon is a flex item, hence `block`; its colour is computed from
      // the brand's lightness, white on the default blue.
      assert.deepEqual(style, ['rgb(37, 87, 214)', 'oklch(1 0 0)', '12px', 'block', 'visible']);
    } finally {
      await context.close();
    }
  });

  test('the window sits above the bubble on a wide screen and fills a narrow one', async () => {
    const wide = await open({ viewport: { width: 1280, height: 800 } });
    try {
      await wide.page.goto(`${server.host}/`);
      await wide.page.locator(SEL.bubble).click();
      const frame = wide.page.locator(SEL.frame);
      await frame.waitFor({ state: 'visible' });
      const box = await frame.boundingBox();
      assert.deepEqual([box.width, box.height, box.x + box.width, box.y + box.height], [380, 640, 1260, 712]);
      await wide.page.locator(SEL.bubble).click();
      await frame.waitFor({ state: 'hidden' });
    } finally {
      await wide.context.close();
    }
    const narrow = await open({ viewport: { width: 375, height: 667 } });
    try {
      await narrow.page.goto(`${server.host}/`);
      await narrow.page.locator(SEL.bubble).click();
      const frame = narrow.page.locator(SEL.frame);
      await frame.waitFor({ state: 'visible' });
      assert.deepEqual(await frame.boundingBox(), { x: 0, y: 0, width: 375, height: 667 });
    } finally {
      await narrow.context.close();
    }
  });

  test('position "left" puts the bubble and the window on the left', async () => {
    const { context, page } = await open({ viewport: { width: 1280, height: 800 } });
    try {
      // The page sets `ferrochatSettings` itself; keep its settings but the side.
      await context.addInitScript(() => {
        let settings;
        Object.defineProperty(window, 'ferrochatSettings', {
          get: () => settings,
          set: (value) => {
            settings = { ...value, position: 'left' };
          },
        });
      });
      await page.goto(`${server.host}/`);
      await page.locator(SEL.bubble).click();
      await page.locator(SEL.frame).waitFor({ state: 'visible' });
      assert.equal((await page.locator(SEL.bubble).boundingBox()).x, 20);
      assert.equal((await page.locator(SEL.frame).boundingBox()).x, 20);
    } finally {
      await context.close();
    }
  });
});

/**
 * A stand-in for the app: records what the parent sends, and says what a
 * test tells it to (`say({type: …})`) to the origin the loader gave it.
 */
const FAKE_APP = `<!doctype html><title>fake app</title><script>
  window.received = [];
  const parentOrigin = new URLSearchParams(location.search).get('origin');
  addEventListener('message', (event) => {
    if (event.source === parent) window.received.push({ origin: event.origin, data: event.data });
  });
  window.say = (message) => parent.postMessage(Object.assign({ ferrochat: 1 }, message), parentOrigin);
</script>`;

describe('the bridge', () => {
  test('SDK calls wait for ready, go out in order after the settings, and app messages become window events', async () => {
    const { context, page, problems } = await open();
    try {
      await context.route(
        (url) => url.origin === server.base && url.pathname === '/widget',
        (route) => route.fulfill({ contentType: 'text/html', body: FAKE_APP }),
      );
      await page.goto(`${server.host}/`);
      await page.waitForFunction(() => window.$ferrochat && window.$ferrochat.open);
      await page.evaluate(() => {
        window.events = [];
        for (const name of ['ready', 'opened', 'closed', 'on-message', 'unread-count', 'postback', 'error']) {
          window.addEventListener(`ferrochat:${name}`, (event) => window.events.push([name, event.detail ?? null]));
        }
        const sdk = window.$ferrochat;
        sdk.setUser('visitor-7', { name: 'Ada', email: 'ada@example.com', identifier_hash: 'abc' });
        sdk.setLocale('fr');
        sdk.open();
      });
      const events = () => page.evaluate(() => window.events.splice(0));
      const badge = page.locator('ferrochat-widget b');
      await page.locator(SEL.frame).waitFor({ state: 'visible' });
      assert.deepEqual(await events(), [['opened', null]]);

      const frame = await eventually('the fake app', () =>
        page.frames().find((f) => f.url().startsWith(`${server.base}/widget?`)),
      );
      await frame.waitForFunction(() => typeof window.say === 'function');
      const received = () => frame.evaluate(() => window.received.splice(0));
      assert.deepEqual(await received(), [], 'nothing before ready');

      await frame.evaluate(() => window.say({ type: 'ready' }));
      // Each message is its own task in the frame: wait for all four.
      const first = await eventually('the replayed queue', () =>
        frame.evaluate(() => window.received.length >= 4 && window.received.splice(0)),
      );
      assert.ok(first.every(({ origin }) => origin === server.host), 'from the host page');
      assert.deepEqual(
        first.map(({ data }) => data),
        [
          { ferrochat: 1, type: 'settings', settings: { position: 'right', locale: 'auto', darkMode: 'auto' } },
          {
            ferrochat: 1,
            type: 'set-user',
            identifier: 'visitor-7',
            user: { name: 'Ada', email: 'ada@example.com', identifier_hash: 'abc' },
          },
          { ferrochat: 1, type: 'set-locale', locale: 'fr' },
          { ferrochat: 1, type: 'open' },
        ],
      );
      assert.deepEqual(await events(), [['ready', null]]);

      // After ready, each call goes out at once.
      await page.evaluate(() => {
        const sdk = window.$ferrochat;
        sdk.setCustomAttributes({ plan: 'pro' });
        sdk.deleteCustomAttribute('plan');
        sdk.setConversationCustomAttributes({ order: 42 });
        sdk.setColorScheme('dark');
        sdk.reset();
        sdk.close();
      });
      await page.locator(SEL.frame).waitFor({ state: 'hidden' });
      const later = await eventually('six messages', () =>
        frame.evaluate(() => window.received.length >= 6 && window.received.splice(0)),
      );
      assert.deepEqual(
        later.map(({ data }) => data),
        [
          { ferrochat: 1, type: 'set-custom-attributes', attributes: { plan: 'pro' } },
          { ferrochat: 1, type: 'delete-custom-attribute', key: 'plan' },
          { ferrochat: 1, type: 'set-conversation-custom-attributes', attributes: { order: 42 } },
          { ferrochat: 1, type: 'set-color-scheme', scheme: 'dark' },
          { ferrochat: 1, type: 'reset' },
          { ferrochat: 1, type: 'close' },
        ],
      );
      assert.deepEqual(await events(), [['closed', null]]);

      // The app's messages, as window events; the badge counts while closed.
      await frame.evaluate(() => {
        window.say({ type: 'unread', count: 3 });
        window.say({ type: 'message', message: { id: 9, content: 'Fresh bread at 7' } });
        window.say({ type: 'postback', payload: 'order_cake' });
        window.say({ type: 'error', error: 'offline' });
      });
      await eventually('four events', async () => (await page.evaluate(() => window.events.length)) >= 4);
      assert.deepEqual(await events(), [
        ['unread-count', 3],
        ['on-message', { id: 9, content: 'Fresh bread at 7' }],
        ['postback', 'order_cake'],
        ['error', 'offline'],
      ]);
      await badge.waitFor({ state: 'visible' });
      assert.equal(await badge.textContent(), '3');

      // Opening hides the badge.
      await page.locator(SEL.bubble).click();
      await page.locator(SEL.frame).waitFor({ state: 'visible' });
      await badge.waitFor({ state: 'hidden' });
      assert.deepEqual(await events(), [['opened', null]]);

      // Forged messages, from the host page itself and from another frame,
      // change nothing.
      await page.evaluate(() => {
        window.postMessage({ ferrochat: 1, type: 'close' }, '*');
        window.postMessage({ ferrochat: 1, type: 'unread', count: 99 }, '*');
        const other = document.createElement('iframe');
        other.srcdoc =
          '<script>parent.postMessage({ferrochat: 1, type: "close"}, "*");' +
          'parent.postMessage({ferrochat: 1, type: "unread", count: 77}, "*")<\/script>';
        document.body.append(other);
      });
      await sleep(500);
      assert.equal(await page.locator(SEL.frame).isVisible(), true);
      assert.equal(await badge.textContent(), '3');
      assert.deepEqual(await events(), []);

      // The app's close button closes, and is not echoed back.
      await frame.evaluate(() => window.say({ type: 'close' }));
      await page.locator(SEL.frame).waitFor({ state: 'hidden' });
      await sleep(200);
      assert.deepEqual((await received()).map(({ data }) => data.type), ['open']);
      assert.deepEqual(await events(), [['closed', null]]);

      // toggle and the bubble's visibility.
      await page.evaluate(() => window.$ferrochat.toggle());
      await page.locator(SEL.frame).waitFor({ state: 'visible' });
      await page.evaluate(() => window.$ferrochat.toggle('close'));
      await page.locator(SEL.frame).waitFor({ state: 'hidden' });
      await page.evaluate(() => window.$ferrochat.toggle('open'));
      await page.locator(SEL.frame).waitFor({ state: 'visible' });
      await page.evaluate(() => window.$ferrochat.toggleBubbleVisibility('hide'));
      await page.locator(SEL.bubble).waitFor({ state: 'hidden' });
      await page.evaluate(() => window.$ferrochat.toggleBubbleVisibility('show'));
      await page.locator(SEL.bubble).waitFor({ state: 'visible' });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('calls a page queued before the loader ran are replayed', async () => {
    const { context, page } = await open();
    try {
      await context.route(
        (url) => url.origin === server.base && url.pathname === '/widget',
        (route) => route.fulfill({ contentType: 'text/html', body: FAKE_APP }),
      );
      await context.addInitScript(() => {
        window.$ferrochat = [['setLocale', 'de'], ['open']];
      });
      await page.goto(`${server.host}/`);
      await page.locator(SEL.frame).waitFor({ state: 'visible' });
      const frame = await eventually('the fake app', () =>
        page.frames().find((f) => f.url().startsWith(`${server.base}/widget?`)),
      );
      await frame.waitForFunction(() => typeof window.say === 'function');
      await frame.evaluate(() => window.say({ type: 'ready' }));
      const got = await eventually('the replayed calls', () =>
        frame.evaluate(() => window.received.length >= 3 && window.received.map(({ data }) => data.type)),
      );
      assert.deepEqual(got, ['settings', 'set-locale', 'open']);
    } finally {
      await context.close();
    }
  });
});
