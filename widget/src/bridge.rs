//! The `postMessage` bridge to the host page's loader (`ferrochat.js`).
//!
//! Every message carries `ferrochat: 1` and a `type`. Messages go to the
//! host's origin only (never `*`), and a message is read only when it comes
//! from the parent window and that origin: anything else is ignored.

use ferrochat_core::Map;
use ferrochat_core::chatwoot::{ContactRequest, Message};
use ferrochat_core::content::Form;
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;
use web_sys::MessageEvent;

/// What the host page asks of the chat window (the SDK on
/// `window.$ferrochat`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Command {
    /// Show the window; `focus` (unless the message says `focus: false`,
    /// as an app's first `mount` does) puts the keyboard in it.
    Open {
        focus: bool,
    },
    Close,
    SetUser {
        identifier: String,
        user: ContactRequest,
    },
    SetCustomAttributes(Map),
    DeleteCustomAttribute(String),
    SetConversationCustomAttributes(Map),
    /// `"light"`, `"dark"` or `"auto"`.
    SetColorScheme(String),
    SetLocale(String),
    Reset,
    /// The embed's `window.ferrochatSettings`, sent once the app is ready.
    Settings(Settings),
}

/// What the app reads of the embed's settings (the loader reads the rest).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Settings {
    /// `darkMode`: `"light"`, `"dark"` or `"auto"` (the default).
    pub scheme: String,
    /// `preChatForm` ([`Form::pre_chat`]), or why it was refused.
    pub pre_chat: Result<Option<Form>, String>,
    /// `preChatForm.message`: the words above the form.
    pub pre_chat_message: Option<String>,
    /// `notificationSound`: unless `false`, a sound for agent messages
    /// while the window is closed or the tab hidden.
    pub sound: bool,
    /// `brandColor` (the iframe also has it from its URL; the npm
    /// package's `mount` only from here).
    pub brand: Option<String>,
}

impl Command {
    /// Reads a bridge message; `None` for anything that is not one, or not
    /// shaped as its type says.
    pub(crate) fn parse(mut message: Value) -> Option<Command> {
        if message.get("ferrochat").and_then(Value::as_u64) != Some(1) {
            return None;
        }
        let text = |message: &Value, key: &str| Some(message.get(key)?.as_str()?.to_owned());
        let map = |message: &mut Value, key: &str| match message.get_mut(key)?.take() {
            Value::Object(map) => Some(map),
            _ => None,
        };
        Some(match message.get("type")?.as_str()? {
            "open" => Command::Open {
                focus: message.get("focus") != Some(&Value::Bool(false)),
            },
            "close" => Command::Close,
            "set-user" => Command::SetUser {
                identifier: text(&message, "identifier")?,
                user: contact(message.get("user")?)?,
            },
            "set-custom-attributes" => {
                Command::SetCustomAttributes(map(&mut message, "attributes")?)
            }
            "delete-custom-attribute" => Command::DeleteCustomAttribute(text(&message, "key")?),
            "set-conversation-custom-attributes" => {
                Command::SetConversationCustomAttributes(map(&mut message, "attributes")?)
            }
            "set-color-scheme" => Command::SetColorScheme(scheme(text(&message, "scheme")?)?),
            "set-locale" => Command::SetLocale(text(&message, "locale")?),
            "settings" => {
                let settings = message.get("settings")?;
                let pre_chat = settings.get("preChatForm").unwrap_or(&Value::Null);
                Command::Settings(Settings {
                    scheme: text(settings, "darkMode")
                        .and_then(scheme)
                        .unwrap_or_else(|| "auto".into()),
                    pre_chat: Form::pre_chat(pre_chat),
                    pre_chat_message: text(pre_chat, "message"),
                    sound: settings.get("notificationSound") != Some(&Value::Bool(false)),
                    brand: text(settings, "brandColor"),
                })
            }
            "reset" => Command::Reset,
            _ => return None,
        })
    }
}

/// `setUser`'s contact: each field absent, `null` or a string (the custom
/// attributes an object); `None` if one is anything else. Read by hand:
/// serde's derived reader cost the wasm 5 KB.
fn contact(user: &Value) -> Option<ContactRequest> {
    let user = user.as_object()?;
    let text = |key: &str| match user.get(key) {
        None | Some(Value::Null) => Some(None),
        Some(Value::String(text)) => Some(Some(text.clone())),
        Some(_) => None,
    };
    Some(ContactRequest {
        identifier_hash: text("identifier_hash")?,
        email: text("email")?,
        name: text("name")?,
        avatar_url: text("avatar_url")?,
        phone_number: text("phone_number")?,
        custom_attributes: match user.get("custom_attributes") {
            None | Some(Value::Null) => None,
            Some(Value::Object(map)) => Some(map.clone()),
            Some(_) => return None,
        },
        ..ContactRequest::default()
    })
}

