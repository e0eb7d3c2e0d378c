// ferrochat for bundlers with WebAssembly ES module integration (webpack's
// `experiments.asyncWebAssembly`, vite-plugin-wasm): each wasm is its own
// chunk of the module graph, loaded when first needed: the client's by
// `start()`, the helpers' by `ready()`.
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
} = bind({
  client: () => import('./wasm/bundler/client.js'),
  helpers: () => import('./wasm/bundler/helpers.js'),
});
