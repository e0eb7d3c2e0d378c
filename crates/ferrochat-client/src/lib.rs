//! The browser side of ferrochat: runs the session engine
//! (`ferrochat_core::session::Session`) with fetch (gloo-net), a WebSocket
//! speaking ActionCable, timers and `localStorage`.
//!
//! This is the only crate that touches the browser's network and storage.
//! The engine decides; [`Chat`] carries out its effects and feeds it what
//! happened, then tells its owner that the state changed.

#[cfg(feature = "helpers")]
pub mod helpers;
#[cfg(feature = "js")]
pub mod js;
mod tabs;
#[cfg(any(feature = "js", feature = "helpers"))]
mod text;

use std::cell::{Cell, Ref, RefCell};
use std::rc::{Rc, Weak};

use ferrochat_core::session::{
    Body, Config, Effect, FileId, HttpRequest, HttpResponse, Input, Method, Notice, OutgoingFile,
    RequestId, Session, Stored, Timer,
};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{
    AbortController, File, FormData, MessageEvent, ProgressEvent, WebSocket, XmlHttpRequest,
};

/// How long an HTTP call may take before it counts as failed (and the
/// engine retries it).
const HTTP_TIMEOUT_MS: f64 = 15_000.0;
/// An upload may take [`HTTP_TIMEOUT_MS`] plus a millisecond per this many
/// bytes: 40 MB gets about 14 minutes on a slow (50 KB/s) link.
const UPLOAD_BYTES_PER_MS: f64 = 50.0;

/// A running chat session for one inbox.
#[derive(Clone)]
pub struct Chat {
    inner: Rc<Inner>,
}

impl std::fmt::Debug for Chat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chat")
            .field("base", &self.inner.base)
            .finish_non_exhaustive()
    }
}

/// Hears what to keep across reloads (`None`: forget it).
type OnStore = dyn Fn(Option<&str>);

/// Where the session is kept across reloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// `localStorage` under `ferrochat:{inbox}`, and `on_store`.
    Local,
    /// Only where `on_store` puts it (and `saved` brings it back).
    Elsewhere,
}

struct Inner {
    /// The server's origin, without a trailing slash.
    base: String,
    /// `localStorage`'s key, when [`Keep::Local`].
    storage_key: Option<String>,
    session: RefCell<Session>,
    socket: RefCell<Option<Socket>>,
    /// The running timers: a handful at most, so a list (a map type would
    /// cost the wasm its own copy of the map's code).
    timers: RefCell<Vec<(Timer, Pending)>>,
    /// The files the outbox needs ([`Session::files`]), by the ids the
    /// engine knows them by.
    files: RefCell<Vec<(FileId, File)>>,
    next_file: Cell<u64>,
    on_change: Box<dyn Fn()>,
    on_notice: Box<dyn Fn(&Notice)>,
    on_store: Box<OnStore>,
    /// The window's events the engine hears of, until [`Chat::stop`].
    listeners: RefCell<Vec<Listener>>,
    /// The other tabs of this inbox, with [`Keep::Local`].
    tabs: RefCell<Option<tabs::Tabs>>,
}

