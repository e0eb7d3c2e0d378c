// What a message carries besides text, through the real app and server:
// the demo bot's cards (a postback reaches the host page) and articles,
// files sent by the picker and shown back (an image whole, a PDF as a
// download with its size), and the survey after the conversation is
// resolved, stored on the server.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  NO_IDLE,
  SEL,
  agentApi,
  artifact,
  browserAndServer,
  conversationOf,
  eventually,
  messages,
  recordingPage,
} from './support.mjs';

let browser;
let server;

browserAndServer((started) => ({ browser, server } = started));

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
/** A small PDF: 2,048 bytes of it, which the widget shows as 2 KB. */
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2048 - 9, 0x20)]);

async function visit() {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  await context.addInitScript(NO_IDLE);
  await context.addInitScript(() => {
    window.postbacks = [];
    window.addEventListener('ferrochat:postback', (event) => window.postbacks.push(event.detail));
  });
  const recording = await recordingPage(context);
  await recording.page.goto(`${server.host}/`);
  await recording.page.locator(SEL.bubble).click();
  const chat = recording.page.frameLocator(SEL.frame);
  await chat.locator(SEL.composer).waitFor({ state: 'visible', timeout: 15_000 });
  return { context, chat, ...recording };
}

test('cards hand postbacks to the page, articles are links, and files go and come back', async (t) => {
  const { context, page, chat, requests, problems } = await visit();
  t.after(() => context.close());
  await chat.locator(SEL.composer).fill('Hello');
  await chat.locator(SEL.send).click();

  // Cards: a link opens a new tab with no opener; a postback reaches the host page.
  await chat.locator(SEL.quickReplies).filter({ hasText: 'A card' }).last().click();
  const card = chat.locator('.fc-card').filter({ hasText: 'Interactive messages' });
  await card.waitFor();
  assert.match(await card.locator('.fc-card__description').textContent(), /Cards, forms, articles/);
  const link = card.getByRole('link', { name: 'Read the docs' });
  assert.equal(await link.getAttribute('target'), '_blank');
  assert.match(await link.getAttribute('rel'), /noopener/);
  await card.getByRole('button', { name: 'Tell the page' }).click();
  await eventually('the postback on the page', () => page.evaluate(() => window.postbacks.length === 1));
  assert.deepEqual(await page.evaluate(() => window.postbacks), ['demo_card_interactive']);

  // Articles: one link each, with its description.
  await chat.locator(SEL.quickReplies).filter({ hasText: 'Articles' }).last().click();
  const articles = chat.locator('.fc-articles a');
  await articles.first().waitFor();
  assert.equal(await articles.count(), 3);
  assert.match(await articles.first().textContent(), /Interactive messages.*guide to cards/);

  // Files by the picker: one message, shown while it goes, then as the server serves it.
  await chat.getByLabel('Attach files').setInputFiles([
    { name: 'dot.png', mimeType: 'image/png', buffer: PNG },
    { name: 'menu.pdf', mimeType: 'application/pdf', buffer: PDF },
  ]);
  const sent = chat.locator(`${SEL.visitor}:not(${SEL.pending})`).filter({ has: chat.locator('.fc-attachment') });
  await sent.locator('.fc-attachment--file').waitFor();
  const download = sent.locator('.fc-attachment--file');
  assert.equal(await download.locator('.fc-file__name').textContent(), 'menu.pdf');
  assert.equal(await download.locator('.fc-file__size').textContent(), '2 KB');
  assert.equal(await download.getAttribute('target'), '_blank');

  const conversation = conversationOf(requests);
  const stored = (await messages(server, conversation)).filter((m) => m.attachments?.length);
  assert.equal(stored.length, 1, 'one message for both files');
  assert.deepEqual(
    stored[0].attachments.map((a) => [a.file_type, a.file_size]),
    [
      ['image', PNG.length],
      ['file', PDF.length],
    ],
  );

  // The image opens whole over the window, and Escape closes it.
  const image = sent.getByRole('button', { name: 'View image dot.png' });
  await image.click();
  const lightbox = chat.locator('.fc-lightbox:popover-open');
  await lightbox.waitFor();
  assert.equal(await lightbox.locator('img').evaluate((img) => img.naturalWidth), 1);
  await page.keyboard.press('Escape');
  await lightbox.waitFor({ state: 'detached' });

  await page.screenshot({ path: artifact('widget-content.png') });
  assert.deepEqual(problems, []);
});

