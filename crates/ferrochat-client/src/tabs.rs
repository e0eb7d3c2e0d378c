//! Every open tab of a site, one socket: the tabs of one inbox elect a
//! leader with a Web Lock (`navigator.locks`), and only the leader opens the
//! `/cable` socket. It relays every frame over a `BroadcastChannel`; the
//! other tabs' engines take the channel for their socket. When the leader's
//! tab closes, its lock passes to another tab, which opens the socket.
//! Reading in one tab clears the unread count in all.
//!
//! The engine knows nothing of this: a follower's socket opens at once and
//! says hello, the leader answers with the frames a fresh socket would have
//! brought (`welcome` and its subscription's confirmation), and what a
//! follower would send (subscribe, presence) is the leader's to send. A
//! follower whose contact is not the leader's (its confirmation never
//! comes, so the engine calls the socket stale) opens its own.
//!
//! Messages on the channel are strings: `f` and a frame, `h` (hello), `c`
//! (the leader's socket closed, or a new leader took over), `s` (read).

use std::cell::{Cell, RefCell};
use std::rc::Weak;

use js_sys::{Function, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BroadcastChannel, MessageEvent};

use crate::{Inner, feed};
use ferrochat_core::session::{Connection, Input};

#[wasm_bindgen]
extern "C" {
    /// `navigator.locks.request(name, {signal}, callback)`: web-sys has it
    /// only behind its unstable APIs.
    #[wasm_bindgen(js_namespace = ["navigator", "locks"], js_name = request, catch)]
    fn request_lock(name: &str, options: &JsValue, callback: &Function)
    -> Result<Promise, JsValue>;
}

/// Where a tab stands.
pub(crate) struct Tabs {
    channel: BroadcastChannel,
    /// This tab holds the lock: its socket is the real one.
    leader: Cell<bool>,
    /// This tab's engine has the channel for its socket.
    relayed: Cell<bool>,
    /// The leader's frames made this tab's engine live: it is the same
    /// contact's subscription.
    served: Cell<bool>,
    /// The channel did not serve this tab (another contact): its socket is
    /// its own from now on.
    alone: Cell<bool>,
    /// The leader's subscription confirmation, for late followers.
    confirmed: RefCell<Option<String>>,
    /// Ends the lock's hold (the tab stops, or goes into the back/forward
    /// cache, which a held lock would keep it out of).
    release: RefCell<Option<Function>>,
    /// Withdraws a request for the lock not granted yet.
    waiting: RefCell<Option<web_sys::AbortController>>,
    name: String,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_lock: Closure<dyn FnMut() -> Promise>,
    _on_denied: Closure<dyn FnMut(JsValue)>,
}

