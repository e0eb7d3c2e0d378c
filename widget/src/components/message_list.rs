//! The conversation, kept scrolled to the latest line as lines arrive.

use std::rc::Rc;

use ferrochat_core::session::{Entry, Input};
use yew::prelude::*;

use crate::components::message::MessageView;
use crate::i18n::Texts;

#[derive(Clone, Debug, PartialEq, Properties)]
pub(crate) struct MessageListProps {
    pub entries: Rc<Vec<Entry>>,
    /// An agent is typing.
    pub typing: bool,
    /// The network is down: the visitor's pending lines wait for it.
    pub offline: bool,
    pub on_input: Callback<Input>,
    pub on_postback: Callback<String>,
    pub texts: Texts,
}

#[component]
pub(crate) fn MessageList(props: &MessageListProps) -> Html {
    let t = &props.texts;
    let list = use_node_ref();
    // The first line and the list's height at the last render: when older
    // lines come in above, the view stays on what the visitor was reading.
    let anchor = use_mut_ref(|| (String::new(), 0));
    // The visitor is at the latest line: what comes next keeps them there.
    // Reading further up, only their own new line takes them down.
    let pinned = use_mut_ref(|| true);
    {
        let (list, anchor, on_input) = (list.clone(), anchor.clone(), props.on_input.clone());
        let pinned = pinned.clone();
        let first = props.entries.first().map(entry_key).unwrap_or_default();
        let mine = matches!(props.entries.last(), Some(Entry::Outgoing { .. }));
        use_effect_with((props.entries.len(), props.typing), move |_| {
            if let Some(element) = list.cast::<web_sys::Element>() {
                let (grown_above, height) = {
                    let (before, height) = &*anchor.borrow();
                    (!before.is_empty() && *before != first, *height)
                };
                if grown_above {
                    element.set_scroll_top(element.scroll_top() + element.scroll_height() - height);
                } else if mine || *pinned.borrow() {
                    element.set_scroll_top(element.scroll_height());
                }
                *anchor.borrow_mut() = (first, element.scroll_height());
                // Lines too few to scroll: nothing would ever ask for more.
                if element.scroll_height() <= element.client_height() + 80 {
                    on_input.emit(Input::LoadOlder);
                }
            }
        });
    }
    // Near the top, the page before is asked for.
    let onscroll = {
        let (list, on_input) = (list.clone(), props.on_input.clone());
        Callback::from(move |_: Event| {
            let Some(element) = list.cast::<web_sys::Element>() else {
                return;
            };
            *pinned.borrow_mut() =
                element.scroll_height() - element.scroll_top() - element.client_height() < 40;
            if element.scroll_top() < 80 {
                on_input.emit(Input::LoadOlder);
            }
        })
    };
    html! {
        <div ref={list} class="fc-messages" role="log" aria-live="off" {onscroll}
            aria-label={t.text("log")}>
            { for props.entries.iter().map(|entry| html! {
                <MessageView key={entry_key(entry)} entry={entry.clone()} on_input={props.on_input.clone()}
                    on_postback={props.on_postback.clone()} offline={props.offline} texts={t.clone()} />
            }) }
            if props.typing {
                <div class="fc-typing" role="img" aria-label={t.text("typing")}><span /><span /><span /></div>
            }
        </div>
    }
}

/// Stable across the swap from pending to confirmed only where that is
/// the same line: the echo id for the visitor's lines, else the id.
fn entry_key(entry: &Entry) -> String {
    match entry {
        Entry::Message(message) => format!("m{}", message.id.0),
        Entry::Outgoing { outgoing, .. } => format!("o{}", outgoing.echo_id),
    }
}
