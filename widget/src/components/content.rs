//! What a message carries besides its text: attachments, cards, articles,
//! and the satisfaction survey. Every URL goes through `safe_href`, links
//! open in a new tab without an opener, and text reaches the DOM as text.

use ferrochat_core::chatwoot::{Attachment, FileType};
use ferrochat_core::content::{
    Articles, CardActionKind, Cards, CsatDisplayType, CsatRequest, CsatSubmitted,
};
use ferrochat_core::markdown::safe_href;
use ferrochat_core::session::{Input, OutgoingFile};
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::i18n::Texts;

/// `1536` as `1.5 KB`: what a visitor reads beside a file's name. In
/// integers: float formatting would cost the wasm more than this file.
pub(crate) fn file_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut unit = 0;
    let mut scale = 1u64;
    while bytes >= scale * 1024 && unit < UNITS.len() - 1 {
        scale *= 1024;
        unit += 1;
    }
    // Tenths, rounded half up.
    let tenths = (bytes * 10 + scale / 2) / scale;
    if unit == 0 || tenths >= 100 || tenths.is_multiple_of(10) {
        format!("{} {}", (tenths + 5) / 10, UNITS[unit])
    } else {
        format!("{}.{} {}", tenths / 10, tenths % 10, UNITS[unit])
    }
}

/// The name a URL's last segment gives a file.
fn file_name(url: &str) -> String {
    let last = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .rsplit('/')
        .next()
        .unwrap_or("file");
    js_sys::decode_uri_component(last)
        .ok()
        .and_then(|name| name.as_string())
        .unwrap_or_else(|| last.to_owned())
}

/// A server message's files: images inline (a click shows them whole, in
/// the browser's top layer: Escape or a click outside closes it, with no
/// script), audio and video in the browser's players, anything else as a
/// download with its name and size.
pub(crate) fn attachments(list: &[Attachment], t: &Texts) -> Html {
    html! {
        { for list.iter().filter_map(|attachment| {
            let url: AttrValue = safe_href(attachment.data_url.as_deref()?)?.into();
            let name = file_name(&url);
            Some(match attachment.file_type {
                FileType::Image => {
                    let id = format!("fc-image-{}", attachment.id);
                    html! {
                        <>
                            <button type="button" class="fc-attachment fc-attachment--image"
                                popovertarget={id.clone()} aria-label={t.fill("image.view", &[("name", &name)])}>
                                <img src={url.clone()} alt={name} loading="lazy" />
                            </button>
                            <div id={id.clone()} class="fc-lightbox" popover="auto">
                                <button type="button" class="fc-lightbox__close" popovertarget={id}
                                    popovertargetaction="hide" aria-label={t.text("image.close")}>
                                    <img src={url} alt="" loading="lazy" />
                                </button>
                            </div>
                        </>
                    }
                }
                FileType::Audio => html! {
                    <audio class="fc-attachment fc-attachment--audio" controls=true preload="none" src={url} aria-label={name} />
                },
                FileType::Video => html! {
                    <video class="fc-attachment fc-attachment--video" controls=true preload="metadata" src={url} aria-label={name} />
                },
                _ => {
                    let size = attachment.file_size.get().map(|bytes| file_size(*bytes));
                    html! {
                        <a class="fc-attachment fc-attachment--file" href={url} target="_blank"
                            rel="noopener noreferrer" download="">
                            <span class="fc-file__name">{ name }</span>
                            if let Some(size) = size {
                                <span class="fc-file__size">{ size }</span>
                            }
                        </a>
                    }
                }
            })
        }) }
    }
}

/// The files of a message still on its way.
pub(crate) fn outgoing_files(files: &[OutgoingFile], t: &Texts) -> Html {
    html! {
        <ul class="fc-files" aria-label={t.text("files")}>
            { for files.iter().map(|file| html! {
                <li class="fc-file">
                    <span class="fc-file__name">{ file.name.clone() }</span>
                    <span class="fc-file__size">{ file_size(file.size) }</span>
                </li>
            }) }
        </ul>
    }
}

/// `cards`: each with its image, title, description and actions. A link
/// opens in a new tab; a postback hands its payload to the host page.
pub(crate) fn cards(cards: &Cards, on_postback: &Callback<String>) -> Html {
    html! {
        <div class="fc-cards">
            { for cards.items.iter().map(|card| {
                let media = card.media_url.as_deref().and_then(safe_href);
                html! {
                    <article class="fc-card">
                        if let Some(media) = media {
                            <img class="fc-card__media" src={media} alt="" loading="lazy" />
                        }
                        <div class="fc-card__body">
                            <h3 class="fc-card__title">{ card.title.clone() }</h3>
                            if let Some(description) = &card.description {
                                <p class="fc-card__description">{ description.clone() }</p>
                            }
                        </div>
                        if !card.actions.is_empty() {
                            <div class="fc-card__actions">
                                { for card.actions.iter().filter_map(|action| match action.kind {
                                    CardActionKind::Link => {
                                        let uri = safe_href(action.uri.as_deref()?)?;
                                        Some(html! {
                                            <a class="fc-card__action" href={uri} target="_blank"
                                                rel="noopener noreferrer">{ action.text.clone() }</a>
                                        })
                                    }
                                    CardActionKind::Postback => {
                                        let payload = action.payload.clone().unwrap_or_default();
                                        Some(html! {
                                            <button type="button" class="fc-card__action"
                                                onclick={on_postback.reform(move |_| payload.clone())}>
                                                { action.text.clone() }
                                            </button>
                                        })
                                    }
                                    _ => None,
                                }) }
                            </div>
                        }
                    </article>
                }
            }) }
        </div>
    }
}

