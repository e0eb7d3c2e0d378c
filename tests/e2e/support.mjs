// The end-to-end harness: the real server binary on 127.0.0.1 with a fresh
// database, Debian's Chromium through playwright-core, and the agent API.
//
// `cargo xtask test` sets the environment; by hand, after `cargo xtask size`
// and `cargo build --profile server -p ferrochat-server`, the defaults find
// target/server/ferrochat-server and target/www.

import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SERVER_BIN =
  process.env.FERROCHAT_SERVER_BIN ?? path.join(root, 'target', 'server', 'ferrochat-server');
export const WWW_DIR = process.env.FERROCHAT_WWW_DIR ?? path.join(root, 'target', 'www');
export const ARTIFACTS = process.env.FERROCHAT_E2E_ARTIFACTS ?? path.join(root, 'target', 'e2e');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Selectors the app and the loader share with these tests. */
export const SEL = {
  frame: 'iframe[title="ferrochat"]',
  bubble: 'button[aria-label="Open chat"]',
  composer: 'textarea[aria-label="Message"]',
  send: 'button[aria-label="Send"]',
  log: '[role="log"]',
  message: '.fc-message',
  visitor: '.fc-message--visitor',
  agent: '.fc-message--agent',
  pending: '.fc-message--pending',
  failed: '.fc-message--failed',
  retry: 'button.fc-retry',
  quickReplies: '.fc-quick-replies button',
  typing: '.fc-typing',
  alert: '[role="alert"]',
  close: 'button[aria-label="Close chat"]',
};

const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts `ferrochat-server --demo-bot` serving target/www, on `port` (0: any)
 * with its data in `dataDir` (default: a fresh temporary folder), and reads
 * its banner. `stop()` sends SIGTERM and waits; `remove()` also deletes a
 * temporary data folder.
 */
export async function startServer({ port = 0, dataDir } = {}) {
  const temporary = !dataDir;
  dataDir ??= await mkdtemp(path.join(tmpdir(), 'ferrochat-e2e-'));
  const child = spawn(
    SERVER_BIN,
    ['--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--www-dir', WWW_DIR, '--demo-bot'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } },
  );
  // A test that fails before its clean-up must not keep node (and the port)
  // alive: the child does not hold the event loop, and dies with node.
  child.unref();
  child.stdout.unref();
  child.stderr.unref();
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const banner = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no banner within 20 s:\n${stdout}\n${stderr}`));
    }, 20_000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (/^agent console: /m.test(stdout)) {
        clearTimeout(timer);
        resolve(stdout);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before its banner:\n${stderr}`));
    });
  });
  const line = (label) => {
    const found = banner.match(new RegExp(`^${label}:? (.+)$`, 'm'));
    if (!found) {
      child.kill('SIGKILL');
      throw new Error(`no "${label}" in the banner:\n${banner}`);
    }
    return found[1].trim();
  };
  const addr = line('ferrochat-server listening on');
  const server = {
    addr,
    port: Number(addr.split(':').pop()),
    base: `http://${addr}`,
    /** The same server under another name: the host page is then cross-origin, as on a real site. */
    host: `http://localhost:${addr.split(':').pop()}`,
    inbox: line('inbox identifier'),
    token: line('api_access_token'),
    account: Number(line('account id')),
    dataDir,
    logs: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(killer);
      }
    },
    async remove() {
      await server.stop();
      if (temporary) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

/** Debian's Chromium, headless, with a fresh profile; nothing downloaded. */
export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The application API as the seeded administrator: `/api/v1/accounts/{account}` + `pathname`. */
export async function agentApi(server, method, pathname, body) {
  const response = await fetch(`${server.base}/api/v1/accounts/${server.account}${pathname}`, {
    method,
    headers: { api_access_token: server.token, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${pathname}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Every conversation of the account, whatever its status. */
export async function conversations(server) {
  const answer = await agentApi(server, 'GET', '/conversations?status=all');
  return answer.data.payload;
}

/** The latest page of a conversation's messages, oldest first. */
export async function messages(server, conversationId) {
  const answer = await agentApi(server, 'GET', `/conversations/${conversationId}/messages`);
  return answer.payload;
}

/** Polls `check` until it returns something truthy, or fails with `what`. */
export async function eventually(what, check, { timeout = 15_000, every = 200 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
    }
    await sleep(every);
  }
}

/** Where screenshots go: `target/e2e/`. */
export function artifact(name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}

/**
 * A page that records every request it and its frames make, and any
 * uncaught error or console error (a CSP violation is one).
 */
export async function recordingPage(context) {
  const page = await context.newPage();
  const requests = [];
  const problems = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // Chromium asks every origin for a favicon; the demo has none.
    if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico'))
      problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  return { page, requests, problems };
}

/** Stops `requestIdleCallback` from ever firing, so only a visitor or the SDK can load the chat. */
export const NO_IDLE = () => {
  window.requestIdleCallback = () => 0;
};

/**
 * A Chromium and a server for one test file: started before its tests and
 * handed to `use({ browser, server })`, closed and removed after them.
 */
export function browserAndServer(use) {
  const started = {};
  before(async () => {
    [started.browser, started.server] = await Promise.all([launchChromium(), startServer()]);
    use(started);
  });
  after(async () => {
    await started.browser?.close();
    await started.server?.remove();
  });
}

/**
 * A host page of our own at `{server.host}/t/{name}.html` (the widget's
 * origin, so `'self'` covers it): `settings` as `window.ferrochatSettings`
 * (from a file: an inline script would break the strict CSP), `css` as a
 * linked stylesheet, `csp` as the page's policy.
 */
export async function hostPage(context, server, name, { settings = {}, css = '', csp } = {}) {
  const files = {
    [`/t/${name}.html`]: [
      'text/html',
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>` +
        `<link rel="stylesheet" href="/t/${name}.css"></head>` +
        `<body><main><h1>A shop</h1><div><p>Bread and cakes.</p></div></main>` +
        `<script src="/t/${name}.js"></script>` +
        `<script async src="/ferrochat.js" data-inbox="${server.inbox}"></script></body></html>`,
    ],
    [`/t/${name}.css`]: ['text/css', css],
    [`/t/${name}.js`]: ['text/javascript', `window.ferrochatSettings = ${JSON.stringify(settings)};`],
  };
  await context.route(`${server.host}/t/**`, (route) => {
    const [type, body] = files[new URL(route.request().url()).pathname] ?? [];
    if (!type) return route.fulfill({ status: 404, body: '' });
    const headers = { 'content-type': `${type}; charset=utf-8` };
    if (csp) headers['content-security-policy'] = csp;
    return route.fulfill({ status: 200, headers, body });
  });
  return `${server.host}/t/${name}.html`;
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** The audit: WCAG 2.x, levels A and AA. */
const AXE_RULES = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } };

/** axe-core's WCAG A/AA violations in `target` (a page or a frame), as `rule: targets` lines. */
export async function audit(target) {
  await target.evaluate(AXE);
  const result = await target.evaluate((rules) => window.axe.run(document, rules), AXE_RULES);
  return result.violations.map(
    (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
  );
}

/** The conversation the app used last, from its request paths. */
export function conversationOf(requests) {
  const ids = requests.map((url) => url.match(/\/conversations\/(\d+)\//)?.[1]).filter(Boolean);
  if (!ids.length) throw new Error('the app used no conversation');
  return Number(ids.at(-1));
}