/// A window event's name and the handler registered for it.
type Listener = (&'static str, Closure<dyn FnMut()>);

/// A window event and the input it makes.
type WindowEvent = (&'static str, fn() -> Input);

/// The window's events and what each tells the engine: the network's
/// state, and the page going into the back/forward cache and out of it.
const WINDOW_EVENTS: [WindowEvent; 4] = [
    ("online", || Input::Network { online: true }),
    ("offline", || Input::Network { online: false }),
    ("pagehide", || Input::Suspend),
    ("pageshow", || Input::Resume),
];

/// An open WebSocket and the handlers that must live as long as it.
struct Socket {
    socket: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut()>,
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onclose(None);
        self.socket.set_onerror(None);
        let _ = self.socket.close();
    }
}

/// A started timer.
struct Pending {
    handle: i32,
    _callback: Closure<dyn FnMut()>,
}

impl Chat {
    /// Starts a session with the inbox `inbox` of the server at `base`:
    /// restores what `localStorage` holds for it (with [`Keep::Local`];
    /// else `saved`, the JSON a previous `on_store` was given, when that
    /// storage is empty, denied or not used) and runs the engine. `on_change` runs after every change of
    /// the session's state; `on_notice` for what the host page should hear
    /// about; `on_store` with what to keep across reloads (`None`: forget).
    pub fn start(
        base: &str,
        inbox: &str,
        keep: Keep,
        saved: Option<&str>,
        on_change: impl Fn() + 'static,
        on_notice: impl Fn(&Notice) + 'static,
        on_store: impl Fn(Option<&str>) + 'static,
    ) -> Chat {
        let seed = (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64;
        let inner = Rc::new(Inner {
            base: base.trim_end_matches('/').to_owned(),
            storage_key: (keep == Keep::Local).then(|| format!("ferrochat:{inbox}")),
            session: RefCell::new(Session::new(Config {
                inbox: inbox.to_owned(),
                seed,
            })),
            socket: RefCell::new(None),
            timers: RefCell::new(Vec::new()),
            files: RefCell::new(Vec::new()),
            next_file: Cell::new(0),
            on_change: Box::new(on_change),
            on_notice: Box::new(on_notice),
            on_store: Box::new(on_store),
            listeners: RefCell::new(Vec::new()),
            tabs: RefCell::new(None),
        });
        if keep == Keep::Local {
            let tabs = tabs::Tabs::join(&format!("ferrochat:{inbox}"), Rc::downgrade(&inner));
            *inner.tabs.borrow_mut() = tabs;
        }
        if let Some(window) = web_sys::window() {
            if !window.navigator().on_line() {
                feed(&inner, Input::Network { online: false });
            }
            for (event, input) in WINDOW_EVENTS {
                let weak = Rc::downgrade(&inner);
                let listener = Closure::<dyn FnMut()>::new(move || {
                    if let Some(inner) = weak.upgrade() {
                        if let Some(tabs) = &*inner.tabs.borrow() {
                            match event {
                                "pagehide" => tabs.suspend(),
                                "pageshow" => tabs.resume(),
                                _ => {}
                            }
                        }
                        feed(&inner, input());
                    }
                });
                let _ = window
                    .add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
                inner.listeners.borrow_mut().push((event, listener));
            }
        }
        let stored = inner
            .storage_key
            .as_deref()
            .and_then(load)
            .or_else(|| saved.and_then(Stored::parse));
        feed(&inner, Input::Start { stored });
        Chat { inner }
    }

    /// Feeds a visitor action.
    pub fn input(&self, input: Input) {
        feed(&self.inner, input);
    }

    /// The visitor sends `files` with `caption` (may be empty): one message.
    /// The files are kept until the server has them or the visitor gives
    /// up on the message.
    pub fn send_files(&self, caption: &str, files: Vec<File>) {
        let described = {
            let mut held = self.inner.files.borrow_mut();
            files
                .into_iter()
                .map(|file| {
                    let id = FileId(self.inner.next_file.get());
                    self.inner.next_file.set(id.0 + 1);
                    let described = OutgoingFile {
                        id,
                        name: file.name(),
                        content_type: file.type_(),
                        size: file.size() as u64,
                    };
                    held.push((id, file));
                    described
                })
                .collect()
        };
        feed(
            &self.inner,
            Input::SendFiles {
                content: caption.to_owned(),
                files: described,
            },
        );
    }

    /// The session, to render.
    pub fn session(&self) -> Ref<'_, Session> {
        self.inner.session.borrow()
    }

    /// Stops everything: the socket and the timers. The stored session
    /// stays.
    pub fn stop(&self) {
        self.inner.socket.borrow_mut().take();
        self.inner.tabs.borrow_mut().take();
        for (event, listener) in self.inner.listeners.borrow_mut().drain(..) {
            if let Some(window) = web_sys::window() {
                let _ = window
                    .remove_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
            }
        }
        for (_, pending) in self.inner.timers.borrow_mut().drain(..) {
            if let Some(window) = web_sys::window() {
                window.clear_timeout_with_handle(pending.handle);
            }
        }
    }
}

/// Runs one input through the engine and carries out its effects.
fn feed(inner: &Rc<Inner>, input: Input) {
    let now = js_sys::Date::now() as u64;
    let effects = inner.session.borrow_mut().handle(input, now);
    for effect in effects {
        run(inner, effect);
    }
    // Lets go of the files the outbox no longer needs (sent, refused
    // before going out, or gone with a reset).
    {
        let session = inner.session.borrow();
        let mut files = inner.files.borrow_mut();
        if !files.is_empty() {
            files.retain(|(id, _)| session.files().any(|needed| needed == *id));
        }
    }
    (inner.on_change)();
}

fn run(inner: &Rc<Inner>, effect: Effect) {
    match effect {
        Effect::Http(request) => {
            // The visitor read the conversation: so they did in every tab.
            if request.path.ends_with("/update_last_seen")
                && let Some(tabs) = &*inner.tabs.borrow()
            {
                tabs.read();
            }
            http(inner, request);
        }
        Effect::SocketOpen => {
            let relayed = match &*inner.tabs.borrow() {
                Some(tabs) if !tabs.owns_socket() => {
                    tabs.open_relayed();
                    true
                }
                _ => false,
            };
            if relayed {
                // The channel is open at once, after this effect batch.
                inner.socket.borrow_mut().take();
                let weak = Rc::downgrade(inner);
                wasm_bindgen_futures::spawn_local(async move {
                    if let Some(inner) = weak.upgrade() {
                        feed(&inner, Input::SocketOpened);
                    }
                });
            } else {
                open_socket(inner);
            }
        }
        Effect::SocketSend(frame) => {
            if let Some(socket) = inner.socket.borrow().as_ref() {
                // A send on a closing socket is lost; the engine backfills
                // after the reconnect its close leads to.
                let _ = socket.socket.send_with_str(&frame);
            }
        }
        Effect::SocketClose => {
            inner.socket.borrow_mut().take();
            if let Some(tabs) = &*inner.tabs.borrow() {
                tabs.close_relayed();
                // A close the engine asked for drops the socket's handlers
                // first: the followers hear of it here.
                tabs.closed();
            }
        }
        Effect::Store(stored) => {
            let text = stored
                .as_ref()
                .and_then(|stored| serde_json::to_string(stored).ok());
            if let Some(key) = &inner.storage_key {
                // The contact and the conversation are every tab's; the
                // outbox is this tab's alone (and survives its reloads):
                // another tab would send it a second time.
                let shared = stored.map(|stored| Stored {
                    outbox: Vec::new(),
                    ..stored
                });
                let shared = shared.and_then(|shared| serde_json::to_string(&shared).ok());
                store(storage(), key, shared.as_deref());
                store(tab_storage(), key, text.as_deref());
            }
            (inner.on_store)(text.as_deref());
        }
        Effect::StartTimer { timer, after_ms } => start_timer(inner, timer, after_ms),
        Effect::StopTimer(timer) => {
            if let Some(pending) = take_timer(&inner.timers, timer)
                && let Some(window) = web_sys::window()
            {
                window.clear_timeout_with_handle(pending.handle);
            }
        }
        Effect::Notify(notice) => (inner.on_notice)(&notice),
    }
}

fn http(inner: &Rc<Inner>, request: HttpRequest) {
    let weak = Rc::downgrade(inner);
    let url = format!("{}{}", inner.base, request.path);
    let body = match request.body {
        None => Ok(None),
        Some(Body::Json(text)) => Ok(Some(Payload::Json(text))),
        Some(Body::Multipart { fields, files }) => {
            let held = inner.files.borrow();
            let files = files.iter().filter_map(|id| {
                held.iter()
                    .find(|(held, _)| held == id)
                    .map(|(_, file)| file)
            });
            form(&fields, files).map(Some)
        }
    };
    if let Ok(Some(Payload::Form(data, bytes))) = body {
        upload(inner, request.id, &url, &data, bytes);
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let response = match body {
            Ok(body) => call(&url, request.method, body).await,
            // Retried like a network failure, then shown as failed.
            Err(error) => HttpResponse::Failed { error },
        };
        if let Some(inner) = weak.upgrade() {
            feed(
                &inner,
                Input::Http {
                    id: request.id,
                    response,
                },
            );
        }
    });
}

