//! One line: a visitor's message (pending, sent or failed) or an agent's,
//! with its quick replies.

use ferrochat_core::chatwoot::{FileType, Message, MessageType};
use ferrochat_core::content::Content;
use ferrochat_core::session::{Delivery, Entry, Input};
use yew::prelude::*;

use crate::components::markdown::markdown;
use crate::components::quick_replies::{QuickRepliesProps, quick_replies};

#[derive(Clone, Debug, PartialEq, Properties)]
pub(crate) struct MessageProps {
    pub entry: Entry,
    pub on_input: Callback<Input>,
}

#[component]
pub(crate) fn MessageView(props: &MessageProps) -> Html {
    match &props.entry {
        Entry::Message(message) => server_message(message, &props.on_input),
        Entry::Outgoing { outgoing, delivery } => {
            let (state, status) = match delivery {
                Delivery::Pending => (
                    "pending",
                    html! { <span class="fc-message__status">{ "Sending…" }</span> },
                ),
                Delivery::Sent => ("sent", Html::default()),
                Delivery::Failed { error } => {
                    let echo_id = outgoing.echo_id.clone();
                    (
                        "failed",
                        html! {
                            <span class="fc-message__status">
                                { format!("Not sent: {error}") }
                                <button type="button" class="fc-retry"
                                    onclick={props.on_input.reform(move |_| Input::Retry { echo_id: echo_id.clone() })}>
                                    { "Retry" }
                                </button>
                            </span>
                        },
                    )
                }
            };
            html! {
                <div class={classes!("fc-message", "fc-message--visitor", format!("fc-message--{state}"))}>
                    <div class="fc-bubble">{ markdown(&outgoing.content) }</div>
                    { status }
                </div>
            }
        }
    }
}

fn server_message(message: &Message, on_input: &Callback<Input>) -> Html {
    let visitor = message.message_type == MessageType::Incoming;
    let side = if visitor {
        "fc-message--visitor"
    } else {
        "fc-message--agent"
    };
    let author = (!visitor)
        .then(|| {
            message
                .sender
                .as_ref()
                .and_then(|sender| sender.display_name())
        })
        .flatten()
        .map(|name| html! { <span class="fc-message__author">{ name.to_owned() }</span> });
    let text = message
        .content
        .as_deref()
        .filter(|text| !text.is_empty())
        .map(|text| html! { <div class="fc-bubble">{ markdown(text) }</div> });
    let attachments = message.attachments.iter().filter_map(|attachment| {
        let url = ferrochat_core::markdown::safe_href(attachment.data_url.as_deref()?)?;
        Some(if attachment.file_type == FileType::Image {
            html! {
                <a class="fc-attachment" href={url.clone()} target="_blank" rel="noopener noreferrer">
                    <img src={url} alt="Image" loading="lazy" />
                </a>
            }
        } else {
            let name = url.rsplit('/').next().unwrap_or("file").to_owned();
            html! {
                <a class="fc-attachment fc-attachment--file" href={url} target="_blank" rel="noopener noreferrer" download="">{ name }</a>
            }
        })
    });
    let select = match &message.kind {
        Content::InputSelect(select) => Some(select),
        _ => None,
    };
    let answer = select
        .and_then(|select| select.submitted_values.as_ref())
        .and_then(|values| values.first())
        .map(|value| {
            let title = value
                .title
                .clone()
                .unwrap_or_else(|| value.value.text().into_owned());
            html! {
                <div class="fc-message fc-message--visitor fc-message--sent fc-message--answer">
                    <div class="fc-bubble">{ title }</div>
                </div>
            }
        });
    let choices = select
        .filter(|select| select.submitted_values.is_none())
        .map(|select| {
            let id = message.id;
            quick_replies(&QuickRepliesProps {
                items: select.items.clone(),
                on_choose: on_input.reform(move |choice| Input::Choose {
                    message: id,
                    choice,
                }),
            })
        });
    html! {
        <>
            <div class={classes!("fc-message", side)}>
                { for author }
                { for text }
                { for attachments }
                { for choices }
            </div>
            { for answer }
        </>
    }
}
