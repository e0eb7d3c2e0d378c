// A visitor's conversation through the real app, the real server and the
// demo bot, on the demo host page served cross-origin (localhost hosts,
// 127.0.0.1 serves the widget), as on a real site.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  NO_IDLE,
  SEL,
  agentApi,
  artifact,
  conversations,
  eventually,
  launchChromium,
  messages,
  recordingPage,
  startServer,
} from './support.mjs';

let browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/** A fresh visitor on the demo page with the chat open: `{page, chat}`, `chat` the app's frame. */
async function visit(server, { viewport = { width: 1100, height: 800 } } = {}) {
  const context = await browser.newContext({ viewport });
  try {
    await context.addInitScript(NO_IDLE);
    await context.addInitScript(() => {
      window.addEventListener('ferrochat:ready', () => {
        window.ferrochatReady = true;
      });
    });
    const recording = await recordingPage(context);
    const { page } = recording;
    await page.goto(`${server.host}/`);
    await page.locator(SEL.bubble).click();
    await page.locator(SEL.frame).waitFor({ state: 'visible' });
    const chat = page.frameLocator(SEL.frame);
    await chat.locator(SEL.composer).waitFor({ state: 'visible', timeout: 15_000 });
    return { context, chat, ...recording };
  } catch (error) {
    await context.close();
    throw error;
  }
}

async function send(chat, text) {
  await chat.locator(SEL.composer).fill(text);
  await chat.locator(SEL.send).click();
}

/** The visitor's message with this exact text, once the server has it. */
function delivered(chat, text) {
  return chat
    .locator(`${SEL.visitor}:not(${SEL.pending}):not(${SEL.failed})`)
    .filter({ hasText: text });
}

async function onlyConversation(server) {
  const all = await eventually('a conversation', async () => {
    const list = await conversations(server);
    return list.length ? list : null;
  });
  assert.equal(all.length, 1, 'one conversation');
  return all[0];
}

test('a visitor chats with the bot and an agent, and finds the conversation after a reload', async (t) => {
  const server = await startServer();
  t.after(() => server.remove());
  const { context, page, chat, problems } = await visit(server);
  t.after(() => context.close());
  // Asking for a human gets the bot's greeting with its menu, and no second menu.
  const first = 'Could I talk to a human about a birthday cake?';
  await send(chat, first);
  await delivered(chat, first).waitFor();
  const buttons = chat.locator(SEL.quickReplies);
  await buttons.first().waitFor({ timeout: 15_000 });
  assert.deepEqual(await buttons.allTextContents(), [
    'Quick replies',
    'A card',
    'A form',
    'Articles',
    'Talk to a human',
    'Resolve this conversation',
  ]);

  // The choice shows as the visitor's reply and the buttons go.
  await buttons.filter({ hasText: 'Talk to a human' }).click();
  const choice = chat.locator(SEL.visitor).getByText('Talk to a human', { exact: true });
  await choice.waitFor();
  await buttons.first().waitFor({ state: 'detached' });
  await chat.locator(SEL.agent).filter({ hasText: 'A human will be with you shortly' }).first().waitFor();

  // An agent's reply, posted through the agent API, arrives live.
  const conversation = await onlyConversation(server);
  const reply = 'Happy to help! How many guests, and which flavour?';
  await agentApi(server, 'POST', `/conversations/${conversation.id}/messages`, {
    content: reply,
    message_type: 'outgoing',
  });
  await chat.locator(SEL.agent).filter({ hasText: reply }).waitFor();
  await page.screenshot({ path: artifact('widget-open.png') });
  assert.equal(await page.evaluate(() => window.ferrochatReady), true, 'the app said ready');

  // The app's close button closes the window; a reply while closed shows
  // on the bubble's badge, which opening clears.
  await chat.locator(SEL.close).click();
  await page.locator(SEL.frame).waitFor({ state: 'hidden' });
  await agentApi(server, 'POST', `/conversations/${conversation.id}/messages`, {
    content: 'Our chocolate sponge is popular for birthdays.',
    message_type: 'outgoing',
  });
  const badge = page.locator('ferrochat-widget b');
  await badge.waitFor({ state: 'visible' });
  assert.equal(await badge.textContent(), '1');
  await page.locator(SEL.bubble).click();
  await page.locator(SEL.frame).waitFor({ state: 'visible' });
  await badge.waitFor({ state: 'hidden' });
  await chat.locator(SEL.agent).filter({ hasText: 'chocolate sponge' }).waitFor();

  assert.deepEqual(problems, []);

  // A reload finds the same conversation, though Chromium denies storage to
  // the third-party iframe here (third-party cookies are blocked, as in an
  // incognito window): the loader keeps the session in the host page.
  await t.test('a reload finds the same conversation', async () => {
    await page.reload();
    await page.locator(SEL.bubble).click();
    await page.locator(SEL.frame).waitFor({ state: 'visible' });
    await chat.locator(SEL.agent).filter({ hasText: reply }).waitFor({ timeout: 10_000 });
    await chat.locator(SEL.visitor).filter({ hasText: first }).waitFor();
    await choice.waitFor();
    assert.equal(await chat.locator(SEL.quickReplies).count(), 0, 'an answered menu stays answered');
    assert.equal((await onlyConversation(server)).id, conversation.id);
  });
});