/// A multipart `POST` through `XMLHttpRequest`, whose upload reports its
/// progress (fetch's does not): each `progress` event reaches the engine as
/// [`Input::Progress`], and the end as [`Input::Http`], as a fetch's would.
fn upload(inner: &Rc<Inner>, id: RequestId, url: &str, data: &FormData, bytes: f64) {
    let failed = |inner: &Rc<Inner>| {
        let inner = Rc::downgrade(inner);
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(inner) = inner.upgrade() {
                let error = "this browser cannot upload files".to_owned();
                let response = HttpResponse::Failed { error };
                feed(&inner, Input::Http { id, response });
            }
        });
    };
    let Ok(xhr) = XmlHttpRequest::new() else {
        return failed(inner);
    };
    if xhr.open("POST", url).is_err() {
        return failed(inner);
    }
    xhr.set_timeout((HTTP_TIMEOUT_MS + bytes / UPLOAD_BYTES_PER_MS) as u32);
    let weak = Rc::downgrade(inner);
    let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |event: ProgressEvent| {
        if let Some(inner) = weak.upgrade()
            && event.length_computable()
        {
            let (sent, total) = (event.loaded() as u64, event.total() as u64);
            feed(&inner, Input::Progress { id, sent, total });
        }
    });
    if let Ok(target) = xhr.upload() {
        target.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    let weak = Rc::downgrade(inner);
    let call = xhr.clone();
    // `loadend` follows every ending: done, failed, aborted, timed out.
    let done = Closure::once_into_js(move || {
        drop(progress);
        let response = match call.status() {
            Ok(status) if status > 0 => HttpResponse::Answered {
                status,
                body: call.response_text().ok().flatten().unwrap_or_default(),
            },
            _ => HttpResponse::Failed {
                error: "the upload failed or timed out".to_owned(),
            },
        };
        if let Some(inner) = weak.upgrade() {
            feed(&inner, Input::Http { id, response });
        }
    });
    xhr.set_onloadend(Some(done.unchecked_ref()));
    if xhr.send_with_opt_form_data(Some(data)).is_err() {
        failed(inner);
    }
}

