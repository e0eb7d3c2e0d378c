//! The container: owns the session and the bridge, turns the visitor's
//! actions and the host page's commands into engine inputs, and renders
//! the session's state.

use std::rc::Rc;

use ferrochat_client::{Chat, Keep};
use ferrochat_core::chatwoot::{ConversationStatus, MessageId};
use ferrochat_core::content::CONTACT_FIELDS;
use ferrochat_core::session::{Connection, Delivery, Entry, Input, Notice, Phase};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::bridge::{Bridge, Command};
use crate::components::composer::{Composer, emit_files};
use crate::components::form::FormView;
use crate::components::header::{HeaderProps, header};
use crate::components::message_list::MessageList;
use crate::i18n::{self, Texts};
use crate::sound::Chime;

#[derive(Clone, Debug, PartialEq, Properties)]
pub struct AppProps {
    /// The server's origin.
    pub base: AttrValue,
    pub inbox: AttrValue,
    /// The host page's origin, which the bridge talks to.
    pub host_origin: Option<AttrValue>,
    /// The session the host page kept (the iframe URL's fragment).
    pub saved: Option<AttrValue>,
    /// The embed's `locale` setting: a language tag, or `"auto"` (the
    /// default) for the browser's.
    pub locale: Option<AttrValue>,
    /// The embed's `brandColor` setting (a hex colour; anything else is
    /// ignored).
    pub brand: Option<AttrValue>,
    /// Mounted in the host page (the npm package's `mount`), not framed.
    #[cfg(feature = "mount")]
    pub page: Option<std::rc::Rc<crate::mount::Page>>,
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let update = use_force_update();
    let redraw = update.clone();
    let chime = use_memo((), |()| Chime::new());
    // The embed's words above the pre-chat form.
    let pre_chat_message = use_state(|| None::<String>);
    let brand = {
        let brand = props.brand.clone();
        use_state(move || brand.map(|brand| brand.to_string()))
    };
    // The window's root: what it looks for, it looks for in it (it may be
    // in a shadow root).
    let root = use_node_ref();
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
    // The latest agent message, for screen readers: (who, what).
    let heard = use_state(|| None::<(String, String)>);
    // The last refusal or failure to tell the visitor (the host page hears
    // of it too), until dismissed or followed by the visitor's next action.
    let problem = use_state(|| None::<String>);
    let chat = {
        let (notices, stores, chime) = (bridge.clone(), bridge.clone(), chime.clone());
        let (hear, report) = (heard.setter(), problem.setter());
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
                    Notice::Message(message) => {
                        notices.message(message);
                        chime.heard();
                        let name = message
                            .sender
                            .as_ref()
                            .and_then(|sender| sender.display_name());
                        hear.set(Some((
                            name.unwrap_or_default().to_owned(),
                            message.content.clone().unwrap_or_default(),
                        )));
                    }
                    Notice::Unread(count) => notices.unread(*count),
                    Notice::Error(error) => {
                        notices.error(error);
                        report.set(Some(error.clone()));
                    }
                },
                move |value| stores.store(value),
            )
        })
    };
    let scheme = use_state(|| "auto".to_owned());
    let texts = use_state(Texts::english);
    // The language asked for last: a catalog that arrives after another
    // was asked for is dropped.
    let wanted = use_mut_ref(|| "en");
    let set_locale = {
        let (texts, wanted, base) = (texts.setter(), wanted.clone(), props.base.clone());
        Callback::from(move |locale: String| {
            let lang = i18n::pick(&locale);
            *wanted.borrow_mut() = lang;
            let (texts, wanted, base) = (texts.clone(), wanted.clone(), base.clone());
            yew::platform::spawn_local(async move {
                if let Some(loaded) = i18n::load(&base, lang).await
                    && *wanted.borrow() == lang
                {
                    texts.set(loaded);
                }
            });
        })
    };
    {
        let (chat, bridge, chime, root) =
            (chat.clone(), bridge.clone(), chime.clone(), root.clone());
        let scheme_setter = scheme.setter();
        let message_setter = pre_chat_message.setter();
        let brand_setter = brand.setter();
        let locale = props.locale.clone();
        use_effect_with((), move |()| {
            set_locale.emit(locale.as_deref().unwrap_or("auto").to_owned());
            if !bridge.is_framed() {
                chat.input(Input::Visible { open: true });
                chime.open.set(true);
            }
            let listener = {
                let (chat, reporter) = (chat.clone(), bridge.clone());
                bridge.listen(move |command| match command {
                    Command::Open { focus } => {
                        chat.input(Input::Visible { open: true });
                        chime.open.set(true);
                        if focus {
                            focus_composer(&root);
                        }
                    }
                    Command::Close => {
                        chat.input(Input::Visible { open: false });
                        chime.open.set(false);
                    }
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
                    Command::SetLocale(locale) => set_locale.emit(locale),
                    Command::Reset => chat.input(Input::Reset),
                    Command::Settings(settings) => {
                        scheme_setter.set(settings.scheme);
                        chime.enabled.set(settings.sound);
                        match settings.pre_chat {
                            Ok(form) => chat.input(Input::PreChatForm(form)),
                            Err(error) => reporter.error(&error),
                        }
                        message_setter.set(settings.pre_chat_message);
                        if settings.brand.is_some() {
                            brand_setter.set(settings.brand);
                        }
                    }
                })
            };
            move || {
                drop(listener);
                chat.stop();
            }
        });
    }

    let input = {
        let (chat, problem) = (chat.clone(), problem.setter());
        Callback::from(move |input: Input| {
            // A scroll for older lines is not the visitor acting on an error.
            if !matches!(input, Input::LoadOlder) {
                problem.set(None);
            }
            chat.input(input);
        })
    };
    let on_close = {
        let (chat, bridge, chime) = (chat.clone(), bridge.clone(), chime.clone());
        bridge.is_framed().then(|| {
            Callback::from(move |()| {
                chat.input(Input::Visible { open: false });
                chime.open.set(false);
                bridge.close();
            })
        })
    };
    let on_files = {
        let (chat, problem) = (chat.clone(), problem.setter());
        Callback::from(move |files: Vec<web_sys::File>| {
            problem.set(None);
            chat.send_files("", files);
        })
    };
    let on_postback = {
        let bridge = bridge.clone();
        Callback::from(move |payload: String| bridge.postback(&payload))
    };
    let on_mute = {
        let chime = chime.clone();
        Callback::from(move |()| {
            chime.toggle();
            redraw.force_update();
        })
    };
    // A gesture lets the window play sound; Escape closes the window
    // (unless it closes an image first).
    let onpointerdown = {
        let chime = chime.clone();
        Callback::from(move |_: PointerEvent| chime.gesture())
    };
    let onkeydown = {
        let (on_close, root, chime) = (on_close.clone(), root.clone(), chime.clone());
        Callback::from(move |event: KeyboardEvent| {
            chime.gesture();
            let Some(on_close) = on_close.as_ref().filter(|_| event.key() == "Escape") else {
                return;
            };
            let image_open = find(&root, ":popover-open").is_some();
            if !image_open {
                on_close.emit(());
            }
        })
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
        .map_or_else(|| texts.text("title"), |inbox| inbox.name.clone().into());
    let ready = *session.phase() == Phase::Ready;
    let availability = session
        .inbox()
        .and_then(|inbox| i18n::availability(&texts, inbox));
    let failure = match session.phase() {
        Phase::Failed { error } => Some(error.clone()),
        _ => None,
    };
    let resolved = session.status() == Some(ConversationStatus::Resolved);
    let entries = Rc::new(session.entries().to_vec());
    let dismiss = {
        let problem = problem.setter();
        Callback::from(move |_: MouseEvent| problem.set(None))
    };
    // A message that failed says so on its own line, with its retry.
    let problem_shown = (*problem).clone().filter(|error| {
        !entries.iter().any(|entry| {
            matches!(entry, Entry::Outgoing { delivery: Delivery::Failed { error: failed }, .. } if error.ends_with(failed.as_str()))
        })
    });
    let t = &*texts;
    // The default fields are labelled in the visitor's language.
    let pre_chat = session.pre_chat().map(|mut form| {
        for field in &mut form.items {
            if field.label.is_none() && CONTACT_FIELDS.contains(&field.name.as_str()) {
                field.label = Some(t.get(&format!("prechat.{}", field.name)));
            }
        }
        form.button_label
            .get_or_insert_with(|| t.get("prechat.start"));
        Rc::new(form)
    });
    // The composer takes the keyboard once the pre-chat form is answered.
    {
        let (asked, root) = (use_mut_ref(|| false), root.clone());
        use_effect_with(pre_chat.is_some(), move |shown| {
            if std::mem::replace(&mut *asked.borrow_mut(), *shown) && !*shown {
                focus_composer(&root);
            }
        });
    }
    let muted = chime.enabled.get().then(|| chime.muted.get());
    let announcement = heard.as_ref().map(|(name, text)| {
        let name = if name.is_empty() {
            t.get("agent")
        } else {
            name.clone()
        };
        t.fill("new.message", &[("name", &name), ("text", text)])
    });
    html! {
        <div class={format!("fc-app fc-app--{}", *scheme)} lang={t.lang()} dir={t.dir()}
            style={brand.as_deref().and_then(brand_style)} ref={root}
            {ondragover} {ondrop} {onkeydown} {onpointerdown}>
            { header(&HeaderProps { title, connection: session.connection(), on_close, availability, muted, on_mute }, t) }
            if let Some(error) = failure {
                <div class="fc-error" role="alert">
                    <span>{ t.fill("start.failed", &[("error", &error)]) }</span>
                    <button type="button" class="fc-error__retry" onclick={input.reform(|_| Input::RetryStart)}>{ t.text("retry") }</button>
                </div>
            } else if session.offline() {
                <div class="fc-notice" role="status">{ t.text("offline") }</div>
            } else if ready && session.connection() == Connection::Offline {
                <div class="fc-notice" role="status">{ t.text("reconnecting") }</div>
            }
            if let Some(error) = problem_shown {
                <div class="fc-error" role="alert">
                    <span>{ error }</span>
                    <button type="button" class="fc-error__retry" onclick={dismiss}>{ t.text("dismiss") }</button>
                </div>
            }
            if let Some(form) = pre_chat {
                <section class="fc-prechat" aria-labelledby="fc-prechat-intro">
                    <p class="fc-prechat__intro" id="fc-prechat-intro">
                        { (*pre_chat_message).clone().map_or_else(|| t.text("prechat.intro"), AttrValue::from) }
                    </p>
                    <FormView message={MessageId(0)} {form} details=true texts={t.clone()}
                        on_submit={input.reform(|values| Input::SubmitPreChat { values })} />
                </section>
            } else {
                <MessageList {entries} typing={session.agent_typing()} offline={session.offline()} on_input={input.clone()} {on_postback} texts={t.clone()} />
                if resolved {
                    <div class="fc-notice" role="status">{ t.text("resolved") }</div>
                }
                <Composer enabled={ready} on_input={input} {on_files} texts={t.clone()} />
            }
            <div class="fc-sr-only" aria-live="polite" aria-atomic="true">{ announcement }</div>
        </div>

    }
}

