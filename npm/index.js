// ferrochat for the web and for bundlers that handle
// `new URL('…', import.meta.url)` (Vite, webpack 5, Parcel, esbuild with a
// loader): the wasm is fetched by the first `ready()` or `start()`.
import init, * as bindings from './wasm/web/ferrochat_client.js';
import { bind } from './lib/api.js';

export const {
  ready,
  createClient,
  validateContact,
  validateMessage,
  parseMessage,
  quickRepliesToInputSelect,
  inputSelectToQuickReplies,
  quickReplyResponse,
  identifierHash,
  verifyIdentifierHash,
} = bind(() =>
  init({ module_or_path: new URL('./wasm/web/ferrochat_client_bg.wasm', import.meta.url) }).then(() => bindings),
);
