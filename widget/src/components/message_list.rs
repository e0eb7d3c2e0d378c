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
    {
        let list = list.clone();
        use_effect_with((props.entries.len(), props.typing), move |_| {
            if let Some(element) = list.cast::<web_sys::Element>() {
                element.set_scroll_top(element.scroll_height());
            }
        });
    }
    html! {
        <div ref={list} class="fc-messages" role="log" aria-live="off"
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
