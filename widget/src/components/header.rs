//! The window's header: the inbox's name, the connection, the sound's
//! mute, close.

use ferrochat_core::session::Connection;
use yew::prelude::*;

use crate::i18n::Texts;

/// What [`header`] shows.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct HeaderProps {
    pub title: AttrValue,
    pub connection: Connection,
    /// `None` when there is no host page to close to.
    pub on_close: Option<Callback<()>>,
    /// The inbox's hours: `(away, what to say)`.
    pub availability: Option<(bool, String)>,
    /// Whether the visitor muted the notification sound; `None` when the
    /// embed turned it off (no button).
    pub muted: Option<bool>,
    pub on_mute: Callback<()>,
}

/// A plain function, not a component (see [`super::markdown::markdown`]).
pub(crate) fn header(props: &HeaderProps, t: &Texts) -> Html {
    let state = match props.connection {
        Connection::Live => "live",
        Connection::Connecting => "connecting",
        Connection::Offline => "offline",
    };
    let label = t.text(&format!("status.{state}"));
    html! {
        <header class="fc-header">
            <div class="fc-header__text">
                <h1 class="fc-header__title">{ props.title.clone() }</h1>
                <span class={format!("fc-status fc-status--{state}")}>{ label }</span>
                if let Some((away, text)) = props.availability.clone() {
                    <span class={if away { "fc-availability fc-availability--away" } else { "fc-availability" }}>{ text }</span>
                }
            </div>
            if let Some(muted) = props.muted {
                <button type="button" class="fc-icon" aria-pressed={if muted { "true" } else { "false" }}
                    aria-label={t.text(if muted { "sound.on" } else { "sound.off" })} onclick={props.on_mute.reform(|_| ())}>
                    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
                        <path d="M4 9v6h4l5 4V5L8 9z" />
                        <path d={if muted { "M16 9l5 6m0-6l-5 6" } else { "M16 8.5a5 5 0 010 7M19 5.5a9 9 0 010 13" }} />
                    </svg>
                </button>
            }
            if let Some(on_close) = props.on_close.clone() {
                <button type="button" class="fc-close" aria-label={t.text("close")} onclick={on_close.reform(|_| ())}>
                    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                        <path d="M6 6l12 12M18 6L6 18" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
                    </svg>
                </button>
            }
        </header>
    }
}