/// `article`: help-centre links.
pub(crate) fn articles(articles: &Articles) -> Html {
    html! {
        <ul class="fc-articles">
            { for articles.items.iter().filter_map(|article| {
                let link = safe_href(&article.link)?;
                Some(html! {
                    <li>
                        <a href={link} target="_blank" rel="noopener noreferrer">
                            <span class="fc-article__title">{ article.title.clone() }</span>
                            if let Some(description) = &article.description {
                                <span class="fc-article__description">{ description.clone() }</span>
                            }
                        </a>
                    </li>
                })
            }) }
        </ul>
    }
}

#[derive(Clone, Debug, PartialEq, Properties)]
pub(crate) struct SurveyProps {
    pub csat: CsatRequest,
    pub on_input: Callback<Input>,
    pub texts: Texts,
}

const FACES: [&str; 5] = ["😞", "😕", "😐", "🙂", "😍"];

/// `input_csat`: a rating from 1 to 5 (faces or stars, as `display_type`
/// says), an optional comment, sent once; then the thanks and the answer.
#[component]
pub(crate) fn Survey(props: &SurveyProps) -> Html {
    let t = &props.texts;
    let rating = use_state(|| None::<u8>);
    let comment = use_node_ref();
    let stars = props.csat.display_type == Some(CsatDisplayType::Star);
    if let Some(CsatSubmitted {
        csat_survey_response: answer,
    }) = &props.csat.submitted_values
    {
        let given = usize::from(answer.rating.clamp(1, 5)) - 1;
        return html! {
            <div class="fc-survey fc-survey--done" role="status">
                <p class="fc-survey__title">{ t.text("survey.thanks") }</p>
                <p class="fc-survey__answer">
                    { t.fill("survey.rated", &[("value", &answer.rating.to_string())]) }
                    <span aria-hidden="true">{ format!(" {}", if stars { "★" } else { FACES[given] }) }</span>
                </p>
                if let Some(feedback) = answer.feedback_message.get() {
                    <p class="fc-survey__feedback">{ feedback.clone() }</p>
                }
            </div>
        };
    }
    let submit = {
        let (rating, comment, on_input) = (rating.clone(), comment.clone(), props.on_input.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let Some(chosen) = *rating else {
                return;
            };
            let feedback = comment
                .cast::<HtmlTextAreaElement>()
                .map(|area| area.value())
                .filter(|text| !text.trim().is_empty());
            on_input.emit(Input::Rate {
                rating: chosen,
                feedback,
            });
        })
    };
    html! {
        <form class="fc-survey" onsubmit={submit}>
            <p class="fc-survey__title">{ t.text("survey.title") }</p>
            <div class="fc-survey__scale" role="group" aria-label={t.text("survey.scale")}>
                { for (1..=5u8).map(|value| {
                    let index = usize::from(value) - 1;
                    let name = t.get(&format!("survey.{value}"));
                    let label = t.fill("survey.option", &[
                        ("name", &name),
                        ("value", &value.to_string()),
                    ]);
                    let chosen = *rating == Some(value);
                    let filled = stars && rating.is_some_and(|given| value <= given);
                    let set = rating.clone();
                    html! {
                        <button type="button"
                            class={format!("fc-survey__option{}{}", if chosen { " fc-survey__option--chosen" } else { "" }, if filled { " fc-survey__option--filled" } else { "" })}
                            aria-pressed={chosen.to_string()}
                            aria-label={label}
                            onclick={Callback::from(move |_| set.set(Some(value)))}>
                            { if stars { "★" } else { FACES[index] } }
                        </button>
                    }
                }) }
            </div>
            if rating.is_some() {
                <textarea ref={comment} class="fc-survey__comment" rows="2" maxlength="20000"
                    aria-label={t.text("survey.comment")} placeholder={t.text("survey.comment")} />
                <button type="submit" class="fc-survey__submit">{ t.text("survey.send") }</button>
            }
        </form>
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::file_size;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(file_size(0), "0 B");
        assert_eq!(file_size(1023), "1023 B");
        assert_eq!(file_size(1536), "1.5 KB");
        assert_eq!(file_size(40 * 1024 * 1024), "40 MB");
        assert_eq!(file_size(2048), "2 KB");
        assert_eq!(file_size(3 * 1024 * 1024 * 1024 + 1), "3 GB");
        assert_eq!(file_size(1_250_000), "1.2 MB");
    }
}
