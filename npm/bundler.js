// ferrochat for bundlers with WebAssembly ES module integration (webpack's
// `experiments.asyncWebAssembly`, vite-plugin-wasm): the wasm is part of the
// module graph, so the helpers work as soon as this module is imported.
import * as bindings from './wasm/bundler/ferrochat_client.js';
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
} = bind(() => bindings, bindings);
