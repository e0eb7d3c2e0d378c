//! The npm package's in-page mount (feature `mount`): the chat window
//! rendered into an element of the host page, talking to the package's
//! JavaScript by calls instead of `postMessage`.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::app::{App, AppProps};
use crate::bridge::Command;

type OnCommand = Rc<dyn Fn(Command)>;

/// The host page's side of an in-page bridge: where the app's messages go,
/// and where the page's commands reach the app.
pub struct Page {
    on_event: js_sys::Function,
    listener: RefCell<Option<OnCommand>>,
    /// Commands sent before the app listened, in order.
    early: RefCell<Vec<Command>>,
}

impl std::fmt::Debug for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Page").finish_non_exhaustive()
    }
}

impl PartialEq for Page {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Page {
    /// One of the bridge's messages (`ready`, `message`, `unread`, `error`,
    /// `close`, `store`): `on_event(type, fieldsJson)`.
    pub(crate) fn post(&self, kind: &str, fields: &JsValue) {
        let json = js_sys::JSON::stringify(fields).map_or(JsValue::NULL, JsValue::from);
        let _ = self.on_event.call2(&JsValue::NULL, &kind.into(), &json);
    }

    pub(crate) fn listen(&self, on_command: impl Fn(Command) + 'static) {
        let listener: OnCommand = Rc::new(on_command);
        *self.listener.borrow_mut() = Some(listener.clone());
        let early = std::mem::take(&mut *self.early.borrow_mut());
        for command in early {
            listener(command);
        }
    }

    fn send(&self, command: Command) {
        let listener = self.listener.borrow().clone();
        match listener {
            Some(listener) => listener(command),
            None => self.early.borrow_mut().push(command),
        }
    }
}

/// A mounted chat window.
#[wasm_bindgen]
pub struct Mounted {
    app: Option<yew::AppHandle<App>>,
    page: Rc<Page>,
}

impl std::fmt::Debug for Mounted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mounted").finish_non_exhaustive()
    }
}

#[wasm_bindgen]
impl Mounted {
    /// A bridge message from the page (`{ferrochat: 1, type, …}`, as the
    /// loader's SDK sends them); `false` if it is not one.
    pub fn command(&self, message: &str) -> bool {
        match serde_json::from_str(message).ok().and_then(Command::parse) {
            Some(command) => {
                self.page.send(command);
                true
            }
            None => false,
        }
    }

    /// Stops the session and removes the window from the page.
    pub fn unmount(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
    }
}

/// Renders the chat window for inbox `inbox` of the server at `base` into
/// `root`. `on_event(type, fieldsJson)` hears what the iframe's loader
/// would.
#[wasm_bindgen]
pub fn mount(
    root: web_sys::Element,
    base: String,
    inbox: String,
    on_event: js_sys::Function,
) -> Mounted {
    let page = Rc::new(Page {
        on_event,
        listener: RefCell::new(None),
        early: RefCell::new(Vec::new()),
    });
    let app = yew::Renderer::<App>::with_root_and_props(
        root,
        AppProps {
            base: base.into(),
            inbox: inbox.into(),
            host_origin: None,
            saved: None,
            locale: None,
            brand: None,
            page: Some(page.clone()),
        },
    )
    .render();
    Mounted {
        app: Some(app),
        page,
    }
}