/// The first element in the window that matches `selector`.
fn find(root: &NodeRef, selector: &str) -> Option<web_sys::Element> {
    root.cast::<web_sys::Element>()?
        .query_selector(selector)
        .ok()
        .flatten()
}

/// Puts the keyboard in the composer (or the pre-chat form's first field),
/// as the window opens.
fn focus_composer(root: &NodeRef) {
    let field = find(root, ".fc-prechat .fc-field__input,.fc-composer__field");
    if let Some(field) = field.and_then(|field| field.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = field.focus();
    }
}

/// The root's style for a brand colour: `#rgb`, `#rgba`, `#rrggbb` or
/// `#rrggbbaa`, nothing else (it goes into a style attribute).
fn brand_style(color: &str) -> Option<String> {
    let digits = color.strip_prefix('#')?;
    (matches!(digits.len(), 3 | 4 | 6 | 8) && digits.bytes().all(|byte| byte.is_ascii_hexdigit()))
        .then(|| format!("--fc-brand:{color}"))
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::brand_style;

    #[test]
    fn only_a_hex_colour_becomes_the_brand() {
        assert_eq!(
            brand_style("#0b3d91").as_deref(),
            Some("--fc-brand:#0b3d91")
        );
        assert_eq!(brand_style("#FD0").as_deref(), Some("--fc-brand:#FD0"));
        assert_eq!(brand_style("red"), None);
        assert_eq!(brand_style("#12345"), None);
        assert_eq!(brand_style("#fff;background:url(x)"), None);
    }
}
