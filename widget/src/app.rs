//! The container: owns the session and the bridge, turns the visitor's
//! actions and the host page's commands into engine inputs, and renders
//! the session's state.

use std::rc::Rc;

use ferrochat_client::{Chat, Keep};
use ferrochat_core::chatwoot::ConversationStatus;
use ferrochat_core::session::{Connection, Input, Notice, Phase};
use yew::prelude::*;

use crate::bridge::{Bridge, Command};
use crate::components::composer::{Composer, emit_files};
use crate::components::header::{HeaderProps, header};
use crate::components::message_list::MessageList;

#[derive(Clone, Debug, PartialEq, Properties)]
pub struct AppProps {
    /// The server's origin.
    pub base: AttrValue,
    pub inbox: AttrValue,
    /// The host page's origin, which the bridge talks to.
    pub host_origin: Option<AttrValue>,
    /// The session the host page kept (the iframe URL's fragment).
    pub saved: Option<AttrValue>,
    /// Mounted in the host page (the npm package's `mount`), not framed.
    #[cfg(feature = "mount")]
    pub page: Option<std::rc::Rc<crate::mount::Page>>,
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let update = use_force_update();
    let bridge = {
        let origin = props.host_origin.clone();
        #[cfg(feature = "mount")]
        let page = props.page.clone();
        use_memo((), move |()| {
            #[cfg(feature = "mount")]
            if let Some(page) = page {
                return Bridge::in_page(page);
            }
            Bridge::new(origin.as_ref().map(ToString::to_string))
        })
    };
    let chat = {
        let (notices, stores) = (bridge.clone(), bridge.clone());
        let (base, inbox, saved) = (props.base.clone(), props.inbox.clone(), props.saved.clone());
        use_memo((), move |()| {
            Chat::start(
                &base,
                &inbox,
                Keep::Local,
                saved.as_deref(),
                move || update.force_update(),
                move |notice| match notice {
                    Notice::Ready => notices.ready(),
                    Notice::Message(message) => notices.message(message),
                    Notice::Unread(count) => notices.unread(*count),
                    Notice::Error(error) => notices.error(error),
                },
                move |value| stores.store(value),
            )
        })
    };
    let scheme = use_state(|| "auto".to_owned());
    {
        let (chat, bridge) = (chat.clone(), bridge.clone());
        let scheme_setter = scheme.setter();
        use_effect_with((), move |()| {
            if !bridge.is_framed() {
                chat.input(Input::Visible { open: true });
            }
            let listener = {
                let chat = chat.clone();
                bridge.listen(move |command| match command {
                    Command::Open => chat.input(Input::Visible { open: true }),
                    Command::Close => chat.input(Input::Visible { open: false }),
                    Command::SetUser { identifier, user } => {
                        chat.input(Input::SetUser { identifier, user });
                    }
                    Command::SetCustomAttributes(attributes) => {
                        chat.input(Input::SetCustomAttributes(attributes));
                    }
                    Command::DeleteCustomAttribute(key) => {
                        chat.input(Input::DeleteCustomAttribute(key));
                    }
                    Command::SetConversationCustomAttributes(attributes) => {
                        chat.input(Input::SetConversationCustomAttributes(attributes));
                    }
                    Command::SetColorScheme(scheme) => scheme_setter.set(scheme),
                    Command::SetLocale(locale) => set_language(&locale),
                    Command::Reset => chat.input(Input::Reset),
                })
            };
            move || {
                drop(listener);
                chat.stop();
            }
        });
    }

    let input = {
        let chat = chat.clone();
        Callback::from(move |input: Input| chat.input(input))
    };
    let on_close = {
        let (chat, bridge) = (chat.clone(), bridge.clone());
        bridge.is_framed().then(|| {
            Callback::from(move |()| {
                chat.input(Input::Visible { open: false });
                bridge.close();
            })
        })
    };
    let on_files = {
        let chat = chat.clone();
        Callback::from(move |files: Vec<web_sys::File>| chat.send_files("", files))
    };
    let on_postback = {
        let bridge = bridge.clone();
        Callback::from(move |payload: String| bridge.postback(&payload))
    };
    // Files dropped anywhere on the window.
    let ondragover = Callback::from(|event: DragEvent| {
        if event
            .data_transfer()
            .is_some_and(|data| data.types().includes(&"Files".into(), 0))
        {
            event.prevent_default();
        }
    });
    let ondrop = {
        let on_files = on_files.clone();
        Callback::from(move |event: DragEvent| {
            event.prevent_default();
            emit_files(
                &on_files,
                event.data_transfer().and_then(|data| data.files()),
            );
        })
    };
    let session = chat.session();
    let title: AttrValue = session
        .inbox()
        .map_or_else(|| "Chat".into(), |inbox| inbox.name.clone().into());
    let ready = *session.phase() == Phase::Ready;
    let failure = match session.phase() {
        Phase::Failed { error } => Some(error.clone()),
        _ => None,
    };
    let resolved = session.status() == Some(ConversationStatus::Resolved);
    let entries = Rc::new(session.entries().to_vec());
    html! {
        <div class={classes!("fc-app", format!("fc-app--{}", *scheme))} {ondragover} {ondrop}>
            { header(&HeaderProps { title, connection: session.connection(), on_close }) }
            if let Some(error) = failure {
                <div class="fc-error" role="alert">
                    <span>{ format!("Can't reach the chat: {error}") }</span>
                    <button type="button" class="fc-error__retry" onclick={input.reform(|_| Input::RetryStart)}>{ "Retry" }</button>
                </div>
            } else if ready && session.connection() == Connection::Offline {
                <div class="fc-notice" role="status">{ "Reconnecting…" }</div>
            }
            <MessageList {entries} typing={session.agent_typing()} on_input={input.clone()} {on_postback} />
            if resolved {
                <div class="fc-notice" role="status">{ "This conversation was resolved. Send a message to start again." }</div>
            }
            <Composer enabled={ready} on_input={input} {on_files} />
        </div>
    }
}

/// The document's language, for screen readers and hyphenation; the texts
/// themselves are English for now.
fn set_language(locale: &str) {
    let valid = !locale.is_empty()
        && locale.len() <= 35
        && locale
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return;
    }
    if let Some(root) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element())
    {
        let _ = root.set_attribute("lang", &locale.replace('_', "-"));
    }
}