test('a large upload shows its progress until the server has it', async (t) => {
  const { context, page, chat, requests, problems } = await visit();
  t.after(() => context.close());
  await chat.locator(SEL.composer).fill('A recording follows');
  await chat.locator(SEL.send).click();
  await chat.locator(`${SEL.visitor}:not(${SEL.pending})`).waitFor();
  // Every progress value the window shows, as it shows it.
  const frame = page.frames().find((candidate) => new URL(candidate.url()).pathname === '/widget');
  await frame.evaluate(() => {
    window.__progress = [];
    new MutationObserver(() => {
      for (const bar of document.querySelectorAll('.fc-progress')) window.__progress.push(bar.value);
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  // 2 MB at 1 MB/s: the upload takes a while, as it would on a phone.
  const cdp = await context.newCDPSession(frame);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: 1024 * 1024,
  });
  const AUDIO = Buffer.concat([Buffer.from('ID3'), Buffer.alloc(2 * 1024 * 1024 - 3, 0x55)]);
  await chat.getByLabel('Attach files').setInputFiles([{ name: 'voice.mp3', mimeType: 'audio/mpeg', buffer: AUDIO }]);
  const bar = chat.locator(`${SEL.pending} .fc-progress`);
  await bar.waitFor();
  assert.match(await chat.locator(`${SEL.pending} .fc-message__status`).textContent(), /^Uploading: \d{1,3}%$/);
  await chat.locator(`${SEL.visitor}:not(${SEL.pending}) audio`).waitFor({ timeout: 30_000 });
  const seen = await frame.evaluate(() => window.__progress);
  assert.ok(seen.some((value) => value > 0 && value < 100), `a value between 0 and 100 among ${seen}`);
  assert.deepEqual(seen, [...seen].sort((a, b) => a - b), 'it only grows');
  const stored = (await messages(server, conversationOf(requests))).filter((m) => m.attachments?.length);
  assert.deepEqual(
    stored.map((m) => m.attachments.map((a) => [a.file_type, a.file_size])),
    [[['audio', AUDIO.length]]],
  );
  assert.deepEqual(problems, []);
});

test('a resolved conversation asks for a rating once, and the server keeps it', async (t) => {
  const { context, page, chat, requests, problems } = await visit();
  t.after(() => context.close());
  await chat.locator(SEL.composer).fill('Thanks, that is all');
  await chat.locator(SEL.send).click();
  await chat.locator(SEL.quickReplies).first().waitFor();
  const conversation = conversationOf(requests);

  await agentApi(server, 'POST', `/conversations/${conversation}/toggle_status`, { status: 'resolved' });
  const survey = chat.locator('form.fc-survey');
  await survey.waitFor({ timeout: 15_000 });
  await chat.getByText('This conversation was resolved').waitFor();
  await survey.getByRole('button', { name: 'Great (5 of 5)' }).click();
  assert.equal(await survey.getByRole('button', { name: 'Great (5 of 5)' }).getAttribute('aria-pressed'), 'true');
  await survey.getByLabel('Tell us more (optional)').fill('Quick and friendly');
  await survey.getByRole('button', { name: 'Send rating' }).click();

  const thanks = chat.locator('.fc-survey--done');
  await thanks.waitFor();
  assert.match(await thanks.textContent(), /You rated it 5 of 5/);
  assert.equal(await chat.locator('form.fc-survey').count(), 0, 'no second survey to fill');

  const csat = await eventually('the rating on the server', async () =>
    (await messages(server, conversation)).find(
      (m) => m.content_type === 'input_csat' && m.content_attributes?.submitted_values,
    ),
  );
  assert.deepEqual(csat.content_attributes.submitted_values.csat_survey_response, {
    rating: 5,
    feedback_message: 'Quick and friendly',
  });
  await page.screenshot({ path: artifact('widget-survey.png') });
  assert.deepEqual(problems, []);
});

test('a form says what is wrong beside each field, is sent once, and reads back as answered', async (t) => {
  const { context, page, chat, requests, problems } = await visit();
  t.after(() => context.close());
  await chat.locator(SEL.composer).fill('form');
  await chat.locator(SEL.send).click();
  const form = chat.locator('form.fc-form');
  await form.waitFor({ timeout: 15_000 });
  const name = form.getByLabel('Your name');
  const email = form.getByLabel('Email');
  const phone = form.getByLabel('Phone (optional)');

  // Nothing filled in: each required field says so, and the first gets the focus.
  await form.getByRole('button', { name: 'Send' }).click();
  const errors = form.locator('.fc-field__error');
  assert.deepEqual(await errors.allTextContents(), ['This field is required', 'This field is required']);
  assert.equal(await name.getAttribute('aria-invalid'), 'true');
  assert.ok(await name.evaluate((input) => input === document.activeElement), 'the first wrong field has the focus');
  assert.equal(await name.getAttribute('aria-describedby'), await errors.first().getAttribute('id'));

  // Each answer is checked again as it is typed: the core's email rule, the field's own pattern.
  await name.fill('Ada Lovelace');
  await email.fill('ada@');
  await phone.fill('call me');
  await form.getByRole('button', { name: 'Send' }).click();
  assert.deepEqual(await errors.allTextContents(), [
    'Enter a valid email address',
    'Use digits, with + before the country code',
  ]);
  assert.equal(await name.getAttribute('aria-invalid'), null);
  await email.fill('ada@example.com');
  assert.deepEqual(await errors.allTextContents(), ['Use digits, with + before the country code']);
  await phone.fill('+44 20 7946 0000');
  assert.equal(await errors.count(), 0);
  await form.getByLabel('What brings you here?').selectOption({ label: 'Getting help' });
  await form.getByLabel('Message').fill('Where is my order?');
  assert.equal(await chat.locator('[role=alert]').count(), 0, 'no error banner for a form still being filled');
  await form.getByRole('button', { name: 'Send' }).click();

  // Read-only with the answers, the option by its label; the bot read them too.
  const done = chat.locator('dl.fc-form--done');
  await done.waitFor();
  assert.equal(await chat.locator('form.fc-form').count(), 0);
  assert.deepEqual(await done.locator('dd').allTextContents(), [
    'Ada Lovelace',
    'ada@example.com',
    '+44 20 7946 0000',
    'Getting help',
    'Where is my order?',
  ]);
  await chat.locator(SEL.agent).filter({ hasText: 'What brings you here?: Getting help' }).waitFor();

  const conversation = conversationOf(requests);
  const stored = await eventually('the answers on the server', async () =>
    (await messages(server, conversation)).find(
      (m) => m.content_type === 'form' && m.content_attributes?.submitted_values,
    ),
  );
  assert.deepEqual(stored.content_attributes.submitted_values, [
    { name: 'name', value: 'Ada Lovelace' },
    { name: 'email', value: 'ada@example.com' },
    { name: 'phone', value: '+44 20 7946 0000' },
    { name: 'topic', value: 'support' },
    { name: 'message', value: 'Where is my order?' },
  ]);
  await page.screenshot({ path: artifact('widget-form.png') });
  assert.deepEqual(problems, []);
});
