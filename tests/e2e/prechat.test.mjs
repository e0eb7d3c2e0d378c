// Before the first message: the pre-chat form the embed asks for, checked
// field by field in the visitor's language, stored on the contact, and not
// asked again. Then the notification sound: heard while the window is
// closed, silent while it is open, and silent once the visitor mutes it.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  NO_IDLE,
  SEL,
  agentApi,
  artifact,
  audit,
  browserAndServer,
  conversationOf,
  eventually,
  hostPage,
  recordingPage,
} from './support.mjs';

let browser;
let server;
browserAndServer((started) => ({ browser, server } = started));

const PRE_CHAT = {
  message: 'Before we start, who are you?',
  fields: [
    { name: 'name', required: true },
    { name: 'email', required: true },
    { name: 'phone_number' },
    { name: 'order_number', label: 'Order number', placeholder: 'A-0000' },
  ],
};

/** A fresh context on a host page with `settings`; every note the window plays is counted in it. */
async function visit(t, name, settings) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, locale: 'en-US' });
  t.after(() => context.close());
  await context.addInitScript(NO_IDLE);
  await context.addInitScript(() => {
    window.__notes = 0;
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (...args) {
      window.__notes += 1;
      return start.apply(this, args);
    };
  });
  const recording = await recordingPage(context);
  await recording.page.goto(await hostPage(context, server, name, { settings }));
  return { context, ...recording };
}

/** The app's frame, for evaluating in it. */
function appFrame(page) {
  return page.frames().find((frame) => new URL(frame.url()).pathname === '/widget');
}

test('the pre-chat form is checked field by field, reaches the contact, and is not asked again', async (t) => {
  const { page, requests, problems } = await visit(t, 'prechat', { preChatForm: PRE_CHAT });
  await page.locator(SEL.bubble).click();
  const chat = page.frameLocator(SEL.frame);
  const form = chat.locator('.fc-prechat');
  await form.waitFor();
  assert.equal(await chat.locator('.fc-prechat__intro').textContent(), PRE_CHAT.message);
  assert.equal(await chat.locator(SEL.composer).count(), 0, 'no composer before the details');
  assert.deepEqual(await form.locator('.fc-field__label').allTextContents(), [
    'Name *',
    'Email *',
    'Phone number',
    'Order number',
  ]);
  await eventually('the first field focused', () =>
    appFrame(page)?.evaluate(() => document.activeElement?.getAttribute('name') === 'name'),
  );

  // Nothing filled in: both required fields say so, and nothing is sent.
  await form.locator('button[type="submit"]').click();
  await eventually('two refusals', async () => (await form.locator('.fc-field__error').count()) === 2);
  assert.deepEqual(await form.locator('.fc-field__error').allTextContents(), [
    'This field is required',
    'This field is required',
  ]);
  assert.equal(await form.locator('[name="name"]').getAttribute('aria-invalid'), 'true');

  // A bad email and a phone number that is not one.
  await form.locator('[name="name"]').fill('Ada Lovelace');
  await form.locator('[name="email"]').fill('ada@');
  await form.locator('[name="phone_number"]').fill('call me');
  await form.locator('button[type="submit"]').click();
  await eventually('the email and phone refused', async () =>
    (await form.locator('.fc-field__error').allTextContents()).join('|') ===
    'Enter a valid email address|Enter a phone number with its country code, such as +44 20 7946 0958',
  );
  assert.equal(await form.locator('[name="phone_number"]').getAttribute('type'), 'tel');
  const updates = () => requests.filter((url) => /\/public\/api\/v1\/inboxes\/[^/]+\/contacts\/[^/?]+$/.test(url));
  assert.deepEqual(updates(), [], 'nothing reaches the contact before every answer passes');

  await form.locator('[name="email"]').fill('ada@example.com');
  await form.locator('[name="phone_number"]').fill('+49 (30) 1234-5678');
  await form.locator('[name="order_number"]').fill('A-1001');
  await page.locator(SEL.frame).screenshot({ path: artifact('widget-prechat.png') });
  assert.deepEqual(await audit(appFrame(page)), [], 'the pre-chat form');
  await form.locator('button[type="submit"]').click();

  // The chat, with the keyboard in the composer.
  await chat.locator(SEL.composer).waitFor();
  assert.equal(await chat.locator('.fc-prechat').count(), 0);
  await eventually('the composer focused', () =>
    appFrame(page)?.evaluate(() => document.activeElement?.classList.contains('fc-composer__field')),
  );
  await chat.locator(SEL.composer).fill('Where is my order?');
  await chat.locator(SEL.send).click();
  await chat.locator(`${SEL.visitor}:not(${SEL.pending})`).filter({ hasText: 'Where is my order?' }).waitFor();

  assert.equal(updates().length, 1, 'one update carries every answer');
  // The agent sees who wrote.
  const conversation = await agentApi(server, 'GET', `/conversations/${conversationOf(requests)}`);
  const contact = (await agentApi(server, 'GET', `/contacts/${conversation.meta.sender.id}`)).payload;
  assert.equal(contact.name, 'Ada Lovelace');
  assert.equal(contact.email, 'ada@example.com');
  assert.equal(contact.phone_number, '+493012345678');
  assert.equal(contact.custom_attributes.order_number, 'A-1001');

  // A reload goes straight to the conversation.
  await page.reload();
  await page.locator(SEL.bubble).click();
  await chat.locator(SEL.visitor).filter({ hasText: 'Where is my order?' }).waitFor();
  assert.equal(await chat.locator('.fc-prechat').count(), 0);
  assert.deepEqual(problems, []);
});