/// A request's body as fetch takes it.
enum Payload {
    Json(String),
    /// Its size in bytes, for the timeout.
    Form(FormData, f64),
}

/// A `multipart/form-data` body: the text fields, then each file as
/// `attachments[]`; the error when the browser will not build it.
fn form<'a>(
    fields: &[(&str, String)],
    files: impl Iterator<Item = &'a File>,
) -> Result<Payload, String> {
    let cannot = |_| "this browser cannot upload files".to_owned();
    let data = FormData::new().map_err(cannot)?;
    for (name, value) in fields {
        data.append_with_str(name, value).map_err(cannot)?;
    }
    let mut bytes = 0.0;
    for file in files {
        bytes += file.size();
        data.append_with_blob_and_filename("attachments[]", file, &file.name())
            .map_err(|_| format!("could not read {}", file.name()))?;
    }
    Ok(Payload::Form(data, bytes))
}

/// One fetch, aborted after [`HTTP_TIMEOUT_MS`] (longer for an upload).
async fn call(url: &str, method: Method, body: Option<Payload>) -> HttpResponse {
    let timeout_ms = match &body {
        Some(Payload::Form(_, bytes)) => HTTP_TIMEOUT_MS + bytes / UPLOAD_BYTES_PER_MS,
        _ => HTTP_TIMEOUT_MS,
    };
    let controller = AbortController::new().ok();
    let timeout = controller.as_ref().and_then(|controller| {
        let controller = controller.clone();
        let abort = Closure::once(move || controller.abort());
        let handle = web_sys::window()?
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                abort.as_ref().unchecked_ref(),
                timeout_ms as i32,
            )
            .ok()?;
        Some((handle, abort))
    });
    let builder = match method {
        Method::Get => gloo_net::http::Request::get(url),
        Method::Post => gloo_net::http::Request::post(url),
        Method::Patch => gloo_net::http::Request::patch(url),
    }
    .abort_signal(controller.as_ref().map(|c| c.signal()).as_ref());
    let sent = match body {
        Some(Payload::Json(body)) => match builder
            .header("Content-Type", "application/json")
            .body(body)
        {
            Ok(request) => request.send().await,
            Err(error) => Err(error),
        },
        // The browser writes the multipart boundary into the header itself.
        Some(Payload::Form(data, _)) => match builder.body(data) {
            Ok(request) => request.send().await,
            Err(error) => Err(error),
        },
        None => builder.send().await,
    };
    let response = match sent {
        Ok(response) => match response.text().await {
            Ok(body) => HttpResponse::Answered {
                status: response.status(),
                body,
            },
            Err(error) => HttpResponse::Failed {
                error: error.to_string(),
            },
        },
        Err(error) => HttpResponse::Failed {
            error: error.to_string(),
        },
    };
    if let Some((handle, _abort)) = timeout
        && let Some(window) = web_sys::window()
    {
        window.clear_timeout_with_handle(handle);
    }
    response
}