/// A color scheme the app knows.
fn scheme(scheme: String) -> Option<String> {
    matches!(scheme.as_str(), "light" | "dark" | "auto").then_some(scheme)
}

/// The link to the host page; inert when the app runs on its own (no parent
/// window, or no host origin to check against).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Bridge {
    host_origin: Option<String>,
    /// Mounted in the host page itself (the npm package's `mount`): the
    /// same messages, as calls.
    #[cfg(feature = "mount")]
    page: Option<std::rc::Rc<crate::mount::Page>>,
}

impl Bridge {
    pub(crate) fn new(host_origin: Option<String>) -> Bridge {
        let framed = web_sys::window()
            .and_then(|window| {
                window
                    .parent()
                    .ok()
                    .flatten()
                    .map(|parent| parent != window)
            })
            .unwrap_or(false);
        Bridge {
            host_origin: host_origin.filter(|origin| framed && !origin.is_empty()),
            #[cfg(feature = "mount")]
            page: None,
        }
    }

    /// The bridge of an app mounted in the host page.
    #[cfg(feature = "mount")]
    pub(crate) fn in_page(page: std::rc::Rc<crate::mount::Page>) -> Bridge {
        Bridge {
            host_origin: None,
            page: Some(page),
        }
    }

    /// Whether a host page is listening (else the window is always open).
    pub(crate) fn is_framed(&self) -> bool {
        #[cfg(feature = "mount")]
        if self.page.is_some() {
            return true;
        }
        self.host_origin.is_some()
    }

    /// Posts message `kind` with `fields` to the host page. The message is
    /// built as a JavaScript object: serde_json's writer of `Value`s would
    /// cost the wasm more than this file.
    fn post(&self, kind: &str, fields: &[(&str, JsValue)]) {
        let message = object(fields);
        #[cfg(feature = "mount")]
        if let Some(page) = &self.page {
            page.post(kind, &message);
            return;
        }
        let (Some(origin), Some(window)) = (&self.host_origin, web_sys::window()) else {
            return;
        };
        let _ = js_sys::Reflect::set(&message, &"ferrochat".into(), &1.into());
        let _ = js_sys::Reflect::set(&message, &"type".into(), &kind.into());
        if let Ok(Some(parent)) = window.parent() {
            let _ = parent.post_message(&message, origin);
        }
    }

    pub(crate) fn ready(&self) {
        self.post("ready", &[]);
    }

    pub(crate) fn close(&self) {
        self.post("close", &[]);
    }

    /// An agent's message, as its essentials (not the whole wire object:
    /// serializing that would cost the wasm more than the rest of this
    /// file).
    pub(crate) fn message(&self, message: &Message) {
        let sender = message
            .sender
            .as_ref()
            .and_then(|sender| sender.display_name())
            .map_or(JsValue::NULL, |name| object(&[("name", name.into())]));
        // Ids and times are far below 2^53: exact as JavaScript numbers.
        #[allow(clippy::cast_precision_loss)]
        let essentials = object(&[
            ("id", (message.id.0 as f64).into()),
            (
                "content",
                message
                    .content
                    .as_deref()
                    .map_or(JsValue::NULL, JsValue::from),
            ),
            ("message_type", message.message_type.code().into()),
            ("content_type", message.kind.content_type().into()),
            ("created_at", (message.created_at as f64).into()),
            ("conversation_id", (message.conversation_id.0 as f64).into()),
            ("sender", sender),
        ]);
        self.post("message", &[("message", essentials)]);
    }

    /// What the host page keeps for the next page (`None`: forget it).
    pub(crate) fn store(&self, value: Option<&str>) {
        self.post(
            "store",
            &[("value", value.map_or(JsValue::NULL, JsValue::from))],
        );
    }

    pub(crate) fn unread(&self, count: u32) {
        self.post("unread", &[("count", count.into())]);
    }

    /// A card's postback action: the host page's `ferrochat:postback`.
    pub(crate) fn postback(&self, payload: &str) {
        self.post("postback", &[("payload", payload.into())]);
    }

    pub(crate) fn error(&self, error: &str) {
        self.post("error", &[("error", error.into())]);
    }

