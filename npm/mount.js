// The ready-made chat window, mounted in the host page itself (not in an
// iframe): for apps that render their own layout (React, Vue, Svelte…).
// The wasm runs in the page, so a page with a Content-Security-Policy needs
// `script-src 'wasm-unsafe-eval'` (the script-tag embed does not: its wasm
// runs in the iframe, under ferrochat's own policy).
import init, { mount as mountWasm } from './wasm/widget/widget.js';
import css from './wasm/widget/style.js';

let loading;

/** Mounts the chat window into `element`; see `mount` in mount.d.ts. */
export async function mount(element, options) {
  if (!(element instanceof Element)) throw new TypeError('ferrochat: mount needs an element');
  if (!options || typeof options.baseUrl !== 'string' || typeof options.inboxIdentifier !== 'string') {
    throw new TypeError('ferrochat: mount needs { baseUrl, inboxIdentifier }');
  }
  loading ??= init({ module_or_path: new URL('./wasm/widget/widget_bg.wasm', import.meta.url) });
  await loading;

  // A shadow root keeps the page's styles and ours apart.
  const shadow = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = css;
  const root = document.createElement('div');
  root.className = 'fc-root';
  shadow.replaceChildren(style, root);

  let isOpen = false;
  let mounted;
  const call = (name, ...args) => {
    try {
      options[name]?.(...args);
    } catch (error) {
      setTimeout(() => {
        throw error;
      });
    }
  };
  const send = (message) => mounted?.command(JSON.stringify({ ferrochat: 1, ...message }));
  // `focus`: the keyboard goes into the window when the app opens it, not
  // when the page first mounts it.
  const show = (open, focus = true) => {
    isOpen = open;
    root.hidden = !open;
    send({ type: open ? 'open' : 'close', focus });
  };

  mounted = mountWasm(root, options.baseUrl, options.inboxIdentifier, (type, json) => {
    const fields = JSON.parse(json) ?? {};
    if (type === 'ready') call('onReady');
    else if (type === 'message') call('onMessage', fields.message);
    else if (type === 'postback') call('onPostback', String(fields.payload));
    else if (type === 'unread') call('onUnread', fields.count);
    else if (type === 'error') call('onError', fields.error);
    else if (type === 'close') {
      show(false);
      call('onClose');
    }
  });
  send({
    type: 'settings',
    settings: {
      darkMode: options.colorScheme,
      brandColor: options.brandColor,
      preChatForm: options.preChatForm,
      notificationSound: options.notificationSound,
    },
  });
  if (options.locale) send({ type: 'set-locale', locale: options.locale });
  show(options.open !== false, false);

  return {
    open: () => show(true),
    close: () => show(false),
    get isOpen() {
      return isOpen;
    },
    setUser: (identifier, user) => send({ type: 'set-user', identifier, user }),
    setCustomAttributes: (attributes) => send({ type: 'set-custom-attributes', attributes }),
    deleteCustomAttribute: (key) => send({ type: 'delete-custom-attribute', key }),
    setConversationCustomAttributes: (attributes) => send({ type: 'set-conversation-custom-attributes', attributes }),
    setColorScheme: (scheme) => send({ type: 'set-color-scheme', scheme }),
    setLocale: (locale) => send({ type: 'set-locale', locale }),
    reset: () => send({ type: 'reset' }),
    unmount() {
      mounted?.unmount();
      mounted = undefined;
      shadow.replaceChildren();
    },
  };
}
