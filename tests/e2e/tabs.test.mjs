// Two tabs of one site: one conversation, one socket between them (the
// leader's, relayed to the other tab), every message sent once, reading in
// one tab clears the badge in the other, and when the leader's tab closes
// the other one takes the socket over.
//
// The site here is the widget's own origin: a frame denied storage (a
// third-party frame in an incognito window) is denied Web Locks too, and
// then each tab keeps a socket of its own.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { NO_IDLE, SEL, agentApi, browserAndServer, conversationOf, eventually, messages, recordingPage } from './support.mjs';

let browser;
let server;
browserAndServer((started) => ({ browser, server } = started));

/** A tab on the demo page with the chat open and ready, counting the sockets its frames open. */
async function tab(context, sockets) {
  const recording = await recordingPage(context);
  recording.page.on('websocket', (socket) => sockets.push(socket));
  await recording.page.goto(`${server.base}/`);
  await recording.page.locator(SEL.bubble).click();
  const chat = recording.page.frameLocator(SEL.frame);
  await eventually('the session ready', async () => !(await chat.locator(SEL.send).isDisabled()));
  return { chat, ...recording };
}

async function say(chat, text) {
  await chat.locator(SEL.composer).fill(text);
  await chat.locator(SEL.send).click();
}

function line(chat, side, text) {
  return chat.locator(`${side} .fc-bubble`).filter({ hasText: text });
}

test('two tabs share one conversation and one socket, send nothing twice, and read together', async (t) => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  t.after(() => context.close());
  await context.addInitScript(NO_IDLE);
  const sockets = [];

  const one = await tab(context, sockets);
  await say(one.chat, 'From the first tab');
  await one.chat.locator(`${SEL.visitor}:not(${SEL.pending})`).filter({ hasText: 'From the first tab' }).waitFor();
  await one.chat.locator('.fc-status--live').waitFor({ timeout: 15_000 });
  const conversation = conversationOf(one.requests);

  const two = await tab(context, sockets);
  await line(two.chat, SEL.visitor, 'From the first tab').waitFor();
  await two.chat.locator('.fc-status--live').waitFor({ timeout: 15_000 });
  await say(two.chat, 'From the second tab');
  await line(one.chat, SEL.visitor, 'From the second tab').waitFor();

  const reply = 'Hello to both of your tabs';
  await agentApi(server, 'POST', `/conversations/${conversation}/messages`, { content: reply, message_type: 'outgoing' });
  await line(one.chat, SEL.agent, reply).waitFor();
  await line(two.chat, SEL.agent, reply).waitFor();
  assert.equal(sockets.length, 1, 'one socket for both tabs');

  const lines = async () => (await messages(server, conversation)).filter((m) => m.message_type === 0).map((m) => m.content);
  assert.deepEqual(await lines(), ['From the first tab', 'From the second tab']);
  assert.equal(await line(one.chat, SEL.visitor, 'From the second tab').count(), 1);
  assert.equal(await line(two.chat, SEL.visitor, 'From the first tab').count(), 1);

  // Both windows closed: a reply shows on both badges; reading it in one tab clears both.
  for (const { chat, page } of [one, two]) {
    await chat.locator(SEL.close).click();
    await page.locator(SEL.frame).waitFor({ state: 'hidden' });
  }
  await agentApi(server, 'POST', `/conversations/${conversation}/messages`, {
    content: 'Are you still there?',
    message_type: 'outgoing',
  });
  const badges = [one, two].map(({ page }) => page.locator('ferrochat-widget b'));
  for (const badge of badges) {
    await badge.waitFor({ state: 'visible' });
    assert.equal(await badge.textContent(), '1');
  }
  await two.page.locator(SEL.bubble).click();
  await line(two.chat, SEL.agent, 'Are you still there?').waitFor();
  await badges[0].waitFor({ state: 'hidden' });

  // The leader's tab goes: the other one takes the socket over, and hears the agent.
  await one.page.close();
  await agentApi(server, 'POST', `/conversations/${conversation}/messages`, {
    content: 'Back to one tab',
    message_type: 'outgoing',
  });
  await line(two.chat, SEL.agent, 'Back to one tab').waitFor({ timeout: 20_000 });
  assert.equal(sockets.length, 2, 'a second socket only once the first tab was gone');
  assert.deepEqual(await lines(), ['From the first tab', 'From the second tab']);
  assert.deepEqual([...one.problems, ...two.problems], []);
});

test("a tab's unsent message stays its own: another tab's reload does not send it", async (t) => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  t.after(() => context.close());
  await context.addInitScript(NO_IDLE);
  const sockets = [];
  const one = await tab(context, sockets);
  await say(one.chat, 'Hello from one');
  await one.chat.locator(`${SEL.visitor}:not(${SEL.pending})`).filter({ hasText: 'Hello from one' }).waitFor();
  const conversation = conversationOf(one.requests);
  const two = await tab(context, sockets);
  await line(two.chat, SEL.visitor, 'Hello from one').waitFor();

  // Tab one cannot reach the server for a while: its message waits.
  const blocked = (route) => (route.request().method() === 'POST' ? route.abort('connectionrefused') : route.fallback());
  await one.page.route('**/messages', blocked);
  await say(one.chat, 'Written in tab one');
  await one.chat.locator(SEL.pending).filter({ hasText: 'Written in tab one' }).waitFor();

  await two.page.reload();
  await two.page.locator(SEL.bubble).click();
  await eventually('tab two ready again', async () => !(await two.chat.locator(SEL.send).isDisabled()));
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const lines = async () => (await messages(server, conversation)).filter((m) => m.message_type === 0).map((m) => m.content);
  assert.deepEqual(await lines(), ['Hello from one'], 'tab two sent nothing of tab one');

  await one.page.unroute('**/messages', blocked);
  await eventually('tab one sends it', async () => (await lines()).length === 2, { timeout: 20_000 });
  assert.deepEqual(await lines(), ['Hello from one', 'Written in tab one']);
  await line(two.chat, SEL.visitor, 'Written in tab one').waitFor();
  assert.equal(await line(two.chat, SEL.visitor, 'Written in tab one').count(), 1);
});
