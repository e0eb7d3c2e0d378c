// A long conversation: the window opens on its latest page, and scrolling
// to the top brings the pages before it, one at a time, without losing
// the visitor's place, until the first message.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { NO_IDLE, SEL, browserAndServer, eventually, recordingPage } from './support.mjs';
import { conversationWith } from './history.mjs';

let browser;
let server;
browserAndServer((started) => ({ browser, server } = started));

test('scrolling up a long conversation brings its older pages, keeping the place', async (t) => {
  const { stored } = await conversationWith(server, 45);
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  t.after(() => context.close());
  await context.addInitScript(NO_IDLE);
  await context.addInitScript(
    ([key, value]) => window.top === window && localStorage.setItem(key, value),
    [`ferrochat:${server.inbox}`, JSON.stringify(stored)],
  );
  const { page, problems } = await recordingPage(context);
  await page.goto(`${server.host}/`);
  await page.locator(SEL.bubble).click();
  const chat = page.frameLocator(SEL.frame);
  // The demo bot's greeting comes first; the history's lines after it.
  const bubbles = chat.locator(`${SEL.agent} .fc-bubble`).filter({ hasText: /^History \d+$/ });
  await bubbles.filter({ hasText: 'History 45' }).waitFor();
  assert.equal(await bubbles.count(), 20, 'the latest page');
  assert.equal(await bubbles.first().textContent(), 'History 26');

  const list = chat.locator(SEL.log);
  const toTop = () => list.evaluate((element) => element.scrollTo(0, 0));
  await toTop();
  await eventually('the page before', async () => (await bubbles.count()) === 40);
  // The line that was at the top is still in view, not pushed down and away.
  assert.ok(await bubbles.filter({ hasText: 'History 26' }).isVisible());
  assert.ok((await list.evaluate((element) => element.scrollTop)) > 0);
  await toTop();
  await eventually('the first page', async () => (await bubbles.count()) === 45);
  assert.equal(await bubbles.first().textContent(), 'History 1');
  assert.deepEqual(
    await bubbles.allTextContents(),
    Array.from({ length: 45 }, (_, index) => `History ${index + 1}`),
    'every line once, in order',
  );
  assert.deepEqual(problems, []);
});
