// ferrochat for Node 20 and later (servers, SSR, tests): the wasm is loaded
// when this module is imported, so the helpers work at once. The client
// needs a browser (fetch, WebSocket, timers on `window`).
import { readFileSync } from 'node:fs';

import * as bindings from './wasm/web/ferrochat_client.js';
import { bind } from './lib/api.js';

bindings.initSync({ module: readFileSync(new URL('./wasm/web/ferrochat_client_bg.wasm', import.meta.url)) });

export const {
  ready,
  validateContact,
  validateMessage,
  parseMessage,
  quickRepliesToInputSelect,
  inputSelectToQuickReplies,
  quickReplyResponse,
  identifierHash,
  verifyIdentifierHash,
} = bind(() => bindings, bindings);

/** The headless client runs in a browser only. */
export function createClient() {
  throw new Error('ferrochat: createClient needs a browser (window, fetch, WebSocket); in Node, use the helpers');
}