test('a message sent while the server is down is delivered exactly once after it restarts', async (t) => {
  const original = await startServer();
  let server = original;
  t.after(async () => {
    await server.stop();
    await original.remove();
  });
  const { port, dataDir } = server;
  const { context, chat } = await visit(server);
  t.after(() => context.close());
  await send(chat, 'Hi, I need a human please');
  await delivered(chat, 'Hi, I need a human please').waitFor();
  const conversation = await onlyConversation(server);

  await server.stop();
  const text = 'Are you open on Monday?';
  await send(chat, text);
  await chat.locator(SEL.pending).filter({ hasText: text }).waitFor();
  await sleep(1_500);

  server = await startServer({ port, dataDir });
  // The app retries by itself; a visitor who sees it fail may also retry.
  await eventually(
    'the pending message to be delivered',
    async () => {
      if (await delivered(chat, text).count()) return true;
      const failed = chat.locator(SEL.failed).filter({ hasText: text });
      if (await failed.count()) await failed.locator(SEL.retry).click();
      return false;
    },
    { timeout: 45_000, every: 500 },
  );
  // Give any duplicate time to land before counting.
  await sleep(2_000);
  const sent = (await messages(server, conversation.id)).filter(
    (message) => message.message_type === 0 && message.content === text,
  );
  assert.equal(sent.length, 1, 'delivered exactly once');
  assert.equal(await chat.locator(SEL.visitor).filter({ hasText: text }).count(), 1, 'shown once');
});

test('message content runs no script and makes no javascript: link', async (t) => {
  const server = await startServer();
  t.after(() => server.remove());
  const { context, page, chat, problems } = await visit(server);
  t.after(() => context.close());
  await send(chat, 'human');
  await delivered(chat, 'human').waitFor();
  const conversation = await onlyConversation(server);
  const hostile =
    'Look <img src=x onerror="window.__xss=1;parent.__xss=1"> and [x](javascript:alert(1)) ' +
    '<script>window.__xss=2</script> <a href="javascript:alert(2)" onclick="alert(3)">y</a>';
  await agentApi(server, 'POST', `/conversations/${conversation.id}/messages`, {
    content: hostile,
    message_type: 'outgoing',
  });
  await chat.locator(SEL.agent).filter({ hasText: 'Look' }).waitFor();
  await send(chat, `Me too: ${hostile}`);
  await delivered(chat, 'Me too').waitFor();
  await sleep(500);

  const frame = page.frames().find((f) => f.url().startsWith(`${server.base}/widget`));
  const found = await frame.evaluate((selector) => {
    const log = document.querySelector(selector);
    const all = [...log.querySelectorAll('*')];
    return {
      scripts: log.querySelectorAll('script, img[src="x"], iframe, object, embed').length,
      handlers: all.filter((element) => [...element.attributes].some((a) => a.name.startsWith('on'))).length,
      jsLinks: all.filter((element) => /^\s*javascript:/i.test(element.getAttribute('href') ?? '')).length,
      xss: window.__xss ?? null,
    };
  }, SEL.log);
  assert.deepEqual(found, { scripts: 0, handlers: 0, jsLinks: 0, xss: null });
  assert.equal(await page.evaluate(() => window.__xss ?? null), null);
  assert.deepEqual(problems.filter((problem) => problem.startsWith('dialog')), []);
});

test('a signed-in visitor finds their conversation on a second device, and both hear it', async (t) => {
  const server = await startServer();
  t.after(() => server.remove());
  const inboxes = await agentApi(server, 'GET', '/inboxes');
  const secret = inboxes.payload[0].hmac_token;
  // What the site's backend computes for its signed-in user.
  const identifierHash = createHmac('sha256', secret).update('customer-77').digest('hex');
  const signIn = (page) =>
    page.evaluate((hash) => {
      window.$ferrochat.setUser('customer-77', { name: 'Ada', identifier_hash: hash });
    }, identifierHash);

  const phone = await visit(server, { viewport: { width: 390, height: 844 } });
  t.after(() => phone.context.close());
  await signIn(phone.page);
  await eventually('the verified contact', async () => {
    const answer = await agentApi(server, 'GET', '/contacts/search?q=customer-77');
    return answer.payload.length ? answer : null;
  });
  await send(phone.chat, 'Started on my phone');
  await delivered(phone.chat, 'Started on my phone').waitFor();
  const conversation = await onlyConversation(server);
  assert.equal(conversation.meta.sender.identifier, 'customer-77', 'sent as the signed-in user');

  const laptop = await visit(server);
  t.after(() => laptop.context.close());
  await signIn(laptop.page);
  await laptop.chat.locator(SEL.visitor).filter({ hasText: 'Started on my phone' }).waitFor({ timeout: 15_000 });
  await send(laptop.chat, 'Now on my laptop');
  await delivered(laptop.chat, 'Now on my laptop').waitFor();
  await phone.chat.locator(SEL.visitor).filter({ hasText: 'Now on my laptop' }).waitFor();

  await agentApi(server, 'POST', `/conversations/${conversation.id}/messages`, {
    content: 'Hello Ada, on both screens',
    message_type: 'outgoing',
  });
  for (const device of [phone, laptop]) {
    await device.chat.locator(SEL.agent).filter({ hasText: 'on both screens' }).waitFor();
  }
  assert.equal((await onlyConversation(server)).id, conversation.id, 'one conversation, not two');
  assert.deepEqual([...phone.problems, ...laptop.problems], []);
});
