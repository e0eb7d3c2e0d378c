// What every visitor gets, whatever their language, screen, eyes or host
// page: Arabic right to left and a live language switch, the keyboard
// path in and out of the window, an axe-core audit of the bubble and of the
// open window in light and dark, a brand colour with readable text on it,
// the full-screen phone layout, and a host page with a strict CSP and
// hostile CSS. Screenshots go to target/e2e/.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { NO_IDLE, SEL, artifact, audit, browserAndServer, eventually, hostPage as host, recordingPage } from './support.mjs';


let browser;
let server;
browserAndServer((started) => ({ browser, server } = started));

const hostPage = (context, name, options) => host(context, server, name, options);

/** A fresh context on `url` with the chat opened, the app ready. */
async function visit(url, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, ...options });
  await context.addInitScript(NO_IDLE);
  const recording = await recordingPage(context);
  if (url) await recording.page.goto(url);
  return { context, ...recording };
}

async function openChat(page) {
  await page.locator(SEL.bubble).click();
  const chat = page.frameLocator(SEL.frame);
  await chat.locator('.fc-composer__field:not([disabled])').waitFor({ timeout: 15_000 });
  await eventually('the session ready', async () => !(await chat.locator('.fc-send').isDisabled()));
  return chat;
}

async function say(chat, text) {
  await chat.locator('.fc-composer__field').fill(text);
  await chat.locator('.fc-send').click();
}

/** The app's frame, for evaluating in it. */
function appFrame(page) {
  return page.frames().find((frame) => new URL(frame.url()).pathname === '/widget');
}

/** A CSS colour as [r, g, b], whatever syntax the browser computed it in. */
function rgb(target, color) {
  return target.evaluate((color) => {
    const context = document.createElement('canvas').getContext('2d');
    context.fillStyle = color;
    context.fillRect(0, 0, 1, 1);
    return [...context.getImageData(0, 0, 1, 1).data.slice(0, 3)];
  }, color);
}

test('Arabic reads right to left, and setLocale changes the words at once', async (t) => {
  const { context, page, problems } = await visit(`${server.host}/`, { locale: 'ar-EG' });
  t.after(() => context.close());
  const chat = await openChat(page);
  const app = chat.locator('.fc-app');
  // The catalog arrives beside the session's start, not before it.
  await eventually('the Arabic catalog', async () => (await app.getAttribute('dir')) === 'rtl');
  assert.equal(await app.getAttribute('lang'), 'ar');
  const field = chat.locator('.fc-composer__field');
  assert.equal(await field.getAttribute('placeholder'), 'اكتب رسالتك…');
  assert.equal(await chat.locator('.fc-send').getAttribute('aria-label'), 'إرسال');

  await say(chat, 'مرحبا');
  const mine = chat.locator(`${SEL.visitor} .fc-bubble`).filter({ hasText: 'مرحبا' });
  await mine.waitFor();
  await chat.locator(`${SEL.agent} .fc-bubble`).first().waitFor();
  // The visitor's side is the left in a right-to-left window.
  const frame = await page.locator(SEL.frame).boundingBox();
  const box = await mine.boundingBox();
  assert.ok(box.x - frame.x < frame.width / 2, `the visitor's message starts at ${box.x - frame.x}px`);
  await page.locator(SEL.frame).screenshot({ path: artifact('widget-rtl.png') });

  await page.evaluate(() => window.$ferrochat.setLocale('de'));
  await eventually('German words', async () => (await field.getAttribute('placeholder')) === 'Nachricht eingeben…');
  assert.equal(await app.getAttribute('dir'), 'ltr');
  assert.equal(await app.getAttribute('lang'), 'de');
  assert.equal(await chat.locator('.fc-send').getAttribute('aria-label'), 'Senden');
  // The messages stay, and their times are written by Intl.
  assert.ok(await mine.isVisible());
  assert.match(await chat.locator('.fc-message__time').first().textContent(), /^\d{1,2}:\d{2}/);
  assert.deepEqual(problems, []);
});

test('the keyboard opens the window into the composer, Escape closes it back to the bubble, and agent messages are announced', async (t) => {
  const { context, page, problems } = await visit(`${server.host}/`, { locale: 'en-GB' });
  t.after(() => context.close());
  const bubble = page.locator(SEL.bubble);
  await bubble.focus();
  await page.keyboard.press('Enter');
  const chat = page.frameLocator(SEL.frame);
  await chat.locator(SEL.composer).waitFor();
  await eventually('the composer focused', () =>
    appFrame(page)?.evaluate(() => document.activeElement?.classList.contains('fc-composer__field')),
  );
  // Typing goes straight in (sending waits for the session).
  await eventually('the session ready', async () => !(await chat.locator('.fc-send').isDisabled()));
  await page.keyboard.type('Hello from the keyboard');
  await page.keyboard.press('Enter');
  await chat.locator(SEL.visitor).filter({ hasText: 'Hello from the keyboard' }).waitFor();
  const live = chat.locator('.fc-sr-only[aria-live="polite"]');
  await eventually('an agent message announced', async () => /^New message from /.test(await live.textContent()));

  await page.keyboard.press('Escape');
  await page.locator(SEL.frame).waitFor({ state: 'hidden' });
  assert.equal(await bubble.getAttribute('aria-expanded'), 'false');
  assert.equal(
    await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.getAttribute('aria-label')),
    'Open chat',
  );
  assert.deepEqual(problems, []);
});

