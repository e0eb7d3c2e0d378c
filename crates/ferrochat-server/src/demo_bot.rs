//! The demo bot (`--demo-bot`): answers visitors of the seeded inbox so a
//! person trying ferrochat sees every kind of message the widget shows.
//!
//! It greets each new conversation with quick replies, and answers a choice
//! (or a few typed keywords) with cards, a form, articles, a hand-off to a
//! human, or by resolving the conversation, which brings the CSAT survey.
//!
//! It is an agent bot of the seeded account that writes through the same
//! paths as an agent ([`chat::create_message`], [`chat::set_status`]), but
//! it is internal: it is not the inbox's `agent_bot_id`, so conversations
//! start `open` and no webhook is delivered to it. It runs in its own task,
//! fed by [`AppState::emit`]'s broadcast, so it never slows a request; a
//! failure is logged and the bot carries on with the next event.

use std::collections::HashSet;

use ferrochat_core::Map;
use ferrochat_core::chatwoot::{ConversationStatus, MessageType};
use ferrochat_core::content::{
    Article, Articles, Card, CardAction, CardActionKind, Cards, Content, Form, FormField,
    FormFieldKind, FormOption, InputSelect, SelectItem, SubmittedValue,
};
use ferrochat_core::validate;
use serde_json::Value;
use tokio::sync::broadcast::{self, error::RecvError};

use crate::AppState;
use crate::chat::{self, Author, NewMessage};
use crate::error::{ApiError, ApiResult};
use crate::events::{Event, MessageEvent};
use crate::store::AgentBotRow;
use crate::time::now_millis;

/// The `agent_bots` row the bot writes as.
const BOT_NAME: &str = "Demo bot";
const BOT_DESCRIPTION: &str =
    "Answers visitors of the first inbox when the server runs with --demo-bot";

/// The menu's quick replies: (title, value).
const MENU: [(&str, &str); 6] = [
    ("Quick replies", "replies"),
    ("A card", "cards"),
    ("A form", "form"),
    ("Articles", "articles"),
    ("Talk to a human", "human"),
    ("Resolve this conversation", "resolve"),
];

/// The quick-reply demo's own choices: (title, value).
const LIKES: [(&str, &str); 3] = [
    ("Rust", "like_rust"),
    ("WebAssembly", "like_wasm"),
    ("Both!", "like_both"),
];

const INTERACTIVE_DOCS: &str = "https://www.chatwoot.com/docs/product/others/interactive-messages";

/// What the visitor asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Topic {
    Hello,
    Help,
    QuickReplies,
    Cards,
    Form,
    Articles,
    Human,
    Resolve,
}

impl Topic {
    /// A menu choice's value.
    fn from_value(value: &str) -> Option<Topic> {
        Some(match value {
            "replies" => Topic::QuickReplies,
            "cards" => Topic::Cards,
            "form" => Topic::Form,
            "articles" => Topic::Articles,
            "human" => Topic::Human,
            "resolve" => Topic::Resolve,
            "help" => Topic::Help,
            _ => return None,
        })
    }

    /// A keyword in typed text. The first word that means something wins.
    fn from_text(text: &str) -> Option<Topic> {
        let lower = text.to_lowercase();
        lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .find_map(|word| {
                Some(match word {
                    "resolve" | "resolved" | "close" | "done" | "bye" | "goodbye" => Topic::Resolve,
                    "human" | "agent" | "person" | "someone" | "operator" => Topic::Human,
                    "card" | "cards" | "carousel" => Topic::Cards,
                    "form" | "forms" => Topic::Form,
                    "article" | "articles" | "docs" | "documentation" => Topic::Articles,
                    "quick" | "reply" | "replies" | "buttons" => Topic::QuickReplies,
                    "help" | "menu" | "options" => Topic::Help,
                    "hi" | "hello" | "hey" | "hallo" => Topic::Hello,
                    _ => return None,
                })
            })
    }
}

/// What the bot does about one event.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Reply {
    /// A new conversation.
    Greet,
    Topic(Topic),
    /// Typed text it did not understand.
    Unknown,
    /// The quick-reply demo's choice, by title.
    Liked(String),
    /// The demo form's answers, as (label, value shown).
    FormSubmitted(Vec<(String, String)>),
}

