// The packed package in a Vite-built app, in Debian's Chromium, against the
// real server with its demo bot: the headless client and the in-page mount.
// `cargo xtask test` packs the tarball, installs it here and builds dist/.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  agentApi,
  artifact,
  conversations,
  eventually,
  launchChromium,
  messages,
  startServer,
} from '../e2e/support.mjs';

const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dist');
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
};

let server;
let site;
let browser;

/** dist/ over HTTP on 127.0.0.1: another origin than the chat server's. */
async function serveDist() {
  const http = createServer(async (request, response) => {
    const pathname = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    const file = path.join(dist, path.normalize(pathname).replace(/^(\.\.[/\\])+/, ''));
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${http.address().port}`, close: () => http.close() };
}

before(async () => {
  server = await startServer();
  site = await serveDist();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  site?.close();
  await server?.remove();
});

async function open(name) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const wasm = [];
  page.on('request', (request) => {
    const name = new URL(request.url()).pathname.split('/').pop();
    if (name.endsWith('.wasm')) wasm.push(name.replace(/-[\w-]+\.wasm$/, '.wasm'));
  });
  const query = new URLSearchParams({ base: server.base, inbox: server.inbox });
  await page.goto(`${site.url}/${name}.html?${query}`);
  return { context, page, errors, wasm };
}

test('a custom UI on the headless client sends, gets the bot quick replies, chooses one and sees the answer', async () => {
  const { context, page, errors, wasm } = await open('headless');
  await page.locator('#phase', { hasText: 'ready' }).waitFor();
  await page.locator('#connection', { hasText: 'live' }).waitFor();
  // A chat UI loads the client's wasm only: not the helpers', not the window's.
  assert.deepEqual(wasm, ['client_bg.wasm']);
  // The helpers' wasm comes when the page asks for them.
  const checked = await page.evaluate(async () => {
    await window.helpers.ready();
    return window.helpers.validateContact({ email: 'ada@' });
  });
  assert.deepEqual(checked.errors.map((error) => error.field), ['email']);
  assert.deepEqual(wasm, ['client_bg.wasm', 'helpers_bg.wasm']);

  await page.getByLabel('Message').fill('Hello from a custom UI');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.locator('li.visitor', { hasText: 'Hello from a custom UI' }).waitFor();

  // The server has it, once (the line shows while it is still on its way).
  await page.locator('li.visitor[data-id]', { hasText: 'Hello from a custom UI' }).waitFor();
  const conversation = await eventually('the conversation', async () => (await conversations(server))[0]);
  const sent = (await messages(server, conversation.id)).filter((m) => m.content === 'Hello from a custom UI');
  assert.equal(sent.length, 1);

  // The demo bot's menu arrives over the socket (a greeting, and an answer
  // to the hello); choose its quick-reply demo.
  const menu = page.locator('li.agent', { has: page.getByRole('button', { name: 'Quick replies' }) }).last();
  await menu.waitFor();
  await menu.getByRole('button', { name: 'Quick replies' }).click();
  await eventually('the menu answered', () => menu.getByRole('button', { name: 'Quick replies' }).isDisabled());

  const likes = page.locator('li.agent', { has: page.getByRole('button', { name: 'Rust', exact: true }) });
  await likes.waitFor();
  await likes.getByRole('button', { name: 'Rust', exact: true }).click();
  // The bot answers the choice.
  await eventually('the bot answering the choice', async () => {
    const texts = await page.locator('li.agent').allTextContents();
    return texts.some((text) => /Rust/.test(text) && !/WebAssembly/.test(text));
  });
  const answered = await page.evaluate(() =>
    window.chat
      .messages()
      .filter((entry) => entry.kind === 'message' && entry.message.content_type === 'input_select')
      .map((entry) => entry.message.content_attributes.submitted_values?.[0]?.title)
      .filter(Boolean),
  );
  assert.deepEqual(answered, ['Quick replies', 'Rust']);

  // An agent's reply from the application API reaches the client live.
  await agentApi(server, 'POST', `/conversations/${conversation.id}/messages`, {
    content: 'An agent here',
    message_type: 'outgoing',
  });
  await page.locator('li.agent', { hasText: 'An agent here' }).waitFor();

  // Bad input is refused with a clear error, and nothing is sent.
  const refused = await page.evaluate(() => {
    try {
      window.chat.send('   ');
      return null;
    } catch (error) {
      return error.message;
    }
  });
  assert.equal(refused, 'a message needs some text');
  assert.deepEqual(errors, []);
  await page.screenshot({ path: artifact('npm-headless.png') });
  await context.close();
});

test('the headless client uploads files with a caption, refuses an empty one, and the server serves the bytes back', async () => {
  const { context, page, errors } = await open('headless');
  await page.locator('#phase', { hasText: 'ready' }).waitFor();

  // An empty file is refused before anything goes, naming the file.
  await page.getByLabel('Files').setInputFiles([{ name: 'empty.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0) }]);
  await page.getByRole('button', { name: 'Upload' }).click();
  await page.getByRole('alert').filter({ hasText: /^empty\.txt: / }).waitFor();
  assert.deepEqual(await page.evaluate(() => [window.chat.messages(), window.chat.state().conversationId]), [[], null]);

  // Two files and a caption: one message.
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  );
  const notes = Buffer.from('line one\nline two\n');
  await page.getByLabel('Files').setInputFiles([
    { name: 'dot.png', mimeType: 'image/png', buffer: png },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: notes },
  ]);
  await page.getByLabel('Caption').fill('Two files for you');
  await page.getByRole('button', { name: 'Upload' }).click();

  const line = page.locator('li.visitor', { hasText: 'Two files for you' });
  await line.locator('a.attachment').nth(1).waitFor();
  assert.deepEqual(await line.locator('a.attachment').allTextContents(), ['dot.png', 'notes.txt']);

  // The server has one message with both files, byte for byte.
  const conversationId = await page.evaluate(() => window.chat.state().conversationId);
  const stored = (await messages(server, conversationId)).filter((m) => m.content === 'Two files for you');
  assert.equal(stored.length, 1);
  assert.deepEqual(
    stored[0].attachments.map((a) => [a.file_type, a.file_size]),
    [
      ['image', png.length],
      ['file', notes.length],
    ],
  );
  for (const [attachment, bytes] of [
    [stored[0].attachments[0], png],
    [stored[0].attachments[1], notes],
  ]) {
    const served = Buffer.from(await (await fetch(attachment.data_url)).arrayBuffer());
    assert.ok(served.equals(bytes), `${attachment.data_url} serves what was uploaded`);
  }

  // The client holds no copy in its outbox once the server has it.
  const outgoing = await page.evaluate(() => window.chat.messages().filter((entry) => entry.kind === 'outgoing'));
  assert.deepEqual(outgoing, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the window mounted in the page chats, in a shadow root the page styles do not reach', async () => {
  const { context, page, errors, wasm } = await open('mount');
  await page.locator('#ready', { hasText: 'yes' }).waitFor();
  assert.deepEqual(wasm, ['widget_bg.wasm']);
  const composer = page.getByLabel('Message', { exact: true });
  await composer.fill('Hello from the mounted window');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.locator('.fc-message--visitor', { hasText: 'Hello from the mounted window' }).waitFor();
  await page.locator('.fc-quick-replies button', { hasText: 'A form' }).last().waitFor();

  // The page's `button { background: red !important }` stays outside.
  const background = await page
    .locator('.fc-quick-replies button', { hasText: 'A form' })
    .last()
    .evaluate((button) => getComputedStyle(button).backgroundColor);
  assert.notEqual(background, 'rgb(255, 0, 0)');

  // close() hides it, open() shows it again with the conversation kept.
  await page.locator('#toggle').click();
  await composer.waitFor({ state: 'hidden' });
  await page.locator('#toggle').click();
  await composer.waitFor({ state: 'visible' });
  await page.locator('.fc-message--visitor', { hasText: 'Hello from the mounted window' }).waitFor();
  // Opened by the app: the keyboard is in the composer, inside the shadow root.
  assert.equal(
    await page.evaluate(() => document.getElementById('chat').shadowRoot.activeElement?.getAttribute('aria-label')),
    'Message',
  );
  // The brand colour from the options paints the header.
  assert.equal(
    await page.locator('.fc-header').evaluate((header) => getComputedStyle(header).backgroundColor),
    'rgb(11, 61, 145)',
  );
  await page.screenshot({ path: artifact('npm-mount.png') });
  assert.deepEqual(errors, []);
  await context.close();
});