    /// Calls `on_command` for each message from the host page until the
    /// returned listener is dropped.
    pub(crate) fn listen(&self, on_command: impl Fn(Command) + 'static) -> Option<Listener> {
        #[cfg(feature = "mount")]
        if let Some(page) = &self.page {
            page.listen(on_command);
            return None;
        }
        let origin = self.host_origin.clone()?;
        let window = web_sys::window()?;
        let parent = window.parent().ok().flatten()?;
        let callback = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            // By identity: a cross-origin parent is not `instanceof Window`
            // from here, so a cast would refuse the real one.
            let from_parent = event
                .source()
                .is_some_and(|source| js_sys::Object::is(source.as_ref(), parent.as_ref()));
            if !from_parent || event.origin() != origin {
                return;
            }
            let Some(text) = js_sys::JSON::stringify(&event.data())
                .ok()
                .and_then(|text| text.as_string())
            else {
                return;
            };
            if let Some(command) = serde_json::from_str(&text).ok().and_then(Command::parse) {
                on_command(command);
            }
        });
        window
            .add_event_listener_with_callback("message", callback.as_ref().unchecked_ref())
            .ok()?;
        Some(Listener { window, callback })
    }
}

/// A `message` listener, removed when dropped.
#[derive(Debug)]
pub(crate) struct Listener {
    window: web_sys::Window,
    callback: Closure<dyn FnMut(MessageEvent)>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self
            .window
            .remove_event_listener_with_callback("message", self.callback.as_ref().unchecked_ref());
    }
}

/// A plain JavaScript object with these properties.
fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in fields {
        let _ = js_sys::Reflect::set(&object, &(*key).into(), value);
    }
    object.into()
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::Command;

    #[test]
    fn reads_only_bridge_messages() {
        assert_eq!(
            Command::parse(json!({"ferrochat": 1, "type": "open"})),
            Some(Command::Open { focus: true })
        );
        assert_eq!(Command::parse(json!({"type": "open"})), None);
        assert_eq!(
            Command::parse(json!({"ferrochat": 2, "type": "open"})),
            None
        );
        assert_eq!(Command::parse(json!("open")), None);
        assert_eq!(
            Command::parse(json!({"ferrochat": 1, "type": "format-disk"})),
            None
        );
    }

    #[test]
    fn reads_the_sdk_calls_with_their_arguments() {
        let Some(Command::SetUser { identifier, user }) = Command::parse(json!({
            "ferrochat": 1, "type": "set-user", "identifier": "user-42",
            "user": {"name": "Ada", "email": "ada@example.com", "identifier_hash": "ab12"}
        })) else {
            panic!("not a set-user");
        };
        assert_eq!(identifier, "user-42");
        assert_eq!(user.name.as_deref(), Some("Ada"));
        assert_eq!(user.identifier_hash.as_deref(), Some("ab12"));
        assert_eq!(user.email.as_deref(), Some("ada@example.com"));
        assert_eq!(
            Command::parse(
                json!({"ferrochat": 1, "type": "set-user", "identifier": "u", "user": {"name": 7}})
            ),
            None,
            "a name that is not a string"
        );
        assert!(matches!(
            Command::parse(json!({"ferrochat": 1, "type": "set-custom-attributes", "attributes": {"plan": "pro"}})),
            Some(Command::SetCustomAttributes(map)) if map.get("plan") == Some(&json!("pro"))
        ));
        assert_eq!(
            Command::parse(
                json!({"ferrochat": 1, "type": "set-custom-attributes", "attributes": "pro"})
            ),
            None,
            "a wrongly shaped call is ignored"
        );
        let Some(Command::Settings(settings)) = Command::parse(
            json!({"ferrochat": 1, "type": "settings", "settings": {"darkMode": "dark"}}),
        ) else {
            panic!("not the settings");
        };
        assert_eq!(settings.scheme, "dark");
        assert_eq!(settings.pre_chat, Ok(None));
        assert!(settings.sound);
        let Some(Command::Settings(settings)) = Command::parse(json!({
            "ferrochat": 1, "type": "settings",
            "settings": {"darkMode": "sepia", "notificationSound": false,
                "preChatForm": {"message": "Who are you?", "fields": [{"name": "email"}]}}
        })) else {
            panic!("not the settings");
        };
        assert_eq!(settings.scheme, "auto");
        assert!(!settings.sound);
        assert_eq!(settings.pre_chat_message.as_deref(), Some("Who are you?"));
        let form = settings.pre_chat.unwrap().unwrap();
        assert_eq!(form.items.len(), 1);
        assert_eq!(form.items[0].name, "email");
    }
}
