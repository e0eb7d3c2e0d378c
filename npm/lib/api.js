// The package's JavaScript around the wasm. Each entry (index.js for the
// web, bundler.js, node.js) calls `bind` with how to load its two
// wasm-bindgen bindings, the headless client's and the helpers', and
// exports what it returns. Values cross as JSON text; see index.d.ts for
// the types.

const text = (value) => JSON.stringify(value ?? {});
const STORAGE_PREFIX = 'ferrochat:';
const EVENTS = ['message', 'message-updated', 'typing', 'status', 'unread', 'connection', 'error', 'ready', 'phase'];

/**
 * The package's API over its two wasm: `load.client()` and `load.helpers()`
 * return a promise of those bindings, once loaded; `loaded`: bindings that
 * are loaded already. Each is loaded the first time it is needed, so an app
 * that only chats never loads the helpers, and one that only validates
 * never loads the client.
 */
export function bind(load, loaded = {}) {
  const wasm = { ...loaded };
  const loading = {};

  /** The `part` bindings, loaded once; a failed load is tried again next time. */
  function need(part) {
    if (wasm[part]) return Promise.resolve(wasm[part]);
    loading[part] ??= Promise.resolve(load[part]()).then(
      (bindings) => (wasm[part] = bindings),
      (error) => {
        loading[part] = undefined;
        throw error;
      },
    );
    return loading[part];
  }

  /** Loads the helpers' wasm (once). `start()` loads the client's itself. */
  function ready() {
    return need('helpers').then(() => undefined);
  }

  function bindings() {
    if (!wasm.helpers) throw new Error('ferrochat: the helpers are not loaded yet: `await ready()` first');
    return wasm.helpers;
  }

  function validateContact(contact) {
    return JSON.parse(bindings().validateContact(text(contact)));
  }

  function validateMessage(message, options = {}) {
    return JSON.parse(bindings().validateMessage(text(message), options.files ?? 0));
  }

  function parseMessage(message) {
    return JSON.parse(bindings().parseMessage(typeof message === 'string' ? message : text(message)));
  }

  function quickRepliesToInputSelect(quickReplies) {
    return JSON.parse(bindings().quickRepliesToInputSelect(text(quickReplies)));
  }

  function inputSelectToQuickReplies(inputSelect, requestIdentifier) {
    return JSON.parse(bindings().inputSelectToQuickReplies(text(inputSelect), String(requestIdentifier)));
  }

  function quickReplyResponse(inputSelect, index, requestIdentifier, options = {}) {
    return JSON.parse(
      bindings().quickReplyResponse(text(inputSelect), index, String(requestIdentifier), options.includePayload !== false),
    );
  }

  function identifierHash(hmacToken, identifier) {
    return bindings().identifierHash(String(hmacToken), String(identifier));
  }

  function verifyIdentifierHash(hmacToken, identifier, given) {
    return bindings().verifyIdentifierHash(String(hmacToken), String(identifier), String(given));
  }

  /** A headless chat session; see `Client` in index.d.ts. */
  function createClient(options) {
    if (!options || typeof options.baseUrl !== 'string' || typeof options.inboxIdentifier !== 'string') {
      throw new TypeError('ferrochat: createClient needs { baseUrl, inboxIdentifier }');
    }
    const storage = options.storage ?? 'local';
    if (storage !== 'local' && storage !== 'none' && typeof storage?.getItem !== 'function') {
      throw new TypeError("ferrochat: storage must be 'local', 'none' or { getItem, setItem, removeItem }");
    }
    const key = STORAGE_PREFIX + options.inboxIdentifier;
    const handlers = new Map(EVENTS.map((name) => [name, new Set()]));
    let client;
    let starting;

    function emit(name, payload) {
      for (const handler of handlers.get(name) ?? []) {
        try {
          handler(payload);
        } catch (error) {
          // One handler's bug must not stop the session or the other handlers.
          setTimeout(() => {
            throw error;
          });
        }
      }
    }

    function on(name, payload) {
      if (name === 'store') {
        if (typeof storage === 'object') {
          payload == null ? storage.removeItem(key) : storage.setItem(key, payload);
        }
        return;
      }
      emit(name, payload);
    }

    function started() {
      if (!client) throw new Error('ferrochat: the client is not started: `await client.start()` first');
      return client;
    }

    return {
      start() {
        starting ??= (async () => {
          let bindings;
          try {
            bindings = await need('client');
          } catch (error) {
            // Nothing started: a later start() tries again.
            starting = undefined;
            throw error;
          }
          const saved = typeof storage === 'object' ? await storage.getItem(key) : null;
          const phase = new Promise((resolve, reject) => {
            const settle = (state) => {
              if (state.phase === 'ready') resolve();
              if (state.phase === 'failed') reject(new Error(state.error));
            };
            handlers.get('phase').add(settle);
          });
          client = new bindings.Client(
            options.baseUrl,
            options.inboxIdentifier,
            storage === 'local',
            saved ?? undefined,
            (name, json) => on(name, JSON.parse(json)),
          );
          client.start();
          return phase;
        })();
        return starting;
      },
      on(name, handler) {
        const set = handlers.get(name);
        if (!set) throw new TypeError(`ferrochat: no event named ${name}`);
        set.add(handler);
        return () => set.delete(handler);
      },
      send: (content) => started().send(String(content)),
      sendFiles: (files, caption) => started().sendFiles(Array.from(files ?? []), String(caption ?? '')),
      choose: (messageId, item) => started().choose(messageId, text(item)),
      submitForm: (messageId, values) => started().submitForm(messageId, text(values)),
      rateConversation: (rating, feedback) => started().rate(rating, feedback ?? undefined),
      typing: (on) => started().typing(Boolean(on)),
      markSeen: () => started().markSeen(),
      resolve: () => started().resolve(),
      retry: (echoId) => started().retry(String(echoId)),
      retryStart: () => started().retryStart(),
      setVisible: (visible) => started().setVisible(Boolean(visible)),
      setUser: (identifier, user) => started().setUser(String(identifier), text(user)),
      setCustomAttributes: (attributes) => started().setCustomAttributes(text(attributes)),
      deleteCustomAttribute: (key) => started().deleteCustomAttribute(String(key)),
      setConversationCustomAttributes: (attributes) => started().setConversationCustomAttributes(text(attributes)),
      reset: () => started().reset(),
      messages: () => (client ? JSON.parse(client.messages()) : []),
      state: () =>
        client
          ? JSON.parse(client.state())
          : { phase: 'idle', error: null, connection: 'offline', status: null, conversationId: null, unread: 0, agentTyping: false, inbox: null },
      stop() {
        client?.stop();
      },
    };
  }

  return {
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
  };
}
