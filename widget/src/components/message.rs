//! One line: a visitor's message (pending, sent or failed) or an agent's,
//! with its files, quick replies, cards, articles or survey.

use std::rc::Rc;

use ferrochat_core::chatwoot::{Message, MessageType};
use ferrochat_core::content::Content;
use ferrochat_core::session::{Delivery, Entry, Input};
use yew::prelude::*;

use crate::components::content::{Survey, articles, attachments, cards, outgoing_files};
use crate::components::form::FormView;
use crate::components::markdown::markdown;
use crate::components::quick_replies::{QuickRepliesProps, quick_replies};
use crate::i18n::Texts;

#[derive(Clone, Debug, PartialEq, Properties)]
pub(crate) struct MessageProps {
    pub entry: Entry,
    pub on_input: Callback<Input>,
    /// A card's postback action: its payload, for the host page.
    pub on_postback: Callback<String>,
    /// The network is down: a pending line says it waits for it.
    pub offline: bool,
    pub texts: Texts,
}

#[component]
pub(crate) fn MessageView(props: &MessageProps) -> Html {
    let t = &props.texts;
    match &props.entry {
        Entry::Message(message) => server_message(message, props, t),
        Entry::Outgoing { outgoing, delivery } => {
            let (state, status) = match delivery {
                Delivery::Pending => (
                    "pending",
                    html! { <span class="fc-message__status">{ t.text(if props.offline { "message.queued" } else { "message.sending" }) }</span> },
                ),
                Delivery::Uploading { percent } => {
                    let said = t.fill("upload.progress", &[("percent", &percent.to_string())]);
                    (
                        "pending",
                        html! {
                            <span class="fc-message__status">
                                <progress class="fc-progress" max="100" value={percent.to_string()} aria-label={said.clone()} />
                                { said }
                            </span>
                        },
                    )
                }
                Delivery::Sent => ("sent", Html::default()),
                Delivery::Failed { error } => {
                    let echo_id = outgoing.echo_id.clone();
                    (
                        "failed",
                        html! {
                            <span class="fc-message__status">
                                { t.fill("message.failed", &[("error", error)]) }
                                <button type="button" class="fc-retry"
                                    onclick={props.on_input.reform(move |_| Input::Retry { echo_id: echo_id.clone() })}>
                                    { t.text("retry") }
                                </button>
                            </span>
                        },
                    )
                }
            };
            html! {
                <div class={format!("fc-message fc-message--visitor fc-message--{state}")}>
                    if !outgoing.content.is_empty() {
                        <div class="fc-bubble">{ markdown(&outgoing.content) }</div>
                    }
                    if !outgoing.files.is_empty() {
                        { outgoing_files(&outgoing.files, t) }
                    }
                    { status }
                </div>
            }
        }
    }
}

fn server_message(message: &Message, props: &MessageProps, t: &Texts) -> Html {
    let on_input = &props.on_input;
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
    let files = attachments(&message.attachments, t);
    let extra = match &message.kind {
        Content::Cards(list) => cards(list, &props.on_postback),
        Content::Article(list) => articles(list),
        Content::Form(form) => {
            let id = message.id;
            let on_submit = on_input.reform(move |values| Input::SubmitForm {
                message: id,
                values,
            });
            html! {
                <FormView message={id} form={Rc::new(form.clone())} {on_submit} texts={t.clone()} />
            }
        }
        Content::InputCsat(csat) => html! {
            <Survey csat={csat.clone()} on_input={on_input.clone()} texts={t.clone()} />
        },
        _ => Html::default(),
    };
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
            <div class={format!("fc-message {side}")}>
                { for author }
                { for text }
                { files }
                { extra }
                { for choices }
                <span class="fc-message__time">{ t.time(message.created_at) }</span>
            </div>
            { for answer }
        </>
    }
}