impl Tabs {
    /// Joins the tabs of `name`; `None` where the browser has no
    /// `BroadcastChannel` (each tab is then on its own).
    pub(crate) fn join(name: &str, inner: Weak<Inner>) -> Option<Tabs> {
        let channel = BroadcastChannel::new(name).ok()?;
        let on_message = {
            let inner = inner.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                if let (Some(inner), Some(text)) = (inner.upgrade(), event.data().as_string()) {
                    heard(&inner, &text);
                }
            })
        };
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let on_lock = {
            let inner = inner.clone();
            Closure::<dyn FnMut() -> Promise>::new(move || {
                let mut release = None;
                let hold = Promise::new(&mut |resolve, _| release = Some(resolve));
                if let Some(inner) = inner.upgrade() {
                    if let Some(tabs) = &*inner.tabs.borrow() {
                        *tabs.release.borrow_mut() = release;
                        tabs.waiting.borrow_mut().take();
                    }
                    lead(&inner);
                }
                hold
            })
        };
        // A frame denied storage (third-party storage blocked) is denied
        // locks too: each such tab leads itself, as if alone.
        let on_denied = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            if let Some(inner) = inner.upgrade() {
                lead(&inner);
            }
        });
        let tabs = Tabs {
            channel,
            leader: Cell::new(false),
            relayed: Cell::new(false),
            served: Cell::new(false),
            alone: Cell::new(false),
            confirmed: RefCell::new(None),
            release: RefCell::new(None),
            waiting: RefCell::new(None),
            name: name.to_owned(),
            _on_message: on_message,
            _on_lock: on_lock,
            _on_denied: on_denied,
        };
        tabs.ask();
        Some(tabs)
    }

    /// Asks for the lock; the tab leads once it is granted.
    fn ask(&self) {
        let controller = web_sys::AbortController::new().ok();
        let options = js_sys::Object::new();
        if let Some(controller) = &controller {
            let _ = js_sys::Reflect::set(&options, &"signal".into(), &controller.signal());
        }
        // Without Web Locks there is no safe election: every tab leads.
        match request_lock(&self.name, &options, self._on_lock.as_ref().unchecked_ref()) {
            Ok(held) => drop(held.catch(&self._on_denied)),
            Err(_) => self.leader.set(true),
        }
        *self.waiting.borrow_mut() = controller;
    }

    /// The page is leaving, perhaps into the back/forward cache: the lock
    /// goes (another tab takes the socket over), and so does a request.
    pub(crate) fn suspend(&self) {
        self.give_up();
        if self.leader.replace(false) {
            self.confirmed.borrow_mut().take();
            self.post("c");
        }
    }

    /// The page is back: it asks for the lock again.
    pub(crate) fn resume(&self) {
        if self.release.borrow().is_none() && self.waiting.borrow().is_none() {
            self.ask();
        }
    }

    /// Lets go of the lock, or of the request for it.
    fn give_up(&self) {
        if let Some(release) = self.release.borrow_mut().take() {
            let _ = release.call0(&JsValue::NULL);
        }
        if let Some(waiting) = self.waiting.borrow_mut().take() {
            waiting.abort();
        }
    }

    /// Whether the engine's socket should be a real one.
    pub(crate) fn owns_socket(&self) -> bool {
        self.leader.get() || self.alone.get()
    }

    /// The engine opens its socket as a follower: the channel is its socket
    /// from now on, and the leader is asked for the frames a new socket
    /// would bring.
    pub(crate) fn open_relayed(&self) {
        self.relayed.set(true);
        self.served.set(false);
        self.post("h");
    }

    /// The engine closed its relayed socket. A close before the leader's
    /// frames made it live (a stale socket) means the leader serves another
    /// contact: this tab opens its own from now on.
    pub(crate) fn close_relayed(&self) {
        if self.relayed.replace(false) && !self.served.get() {
            self.alone.set(true);
        }
    }

    /// A frame from the leader's socket, for the followers.
    pub(crate) fn relay(&self, frame: &str) {
        // Kept even by a tab that does not lead yet: it may, later.
        if frame.contains("\"confirm_subscription\"") {
            *self.confirmed.borrow_mut() = Some(frame.to_owned());
        }
        if !self.leader.get() {
            return;
        }
        self.post(&format!("f{frame}"));
    }

    /// The leader's socket closed.
    pub(crate) fn closed(&self) {
        if self.leader.get() {
            self.confirmed.borrow_mut().take();
            self.post("c");
        }
    }

    /// The visitor read the conversation in this tab.
    pub(crate) fn read(&self) {
        self.post("s");
    }

    fn post(&self, message: &str) {
        let _ = self.channel.post_message(&message.into());
    }
}

impl Drop for Tabs {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
        self.give_up();
    }
}

/// What another tab said.
fn heard(inner: &std::rc::Rc<Inner>, text: &str) {
    let frame = text.starts_with('f');
    let input = {
        let tabs = inner.tabs.borrow();
        let Some(tabs) = tabs.as_ref() else {
            return;
        };
        match text.split_at_checked(1) {
            // Until the leader's frames make this tab live, only the two
            // that can (its pings would keep a subscription that never
            // comes from going stale, and this tab from going alone).
            Some(("f", frame))
                if tabs.relayed.get()
                    && (tabs.served.get()
                        || frame.contains("\"welcome\"")
                        || frame.contains("\"confirm_subscription\"")) =>
            {
                Input::SocketFrame(frame.to_owned())
            }
            Some(("c", _)) if tabs.relayed.get() => {
                tabs.relayed.set(false);
                Input::SocketClosed
            }
            Some(("h", _)) if tabs.leader.get() => {
                // Only a socket that is open has frames to give.
                if inner.socket.borrow().is_some() {
                    tabs.post(r#"f{"type":"welcome"}"#);
                    if let Some(confirmed) = &*tabs.confirmed.borrow() {
                        tabs.post(&format!("f{confirmed}"));
                    }
                }
                return;
            }
            Some(("s", _)) => Input::ReadElsewhere,
            _ => return,
        }
    };
    feed(inner, input);
    if frame
        && inner.session.borrow().connection() == Connection::Live
        && let Some(tabs) = &*inner.tabs.borrow()
    {
        tabs.served.set(true);
    }
}

/// This tab took the lock: it leads from now on. An engine on the channel
/// reconnects (to a real socket now), and the other tabs are told to say
/// hello again.
fn lead(inner: &std::rc::Rc<Inner>) {
    let was_relayed = {
        let tabs = inner.tabs.borrow();
        let Some(tabs) = tabs.as_ref() else {
            return;
        };
        tabs.leader.set(true);
        tabs.post("c");
        tabs.relayed.replace(false)
    };
    if was_relayed {
        feed(inner, Input::SocketClosed);
    }
}
