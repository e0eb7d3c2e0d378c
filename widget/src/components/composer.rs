//! The composer: Enter sends, Shift+Enter is a new line; typing is reported
//! (the engine throttles it). Files come by the attach button or a paste,
//! and go at once, each pick one message.

use ferrochat_core::session::Input;
use wasm_bindgen::JsCast;
use web_sys::{File, FileList, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::i18n::Texts;

#[derive(Clone, Debug, PartialEq, Properties)]
pub(crate) struct ComposerProps {
    /// Sending waits for the session to be ready; typing does not.
    pub enabled: bool,
    pub on_input: Callback<Input>,
    pub on_files: Callback<Vec<File>>,
    pub texts: Texts,
}

/// Hands the files of `list` (a pick, a paste, a drop) to `on_files`, if
/// there are any; returns whether there were.
pub(crate) fn emit_files(on_files: &Callback<Vec<File>>, list: Option<FileList>) -> bool {
    let files: Vec<File> = list.map_or_else(Vec::new, |list| {
        (0..list.length())
            .filter_map(|index| list.item(index))
            .collect()
    });
    let any = !files.is_empty();
    if any {
        on_files.emit(files);
    }
    any
}

#[component]
pub(crate) fn Composer(props: &ComposerProps) -> Html {
    let t = &props.texts;
    let attach = t.text("composer.attach");
    let field = use_node_ref();
    let send = {
        let (field, on_input, enabled) = (field.clone(), props.on_input.clone(), props.enabled);
        Callback::from(move |()| {
            let Some(area) = field.cast::<HtmlTextAreaElement>() else {
                return;
            };
            let content = area.value();
            if !enabled || content.trim().is_empty() {
                return;
            }
            area.set_value("");
            on_input.emit(Input::Send { content });
        })
    };
    let onkeydown = {
        let send = send.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Enter" && !event.shift_key() && !event.is_composing() {
                event.prevent_default();
                send.emit(());
            }
        })
    };
    let oninput = props.on_input.reform(|_: InputEvent| Input::Typed);
    let picker = use_node_ref();
    let on_pick = {
        let (picker, on_files) = (picker.clone(), props.on_files.clone());
        Callback::from(move |_: Event| {
            let Some(input) = picker.cast::<HtmlInputElement>() else {
                return;
            };
            emit_files(&on_files, input.files());
            // The same file picked again is a new change. (After the
            // files are taken: the list is live, and this empties it.)
            input.set_value("");
        })
    };
    let onpaste = {
        let on_files = props.on_files.clone();
        Callback::from(move |event: Event| {
            let files = event
                .dyn_ref::<web_sys::ClipboardEvent>()
                .and_then(|event| event.clipboard_data())
                .and_then(|data| data.files());
            if emit_files(&on_files, files) {
                event.prevent_default();
            }
        })
    };
    html! {
        <form class="fc-composer" onsubmit={send.reform(|event: SubmitEvent| event.prevent_default())}>
            <label class={if props.enabled { "fc-attach" } else { "fc-attach fc-attach--disabled" }} title={attach.clone()}>
                <input ref={picker} type="file" multiple=true class="fc-sr-only" aria-label={attach}
                    disabled={!props.enabled} onchange={on_pick} />
                <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                    <path d="M16.5 6.5l-7.8 7.8a1.8 1.8 0 0 0 2.5 2.5l7.8-7.8a3.5 3.5 0 0 0-5-5L6.2 11.8a5.3 5.3 0 0 0 7.5 7.5L20 13"
                        fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />
                </svg>
            </label>
            <textarea ref={field} class="fc-composer__field" aria-label={t.text("composer.message")} rows="1"
                placeholder={t.text("composer.placeholder")} {onkeydown} {oninput} {onpaste} />
            <button type="submit" class="fc-send" aria-label={t.text("composer.send")} disabled={!props.enabled}>
                <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                    <path d="M3 20l18-8L3 4v6l12 2-12 2z" fill="currentColor" />
                </svg>
            </button>
        </form>
    }
}