/// Makes sure the bot's row exists, then starts listening. Subscribes before
/// returning, so no conversation created after start is missed.
pub(crate) async fn spawn(state: AppState) -> Result<(), crate::StartError> {
    let bot = ensure_bot(&state).await?;
    let events = state.events.subscribe();
    tracing::info!(
        bot = bot.id,
        inbox = state.seeded.inbox_id,
        "demo bot is answering"
    );
    tokio::spawn(run(state, bot, events));
    Ok(())
}

async fn ensure_bot(state: &AppState) -> Result<AgentBotRow, sqlx::Error> {
    let account_id = state.seeded.account_id;
    let existing: Option<AgentBotRow> = sqlx::query_as(
        "SELECT * FROM agent_bots WHERE account_id = $1 AND name = $2 ORDER BY id LIMIT 1",
    )
    .bind(account_id)
    .bind(BOT_NAME)
    .fetch_optional(&state.db.write)
    .await?;
    if let Some(bot) = existing {
        return Ok(bot);
    }
    sqlx::query_as(
        "INSERT INTO agent_bots (account_id, name, description, access_token, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING *",
    )
    .bind(account_id)
    .bind(BOT_NAME)
    .bind(BOT_DESCRIPTION)
    .bind(crate::ids::long_token())
    .bind(now_millis())
    .fetch_one(&state.db.write)
    .await
}

/// Handles events one at a time, so its replies in a conversation keep
/// their order, until the server shuts down.
async fn run(state: AppState, bot: AgentBotRow, mut events: broadcast::Receiver<Event>) {
    let mut shutdown = state.shutting_down();
    let mut bot = Bot {
        state,
        bot,
        with_human: HashSet::new(),
    };
    loop {
        let event = tokio::select! {
            biased;
            _ = shutdown.wait_for(|stop| *stop) => return,
            event = events.recv() => event,
        };
        match event {
            Ok(event) => bot.handle(&event).await,
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "demo bot fell behind and skipped events");
            }
            Err(RecvError::Closed) => return,
        }
    }
}

struct Bot {
    state: AppState,
    bot: AgentBotRow,
    /// Conversations (row ids) a human has taken over, until resolved:
    /// the bot stays quiet on typed text there.
    with_human: HashSet<i64>,
}

impl Bot {
    fn author(&self) -> Author {
        Author::Bot(self.bot.clone())
    }

    async fn handle(&mut self, event: &Event) {
        if event.inbox().id != self.state.seeded.inbox_id {
            return;
        }
        let Some((conversation_id, reply)) = self.decide(event) else {
            return;
        };
        if let Err(error) = self.answer(conversation_id, &reply).await {
            tracing::warn!(%error, conversation = conversation_id, ?reply, "demo bot could not answer");
        }
    }

    /// Which conversation to answer and how; None to stay quiet.
    fn decide(&mut self, event: &Event) -> Option<(i64, Reply)> {
        match event {
            Event::ConversationCreated(view) => Some((view.conversation.id, Reply::Greet)),
            Event::ConversationStatusChanged(view) => {
                if view.conversation.status == ConversationStatus::Resolved.as_str() {
                    self.with_human.remove(&view.conversation.id);
                }
                None
            }
            Event::MessageCreated(created) => {
                let message = &created.message.message;
                let conversation = created.conversation.id;
                if message.private {
                    return None;
                }
                match (message.message_type, message.sender_type.as_deref()) {
                    // A human agent answered: the conversation is theirs.
                    (1, Some("User")) => {
                        self.with_human.insert(conversation);
                        None
                    }
                    (0, Some("Contact")) if message.content_type == "text" => {
                        let text = message.content.as_deref().unwrap_or("").trim();
                        if text.is_empty() || self.with_human.contains(&conversation) {
                            return None;
                        }
                        let reply = Topic::from_text(text).map_or(Reply::Unknown, Reply::Topic);
                        Some((conversation, reply))
                    }
                    _ => None,
                }
            }
            Event::MessageUpdated(updated) => {
                let reply = self.answered(updated)?;
                Some((updated.conversation.id, reply))
            }
            _ => None,
        }
    }

