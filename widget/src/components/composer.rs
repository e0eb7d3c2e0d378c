//! The composer: Enter sends, Shift+Enter is a new line; typing is reported
//! (the engine throttles it).

use ferrochat_core::session::Input;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

#[derive(Clone, Debug, PartialEq, Properties)]
pub(crate) struct ComposerProps {
    /// Sending waits for the session to be ready; typing does not.
    pub enabled: bool,
    pub on_input: Callback<Input>,
}

#[component]
pub(crate) fn Composer(props: &ComposerProps) -> Html {
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
    html! {
        <form class="fc-composer" onsubmit={send.reform(|event: SubmitEvent| event.prevent_default())}>
            <textarea ref={field} class="fc-composer__field" aria-label="Message" rows="1"
                placeholder="Type your message…" {onkeydown} {oninput} />
            <button type="submit" class="fc-send" aria-label="Send" disabled={!props.enabled}>
                <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                    <path d="M3 20l18-8L3 4v6l12 2-12 2z" fill="currentColor" />
                </svg>
            </button>
        </form>
    }
}