test('the page’s own user is not asked what the page already said', async (t) => {
  const { page, problems } = await visit(t, 'prechat-user', { preChatForm: true });
  await page.evaluate(() => window.$ferrochat.setUser('user-77', { name: 'Grace Hopper', email: 'grace@example.com' }));
  await page.locator(SEL.bubble).click();
  const form = page.frameLocator(SEL.frame).locator('.fc-prechat');
  await form.waitFor();
  assert.deepEqual(await form.locator('.fc-field__label').allTextContents(), ['Phone number']);
  assert.deepEqual(problems, []);
});

test('the notification sound plays while the window is closed, never while it is read, and not once muted', async (t) => {
  const { page, requests, problems } = await visit(t, 'sound', {});
  const notes = () => appFrame(page).evaluate(() => window.__notes);
  await page.locator(SEL.bubble).click();
  const chat = page.frameLocator(SEL.frame);
  await eventually('the session ready', async () => !(await chat.locator(SEL.send).isDisabled()));
  // A click in the window is the gesture that lets it play sound.
  await chat.locator(SEL.composer).click();
  await chat.locator(SEL.composer).fill('Tell me when you answer');
  await chat.locator(SEL.send).click();
  await chat.locator(`${SEL.visitor}:not(${SEL.pending})`).waitFor();
  const conversation = conversationOf(requests);
  const reply = (content) =>
    agentApi(server, 'POST', `/conversations/${conversation}/messages`, { content, message_type: 'outgoing' });

  // Read as it arrives: no sound.
  await reply('Looking into it');
  await chat.locator(SEL.agent).filter({ hasText: 'Looking into it' }).waitFor();
  assert.equal(await notes(), 0);

  // Closed: two notes.
  await chat.locator(SEL.close).click();
  await page.locator(SEL.frame).waitFor({ state: 'hidden' });
  await reply('Found it');
  await eventually('the chime', async () => (await notes()) === 2);

  // Muted: silence, and it stays muted after a reload.
  await page.locator(SEL.bubble).click();
  const mute = chat.locator('button[aria-label="Mute notification sound"]');
  await mute.click();
  const unmute = chat.locator('button[aria-label="Unmute notification sound"]');
  assert.equal(await unmute.getAttribute('aria-pressed'), 'true');
  await chat.locator(SEL.close).click();
  await reply('It ships tomorrow');
  await page.locator(SEL.bubble).click();
  await chat.locator(SEL.agent).filter({ hasText: 'It ships tomorrow' }).waitFor();
  assert.equal(await notes(), 2);
  await page.reload();
  await page.locator(SEL.bubble).click();
  await chat.locator('button[aria-label="Unmute notification sound"]').waitFor();
  assert.deepEqual(problems, []);
});

test('an embed that turns the sound off gets no mute button', async (t) => {
  const { page } = await visit(t, 'silent', { notificationSound: false });
  await page.locator(SEL.bubble).click();
  const chat = page.frameLocator(SEL.frame);
  await eventually('the session ready', async () => !(await chat.locator(SEL.send).isDisabled()));
  assert.equal(await chat.locator('button[aria-pressed]').count(), 0);
});