    /// A visitor's new answer to one of the bot's own quick replies or forms.
    fn answered(&self, updated: &MessageEvent) -> Option<Reply> {
        let message = &updated.message.message;
        if message.sender_type.as_deref() != Some("AgentBot")
            || message.sender_id != Some(self.bot.id)
            || !submitted_values_changed(updated.previous_changes.as_ref())
        {
            return None;
        }
        let attributes = crate::render::parse_map(&message.content_attributes);
        match Content::from_parts(&message.content_type, attributes).ok()? {
            Content::InputSelect(select) => {
                let choice = select.submitted_values?.into_iter().next()?;
                let value = choice.value.text();
                if let Some(topic) = Topic::from_value(&value) {
                    return Some(Reply::Topic(topic));
                }
                let title = LIKES
                    .iter()
                    .find(|(_, like)| *like == value)
                    .map(|(title, _)| (*title).to_owned())
                    .or(choice.title)?;
                Some(Reply::Liked(title))
            }
            Content::Form(form) => {
                let values = form.submitted_values.clone()?;
                Some(Reply::FormSubmitted(form_summary(&form, &values)))
            }
            _ => None,
        }
    }

    async fn answer(&mut self, conversation_id: i64, reply: &Reply) -> ApiResult<()> {
        let ctx = chat::context(&self.state, conversation_id).await?;
        let text = |content: &str| (content.to_owned(), Content::default());
        let anything_else = || menu("Anything else you would like to see?");
        let messages: Vec<(String, Content)> = match reply {
            Reply::Greet => vec![
                text(
                    "Hi! I'm the ferrochat demo bot. I answer here to show what the chat can display: quick replies, cards, forms and articles.",
                ),
                menu("What would you like to see?"),
            ],
            Reply::Topic(Topic::Hello) => vec![menu("Hello! What would you like to see?")],
            Reply::Topic(Topic::Help) => vec![menu(
                "I'm a demo bot. Tap a button, or type one of: replies, card, form, article, human, resolve.",
            )],
            Reply::Unknown => vec![menu(
                "Sorry, I'm only a demo bot. I know these words: replies, card, form, article, human, resolve. Or tap a button:",
            )],
            Reply::Topic(Topic::QuickReplies) => vec![likes()],
            Reply::Liked(title) => vec![menu(&format!(
                "You picked \u{201c}{title}\u{201d}. A quick reply shows its title and sends its value to the bot. Anything else?"
            ))],
            Reply::Topic(Topic::Cards) => vec![cards(), anything_else()],
            Reply::Topic(Topic::Form) => vec![form()],
            Reply::FormSubmitted(fields) => {
                let mut summary = String::from("Thanks! Here is what you sent:");
                for (label, value) in fields {
                    summary.push_str(&format!("\n\u{2022} {label}: {value}"));
                }
                vec![text(&summary), anything_else()]
            }
            Reply::Topic(Topic::Articles) => vec![articles(), anything_else()],
            Reply::Topic(Topic::Human) => {
                self.with_human.insert(conversation_id);
                vec![text(&format!(
                    "A human will be with you shortly. (In this demo the human is you: answer from the agent console at {}/agent.html.)",
                    self.state.base_url
                ))]
            }
            Reply::Topic(Topic::Resolve) => {
                vec![text(
                    "Glad I could help! I'm resolving this conversation now.",
                )]
            }
        };
        for (content, kind) in messages {
            self.send(&ctx, content, kind).await?;
        }
        if *reply == Reply::Topic(Topic::Resolve) {
            // Fresh: the bot's message above moved `last_activity_at`.
            let ctx = chat::context(&self.state, conversation_id).await?;
            chat::set_status(
                &self.state,
                &ctx,
                ConversationStatus::Resolved,
                &self.author(),
            )
            .await?;
        }
        Ok(())
    }

    /// Sends one outgoing message, checked by the same rules as an agent's.
    async fn send(&self, ctx: &chat::ConvCtx, content: String, kind: Content) -> ApiResult<()> {
        validate::content(&content).map_err(|error| ApiError::invalid("content", &error))?;
        validate::content_attributes(&kind)
            .map_err(|error| ApiError::invalid("content_attributes", &error))?;
        let new = NewMessage {
            message_type: MessageType::Outgoing,
            content: Some(content),
            kind,
            private: false,
            echo_id: None,
            files: Vec::new(),
        };
        chat::create_message(&self.state, ctx, &self.author(), new).await?;
        Ok(())
    }
}

