// ferrochat for the web and for bundlers that handle
// `new URL('…', import.meta.url)` (Vite, webpack 5, Parcel, esbuild with a
// loader). Each wasm is fetched when first needed: the client's by
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
  client: () =>
    import('./wasm/web/client.js').then(async (bindings) => {
      await bindings.default({ module_or_path: new URL('./wasm/web/client_bg.wasm', import.meta.url) });
      return bindings;
    }),
  helpers: () =>
    import('./wasm/web/helpers.js').then(async (bindings) => {
      await bindings.default({ module_or_path: new URL('./wasm/web/helpers_bg.wasm', import.meta.url) });
      return bindings;
    }),
});