fn open_socket(inner: &Rc<Inner>) {
    // Dropping the old socket detaches its handlers before it closes, so
    // its close never reaches the engine as this one's.
    inner.socket.borrow_mut().take();
    let url = format!(
        "{}/cable",
        inner
            .base
            .replacen("https://", "wss://", 1)
            .replacen("http://", "ws://", 1)
    );
    let socket = match WebSocket::new_with_str(&url, ferrochat_core::cable::SUBPROTOCOL) {
        Ok(socket) => socket,
        Err(_) => {
            // A URL the browser refuses: the engine's reconnect backoff
            // handles it like a closed socket, after this effect batch.
            let weak = Rc::downgrade(inner);
            wasm_bindgen_futures::spawn_local(async move {
                if let Some(inner) = weak.upgrade() {
                    feed(&inner, Input::SocketClosed);
                }
            });
            return;
        }
    };
    let on_open = handler(inner, || Input::SocketOpened);
    let weak = Rc::downgrade(inner);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        if let (Some(inner), Some(text)) = (weak.upgrade(), event.data().as_string()) {
            if let Some(tabs) = &*inner.tabs.borrow() {
                tabs.relay(&text);
            }
            feed(&inner, Input::SocketFrame(text));
        }
    });
    let weak = Rc::downgrade(inner);
    let on_close = Closure::<dyn FnMut()>::new(move || {
        if let Some(inner) = weak.upgrade() {
            if let Some(tabs) = &*inner.tabs.borrow() {
                tabs.closed();
            }
            feed(&inner, Input::SocketClosed);
        }
    });
    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    *inner.socket.borrow_mut() = Some(Socket {
        socket,
        _on_open: on_open,
        _on_message: on_message,
        _on_close: on_close,
    });
}

/// A socket handler that feeds `input()` to the engine.
fn handler(inner: &Rc<Inner>, input: fn() -> Input) -> Closure<dyn FnMut()> {
    let weak: Weak<Inner> = Rc::downgrade(inner);
    Closure::<dyn FnMut()>::new(move || {
        if let Some(inner) = weak.upgrade() {
            feed(&inner, input());
        }
    })
}

fn start_timer(inner: &Rc<Inner>, timer: Timer, after_ms: u64) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let weak = Rc::downgrade(inner);
    let callback = Closure::<dyn FnMut()>::new(move || {
        if let Some(inner) = weak.upgrade() {
            take_timer(&inner.timers, timer);
            feed(&inner, Input::Timer(timer));
        }
    });
    let after = i32::try_from(after_ms).unwrap_or(i32::MAX);
    let Ok(handle) = window.set_timeout_with_callback_and_timeout_and_arguments_0(
        callback.as_ref().unchecked_ref(),
        after,
    ) else {
        return;
    };
    if let Some(previous) = take_timer(&inner.timers, timer) {
        window.clear_timeout_with_handle(previous.handle);
    }
    inner.timers.borrow_mut().push((
        timer,
        Pending {
            handle,
            _callback: callback,
        },
    ));
}

/// Takes `timer` out of the running ones.
fn take_timer(timers: &RefCell<Vec<(Timer, Pending)>>, timer: Timer) -> Option<Pending> {
    let mut timers = timers.borrow_mut();
    let at = timers.iter().position(|(running, _)| *running == timer)?;
    Some(timers.swap_remove(at).1)
}

fn storage() -> Option<web_sys::Storage> {
    // Storage can be missing or refused (a sandboxed frame, a privacy mode):
    // the session still works, it just does not survive a reload.
    web_sys::window()?.local_storage().ok()?
}

/// This tab's storage: what it keeps survives its reloads, and no other
/// tab reads it.
fn tab_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// The shared session, with this tab's own outbox.
fn load(key: &str) -> Option<Stored> {
    let read = |storage: Option<web_sys::Storage>| Stored::parse(&storage?.get_item(key).ok()??);
    let own = read(tab_storage());
    match read(storage()) {
        Some(shared) => Some(Stored {
            outbox: own.map(|own| own.outbox).unwrap_or_default(),
            ..shared
        }),
        None => own,
    }
}

fn store(storage: Option<web_sys::Storage>, key: &str, text: Option<&str>) {
    let Some(storage) = storage else {
        return;
    };
    match text {
        Some(text) => {
            let _ = storage.set_item(key, text);
        }
        None => {
            let _ = storage.remove_item(key);
        }
    }
}