/// Whether a `message.updated` changed `content_attributes.submitted_values`
/// (`previous_changes` is `{column: [before, after]}`).
fn submitted_values_changed(previous_changes: Option<&Value>) -> bool {
    let Some([before, after]) = previous_changes
        .and_then(|changes| changes.get("content_attributes"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    else {
        return false;
    };
    let after = after.get("submitted_values");
    after.is_some_and(|values| !values.is_null()) && before.get("submitted_values") != after
}

/// Each answered field as (its label, the value as the visitor saw it).
fn form_summary(form: &Form, values: &[SubmittedValue]) -> Vec<(String, String)> {
    values
        .iter()
        .filter_map(|submitted| {
            let name = submitted.name.as_deref()?;
            let field = form.items.iter().find(|field| field.name == name);
            let label = field
                .and_then(|field| field.label.clone())
                .unwrap_or_else(|| name.to_owned());
            let raw = submitted.value.text();
            let shown = field
                .and_then(|field| field.options.as_ref())
                .and_then(|options| {
                    options
                        .iter()
                        .find(|option| option.submitted() == Some(raw.as_ref()))
                })
                .and_then(FormOption::shown)
                .unwrap_or(raw.as_ref());
            let shown = if shown.trim().is_empty() {
                "(empty)".to_owned()
            } else {
                shown.to_owned()
            };
            Some((label, shown))
        })
        .collect()
}

fn select(items: &[(&str, &str)]) -> Content {
    Content::InputSelect(InputSelect {
        items: items
            .iter()
            .map(|(title, value)| SelectItem {
                title: (*title).to_owned(),
                value: (*value).into(),
            })
            .collect(),
        submitted_values: None,
        extra: Map::new(),
    })
}

fn menu(content: &str) -> (String, Content) {
    (content.to_owned(), select(&MENU))
}

fn likes() -> (String, Content) {
    (
        "Quick replies are buttons under a message; your choice goes back to the bot. Which do you like best?"
            .to_owned(),
        select(&LIKES),
    )
}

fn cards() -> (String, Content) {
    let link = |text: &str, uri: &str| CardAction {
        kind: CardActionKind::Link,
        text: text.to_owned(),
        uri: Some(uri.to_owned()),
        payload: None,
    };
    let postback = |text: &str, payload: &str| CardAction {
        kind: CardActionKind::Postback,
        text: text.to_owned(),
        uri: None,
        payload: Some(payload.to_owned()),
    };
    let items = vec![
        Card {
            title: "Interactive messages".to_owned(),
            description: Some(
                "Cards, forms, articles and quick replies, as Chatwoot defines them.".to_owned(),
            ),
            media_url: None,
            actions: vec![
                link("Read the docs", INTERACTIVE_DOCS),
                postback("Tell the page", "demo_card_interactive"),
            ],
        },
        Card {
            title: "Rust and WebAssembly".to_owned(),
            description: Some("The chat widget is Rust compiled to WebAssembly.".to_owned()),
            media_url: None,
            actions: vec![
                link("webassembly.org", "https://webassembly.org/"),
                postback("I like it", "demo_card_wasm"),
            ],
        },
    ];
    (
        "Here are two cards. A link opens in a new tab; the other button hands a postback to the page.".to_owned(),
        Content::Cards(Cards {
            items,
            extra: Map::new(),
        }),
    )
}

fn field(kind: FormFieldKind, name: &str, label: &str) -> FormField {
    FormField {
        kind,
        name: name.to_owned(),
        label: Some(label.to_owned()),
        placeholder: None,
        default: None,
        required: None,
        pattern: None,
        title: None,
        pattern_error: None,
        options: None,
    }
}

fn form() -> (String, Content) {
    let option = |value: &str, label: &str| FormOption {
        key: None,
        value: Some(value.to_owned()),
        label: Some(label.to_owned()),
    };
    let items = vec![
        FormField {
            placeholder: Some("Ada Lovelace".to_owned()),
            required: Some(true),
            ..field(FormFieldKind::Text, "name", "Your name")
        },
        FormField {
            placeholder: Some("ada@example.com".to_owned()),
            required: Some(true),
            ..field(FormFieldKind::Email, "email", "Email")
        },
        FormField {
            placeholder: Some("+44 20 7946 0000".to_owned()),
            pattern: Some(r"\+?[0-9 ]{6,20}".to_owned()),
            pattern_error: Some("Use digits, with + before the country code".to_owned()),
            ..field(FormFieldKind::Text, "phone", "Phone (optional)")
        },
        FormField {
            options: Some(vec![
                option("sales", "Buying"),
                option("support", "Getting help"),
                option("curious", "Just looking"),
            ]),
            default: Some("curious".to_owned()),
            ..field(FormFieldKind::Select, "topic", "What brings you here?")
        },
        FormField {
            placeholder: Some("Anything else?".to_owned()),
            ..field(FormFieldKind::TextArea, "message", "Message")
        },
    ];
    (
        "Please fill in this form:".to_owned(),
        Content::Form(Form {
            items,
            button_label: Some("Send".to_owned()),
            submitted_values: None,
            extra: Map::new(),
        }),
    )
}

fn articles() -> (String, Content) {
    let article = |title: &str, description: &str, link: &str| Article {
        title: title.to_owned(),
        description: Some(description.to_owned()),
        link: link.to_owned(),
    };
    let items = vec![
        article(
            "Interactive messages",
            "Chatwoot's guide to cards, forms and quick replies.",
            INTERACTIVE_DOCS,
        ),
        article(
            "Chatwoot's client APIs",
            "The public API this server speaks.",
            "https://www.chatwoot.com/developers/api/",
        ),
        article(
            "The Rust and WebAssembly book",
            "How Rust runs in the browser.",
            "https://rustwasm.github.io/docs/book/",
        ),
    ];
    (
        "These articles might help:".to_owned(),
        Content::Article(Articles {
            items,
            extra: Map::new(),
        }),
    )
}

#[cfg(test)]
mod tests {
    use ferrochat_core::content::{Content, SubmittedValue};
    use ferrochat_core::validate;
    use serde_json::json;

    use super::{Topic, form_summary, submitted_values_changed};

    #[test]
    fn every_message_the_bot_sends_is_valid() {
        for (content, kind) in [
            super::menu("What would you like to see?"),
            super::likes(),
            super::cards(),
            super::form(),
            super::articles(),
        ] {
            validate::content(&content).unwrap();
            validate::content_attributes(&kind).unwrap();
            // And survives storage: written and read back the same.
            let value = serde_json::to_value(&kind).unwrap();
            let read: Content = serde_json::from_value(value).unwrap();
            assert_eq!(read, kind);
        }
    }

    #[test]
    fn keywords_and_values_pick_topics() {
        assert_eq!(
            Topic::from_text("Show me a CARD please"),
            Some(Topic::Cards)
        );
        assert_eq!(Topic::from_text("form"), Some(Topic::Form));
        assert_eq!(Topic::from_text("some information"), None);
        assert_eq!(
            Topic::from_text("can I talk to a human?"),
            Some(Topic::Human)
        );
        assert_eq!(Topic::from_text("please resolve"), Some(Topic::Resolve));
        assert_eq!(Topic::from_text("help"), Some(Topic::Help));
        assert_eq!(Topic::from_text("asdf"), None);
        for (_, value) in super::MENU {
            assert!(Topic::from_value(value).is_some(), "{value}");
        }
    }

    #[test]
    fn only_a_new_answer_counts() {
        let fresh = json!({"content_attributes": [{"items": []}, {"items": [], "submitted_values": [{"value": "a"}]}]});
        assert!(submitted_values_changed(Some(&fresh)));
        let same = json!({"content_attributes": [{"submitted_values": [{"value": "a"}]}, {"submitted_values": [{"value": "a"}]}]});
        assert!(!submitted_values_changed(Some(&same)));
        assert!(!submitted_values_changed(Some(
            &json!({"status": ["sent", "read"]})
        )));
        assert!(!submitted_values_changed(None));
    }

    #[test]
    fn a_form_summary_uses_labels() {
        let (_, Content::Form(form)) = super::form() else {
            panic!("not a form");
        };
        let values = [
            SubmittedValue::field("email", "ada@example.com"),
            SubmittedValue::field("topic", "support"),
            SubmittedValue::field("message", ""),
        ];
        assert_eq!(
            form_summary(&form, &values),
            [
                ("Email".to_owned(), "ada@example.com".to_owned()),
                (
                    "What brings you here?".to_owned(),
                    "Getting help".to_owned()
                ),
                ("Message".to_owned(), "(empty)".to_owned()),
            ]
        );
    }
}