test('axe finds nothing on the bubble or the open window, light or dark', async (t) => {
  const { context, page, problems } = await visit(`${server.host}/`, { colorScheme: 'light' });
  t.after(() => context.close());
  await page.locator(SEL.bubble).waitFor();
  assert.deepEqual(await audit(page), [], 'the host page with the closed bubble');

  const chat = await openChat(page);
  await say(chat, 'Hello');
  await chat.locator(SEL.quickReplies).last().waitFor();
  const frame = appFrame(page);
  assert.deepEqual(await audit(frame), [], 'the open window, light');
  await page.locator(SEL.frame).screenshot({ path: artifact('widget-light.png') });

  await page.evaluate(() => window.$ferrochat.setColorScheme('dark'));
  await chat.locator('.fc-app--dark').waitFor();
  const background = await chat.locator('.fc-app').evaluate((app) => getComputedStyle(app).backgroundColor);
  assert.deepEqual(await rgb(frame, background), [22, 24, 28]);
  assert.deepEqual(await audit(frame), [], 'the open window, dark');
  await page.locator(SEL.frame).screenshot({ path: artifact('widget-dark.png') });
  assert.deepEqual(problems, []);
});

test('a brand colour paints the bubble and the window, with black or white text, whichever reads', async (t) => {
  for (const [brand, text] of [
    ['#ffd400', [0, 0, 0]],
    ['#0b3d91', [255, 255, 255]],
  ]) {
    const { context, page, problems } = await visit(null, { colorScheme: 'light' });
    t.after(() => context.close());
    await page.goto(await hostPage(context, `brand${brand.slice(1)}`, { settings: { brandColor: brand } }));
    const bubble = page.locator(SEL.bubble);
    await bubble.waitFor();
    const [bubbleBackground, bubbleIcon] = await bubble.evaluate((button) => {
      const css = getComputedStyle(button);
      return [css.backgroundColor, css.color];
    });
    const hex = [1, 3, 5].map((at) => parseInt(brand.slice(at, at + 2), 16));
    assert.deepEqual(await rgb(page, bubbleBackground), hex);
    assert.deepEqual(await rgb(page, bubbleIcon), text);

    const chat = await openChat(page);
    const frame = appFrame(page);
    const [header, headerText] = await chat
      .locator('.fc-header')
      .evaluate((element) => [getComputedStyle(element).backgroundColor, getComputedStyle(element).color]);
    assert.deepEqual(await rgb(frame, header), hex);
    assert.deepEqual(await rgb(frame, headerText), text);
    await say(chat, 'Hello');
    await chat.locator(SEL.quickReplies).last().waitFor();
    assert.deepEqual(await audit(frame), [], `the window in ${brand}`);
    await page.locator(SEL.frame).screenshot({ path: artifact(`widget-brand-${brand.slice(1)}.png`) });
    assert.deepEqual(problems, []);
  }
});

test('a phone gets the whole screen, with 16 px inputs', async (t) => {
  const { context, page, problems } = await visit(`${server.host}/`, {
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  t.after(() => context.close());
  const chat = await openChat(page);
  assert.deepEqual(await page.locator(SEL.frame).boundingBox(), { x: 0, y: 0, width: 390, height: 844 });
  const fontSize = await chat.locator('.fc-composer__field').evaluate((field) => getComputedStyle(field).fontSize);
  assert.equal(fontSize, '16px');
  await say(chat, 'Hello from a phone');
  await chat.locator(SEL.agent).first().waitFor();
  await page.screenshot({ path: artifact('widget-phone.png') });
  assert.deepEqual(problems, []);
});

test('a host page with a strict CSP and hostile CSS still gets a working bubble and chat', async (t) => {
  const { context, page, problems } = await visit(null);
  t.after(() => context.close());
  await page.goto(
    await hostPage(context, 'strict', {
      csp: "default-src 'self'",
      settings: { brandColor: '#0b3d91' },
      css:
        '* { all: unset !important } div, iframe, button, main { display: none !important }' +
        ' html, body { font-size: 50px !important; color: red !important }',
    }),
  );
  const bubble = page.locator(SEL.bubble);
  await bubble.waitFor({ state: 'visible' });
  const box = await bubble.boundingBox();
  const viewport = page.viewportSize();
  assert.deepEqual(
    [box.width, box.height, box.x + box.width, box.y + box.height],
    [56, 56, viewport.width - 20, viewport.height - 20],
  );
  const chat = await openChat(page);
  await say(chat, 'Hello despite the CSS');
  await chat.locator(SEL.visitor).filter({ hasText: 'Hello despite the CSS' }).waitFor();
  await chat.locator(SEL.agent).first().waitFor();
  const frame = await page.locator(SEL.frame).boundingBox();
  assert.deepEqual([frame.width, frame.height], [380, 640]);
  // No CSP report: nothing the loader or the app does needs an exception.
  assert.deepEqual(problems, []);
});
