// ferrochat's loader: the one script a host page embeds.
//
//   <script async src="https://chat.example.com/ferrochat.js"
//           data-base-url="https://chat.example.com" data-inbox="INBOX_IDENTIFIER"></script>
//
// It draws the launcher bubble in a shadow root (so neither the host's CSS nor
// ours crosses over), installs `window.$ferrochat`, and creates the chat's
// iframe only on the first of: hover or focus of the bubble, an idle moment
// after the page has loaded (5 s at the latest), or a programmatic open. Until
// then the host page fetches nothing else. The app runs in that iframe, on our
// origin and under our CSP; the two sides talk through `postMessage` with an
// explicit target origin, and the loader reads only messages whose origin is
// the base URL's and whose source is the iframe's window.
//
// Minified by `cargo xtask` (terser) into `ferrochat.js`; keep it ES2017 and
// small: `cargo xtask size` fails past 2 KB brotli.
(function (w, d) {
  'use strict';
  var pending = w.$ferrochat;
  if (pending && pending.open) return; // loaded twice

  var script = d.currentScript || d.querySelector('script[data-inbox]');
  var src = new URL(script.src, location.href);
  // Without data-base-url the widget lives where the loader came from.
  var base = (script.getAttribute('data-base-url') || src.origin).replace(/\/+$/, '');
  var origin = new URL(base, location.href).origin;
  var inbox = script.getAttribute('data-inbox') || '';
  var settings = w.ferrochatSettings || {};
  var side = settings.position == 'left' ? 'left' : 'right';

  var frame, ready, isOpen, unread = 0;
  var queue = [];
  // While the page is hidden with unread messages, its title blinks their
  // count (unless settings.titleBlink is false); `title` is the page's own.
  var blink, title;

  // The brand colour, if it is one (it also goes into the app's URL).
  var color = /^#([\da-f]{3,4}|[\da-f]{6}|[\da-f]{8})$/i.test(settings.brandColor) ? settings.brandColor : '';

  // The bubble: an unknown element whose inline styles win over any host
  // rule, holding a shadow root with our own styles. They are adopted, not
  // a <style> element, so a page whose CSP forbids inline styles keeps them.
  var host = d.createElement('ferrochat-widget');
  host.style.cssText = 'all:initial!important';
  var root = host.attachShadow({ mode: 'open' });
  var sheet = new CSSStyleSheet();
  sheet.replaceSync(
    ':host{--b:' + (color || '#2557d6') + '}' +
    'button{position:fixed;bottom:20px;' + side + ':20px;z-index:2147483646;width:56px;height:56px;' +
    'padding:0;margin:0;border:0;border-radius:50%;background:var(--b);' +
    // Black or white, whichever contrasts more with the brand (as in the app).
    'color:oklch(from var(--b) clamp(0,(.564 - l)*1000,1) 0 0);cursor:pointer;' +
    'box-shadow:0 4px 14px rgba(0,0,0,.25);display:flex;align-items:center;justify-content:center}' +
    'button:focus-visible{outline:3px solid #99b5ff;outline-offset:2px}' +
    'b{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 6px;box-sizing:border-box;' +
    'border-radius:10px;background:#d92d20;color:#fff;font:700 12px/20px system-ui,sans-serif;text-align:center}' +
    'iframe{position:fixed;bottom:88px;' + side + ':20px;z-index:2147483647;width:380px;' +
    'height:min(640px,calc(100% - 108px));border:0;border-radius:14px;background:#fff;' +
    'box-shadow:0 10px 40px rgba(0,0,0,.28);color-scheme:normal}' +
    '@media (max-width:480px){iframe{inset:0;width:100%;height:100%;border-radius:0}}' +
    '[hidden]{display:none}iframe[hidden]{display:block;visibility:hidden}'
  );
  root.adoptedStyleSheets = [sheet];
  root.innerHTML =
    '<button type="button" aria-label="Open chat" aria-expanded="false">' +
    '<svg width="28" height="28" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true">' +
    '<path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg>' +
    '<b hidden></b></button>';
  var bubble = root.lastChild;
  var badge = bubble.lastChild;

  function emit(name, detail) {
    w.dispatchEvent(new CustomEvent('ferrochat:' + name, { detail: detail }));
  }

  function post(message) {
    message.ferrochat = 1;
    ready ? frame.contentWindow.postMessage(message, origin) : queue.push(message);
  }

  function stored(value) {
    try {
      var storage = w.localStorage,
        key = 'ferrochat:' + inbox;
      if (value === undefined) return storage.getItem(key);
      value ? storage.setItem(key, value) : storage.removeItem(key);
    } catch (error) {}
  }

  function showBadge() {
    badge.textContent = unread > 99 ? '99+' : unread;
    badge.hidden = isOpen || !(unread > 0);
    if (blink) d.title = title;
    blink = clearInterval(blink);
    if (settings.titleBlink !== false && unread > 0 && d.hidden) {
      title = d.title;
      blink = setInterval(function () {
        d.title = d.title == title ? '(' + badge.textContent + ') ' + title : title;
      }, 1000);
    }
  }

  function load() {
    if (frame) return;
    frame = d.createElement('iframe');
    frame.title = 'ferrochat';
    frame.hidden = true;
    // The session is kept here, in the host page's storage, and handed to
    // the app in the fragment (never sent to a server): a browser that
    // denies storage to third-party frames would otherwise start a new
    // visitor on every page.
    frame.src =
      base + '/widget?inbox=' + encodeURIComponent(inbox) + '&origin=' + encodeURIComponent(location.origin) +
      '&locale=' + encodeURIComponent(settings.locale || 'auto') +
      '&color=' + encodeURIComponent(color) +
      '#' + encodeURIComponent(stored() || '');
    root.appendChild(frame);
    // Full screen on a phone: as tall as what the on-screen keyboard
    // leaves visible, so the composer stays in view.
    var view = w.visualViewport;
    if (view)
      view.addEventListener('resize', function () {
        frame.style.height = matchMedia('(max-width:480px)').matches ? view.height + 'px' : '';
      });
  }

  function open() {
    load();
    post({ type: 'open' });
    if (!isOpen) {
      isOpen = true;
      frame.hidden = false;
      frame.focus();
      bubble.setAttribute('aria-expanded', true);
      showBadge();
      emit('opened');
    }
  }

  function close() {
    if (frame) post({ type: 'close' });
    hide();
  }

  // Also what the app's own close button asks for: the app needs no telling.
  function hide() {
    if (isOpen) {
      isOpen = false;
      // The keyboard goes back where it came from.
      if (root.activeElement == frame) bubble.focus();
      frame.hidden = true;
      bubble.setAttribute('aria-expanded', false);
      showBadge();
      emit('closed');
    }
  }

  w.addEventListener('message', function (event) {
    var data = event.data;
    if (!frame || event.origin !== origin || event.source !== frame.contentWindow || !data || data.ferrochat !== 1)
      return;
    var type = data.type;
    if (type == 'ready') {
      ready = 1;
      // The settings first, then what was asked before the app could hear.
      [{ type: 'settings', settings: w.ferrochatSettings || {} }].concat(queue.splice(0)).forEach(post);
      emit('ready');
    } else if (type == 'close') hide();
    else if (type == 'store') stored(typeof data.value == 'string' ? data.value : null);
    else if (type == 'message') emit('on-message', data.message);
    else if (type == 'unread') {
      unread = data.count;
      showBadge();
      emit('unread-count', unread);
    } else if (type == 'error' || type == 'postback') emit(type, type == 'error' ? data.error : data.payload);
  });

  d.addEventListener('visibilitychange', showBadge);

  bubble.onclick = function () {
    isOpen ? close() : open();
  };
  bubble.onmouseenter = bubble.onfocus = load;

  var api = {
    open: open,
    close: close,
    toggle: function (state) {
      (state ? state == 'open' : !isOpen) ? open() : close();
    },
    toggleBubbleVisibility: function (visibility) {
      bubble.hidden = visibility == 'hide';
    },
    setUser: function (identifier, user) {
      post({ type: 'set-user', identifier: identifier, user: user || {} });
    },
    setCustomAttributes: function (attributes) {
      post({ type: 'set-custom-attributes', attributes: attributes });
    },
    deleteCustomAttribute: function (key) {
      post({ type: 'delete-custom-attribute', key: key });
    },
    setConversationCustomAttributes: function (attributes) {
      post({ type: 'set-conversation-custom-attributes', attributes: attributes });
    },
    setLocale: function (locale) {
      post({ type: 'set-locale', locale: locale });
    },
    setColorScheme: function (scheme) {
      post({ type: 'set-color-scheme', scheme: scheme });
    },
    reset: function () {
      unread = 0;
      showBadge();
      post({ type: 'reset' });
    },
  };
  w.$ferrochat = api;
  // Calls a page queued before this script ran, as
  // `($ferrochat = $ferrochat || []).push(["setUser", id, {…}])`.
  if (pending && pending.forEach)
    pending.forEach(function (call) {
      api[call[0]] && api[call[0]].apply(api, call.slice(1));
    });

  function later() {
    w.requestIdleCallback ? requestIdleCallback(load, { timeout: 5e3 }) : setTimeout(load, 5e3);
  }
  d.readyState == 'complete' ? later() : w.addEventListener('load', later);
  (d.body || d.documentElement).appendChild(host);
})(window, document);
