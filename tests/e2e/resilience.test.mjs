// What the visitor keeps when the connection does not: messages written
// offline wait visibly and go out in order, exactly once, when the network
// is back; a page going into the back/forward cache lets go of its socket
// and catches up when shown again.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { NO_IDLE, SEL, agentApi, browserAndServer, conversationOf, eventually, messages, recordingPage } from './support.mjs';

let browser;
let server;
browserAndServer((started) => ({ browser, server } = started));

/** The demo page with the chat open and a first message sent: (page, chat, conversation id). */
async function chatting(t) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  t.after(() => context.close());
  await context.addInitScript(NO_IDLE);
  const recording = await recordingPage(context);
  const { page, requests } = recording;
  await page.goto(`${server.host}/`);
  await page.locator(SEL.bubble).click();
  const chat = page.frameLocator(SEL.frame);
  await eventually('the session ready', async () => !(await chat.locator('.fc-send').isDisabled()));
  await say(chat, 'Hello');
  await chat.locator(`${SEL.visitor}:not(${SEL.pending})`).filter({ hasText: 'Hello' }).waitFor();
  await chat.locator('.fc-status--live').waitFor({ timeout: 15_000 });
  return { context, chat, conversation: conversationOf(requests), ...recording };
}

async function say(chat, text) {
  await chat.locator('.fc-composer__field').fill(text);
  await chat.locator('.fc-send').click();
}

/** The visitor's lines on the server, in order. */
async function visitorLines(conversation) {
  return (await messages(server, conversation)).filter((m) => m.message_type === 0).map((m) => m.content);
}

test('messages written offline wait in sight, then go out in order exactly once', async (t) => {
  const { context, chat, conversation, problems } = await chatting(t);

  await context.setOffline(true);
  const banner = chat.getByRole('status').filter({ hasText: "You're offline" });
  await banner.waitFor();
  for (const text of ['first offline', 'second offline', 'third offline']) await say(chat, text);
  const waiting = chat.locator(SEL.pending);
  assert.equal(await waiting.count(), 3);
  assert.deepEqual(await waiting.locator('.fc-message__status').allTextContents(), Array(3).fill('Waiting for the network…'));
  // Long enough for a retry schedule to have given up on a message.
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  assert.equal(await chat.locator('.fc-message--failed').count(), 0, 'nothing failed while offline');
  assert.deepEqual(await visitorLines(conversation), ['Hello']);

  await context.setOffline(false);
  await banner.waitFor({ state: 'detached' });
  await eventually('every queued message sent', async () => (await waiting.count()) === 0);
  await eventually('the three on the server', async () => (await visitorLines(conversation)).length === 4);
  assert.deepEqual(await visitorLines(conversation), ['Hello', 'first offline', 'second offline', 'third offline']);
  const shown = await chat.locator(`${SEL.visitor} .fc-bubble`).allTextContents();
  assert.deepEqual(shown, ['Hello', 'first offline', 'second offline', 'third offline']);
  await chat.locator('.fc-status--live').waitFor({ timeout: 15_000 });
  assert.deepEqual(problems, []);
});

test('a page leaving for the back/forward cache closes its socket, and catches up when shown again', async (t) => {
  const { page, chat, conversation, problems } = await chatting(t);
  const frame = page.frames().find((candidate) => new URL(candidate.url()).pathname === '/widget');

  await frame.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true })));
  await chat.locator('.fc-status--offline').waitFor();
  // Said while the page was away: not pushed to a socket that is closed.
  await agentApi(server, 'POST', `/conversations/${conversation}/messages`, {
    content: 'Said while you were away',
    message_type: 'outgoing',
  });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.equal(await chat.locator(`${SEL.agent} .fc-bubble`).filter({ hasText: 'Said while you were away' }).count(), 0);
  await chat.locator('.fc-status--offline').waitFor();

  await frame.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
  await chat.locator('.fc-status--live').waitFor({ timeout: 15_000 });
  const caught = chat.locator(`${SEL.agent} .fc-bubble`).filter({ hasText: 'Said while you were away' });
  await caught.waitFor();
  assert.equal(await caught.count(), 1);
  assert.deepEqual(problems, []);
});

test('a hidden page blinks its title with the unread count, and stops when shown', async (t) => {
  const { page, chat, conversation, problems } = await chatting(t);
  const title = await page.title();
  await chat.locator(SEL.close).click();
  const visibility = (hidden) =>
    page.evaluate((hidden) => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
      document.dispatchEvent(new Event('visibilitychange'));
    }, hidden);
  await visibility(true);
  await agentApi(server, 'POST', `/conversations/${conversation}/messages`, {
    content: 'A reply while you were elsewhere',
    message_type: 'outgoing',
  });
  await eventually('the count in the title', async () => (await page.title()) === `(1) ${title}`);
  await eventually('the title back between blinks', async () => (await page.title()) === title);
  await visibility(false);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  assert.equal(await page.title(), title);
  assert.deepEqual(problems, []);
});
