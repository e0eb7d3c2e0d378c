// ferrochat for Node 20 and later (servers, SSR, tests): the helpers' wasm
// is loaded when this module is imported, so the helpers work at once. The
// client needs a browser (fetch, WebSocket, timers on `window`).
import { readFileSync } from 'node:fs';

import * as helpers from './wasm/web/helpers.js';
import { bind } from './lib/api.js';

helpers.initSync({ module: readFileSync(new URL('./wasm/web/helpers_bg.wasm', import.meta.url)) });

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
} = bind({ helpers: () => helpers }, { helpers });

/** The headless client runs in a browser only. */
export function createClient() {
  throw new Error('ferrochat: createClient needs a browser (window, fetch, WebSocket); in Node, use the helpers');
}
