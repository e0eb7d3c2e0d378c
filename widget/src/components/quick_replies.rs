//! Quick replies (`input_select`): one button a choice.

use ferrochat_core::content::{SelectItem, SubmittedValue};
use yew::prelude::*;

#[derive(Clone, Debug, PartialEq, Properties)]
pub(crate) struct QuickRepliesProps {
    pub items: Vec<SelectItem>,
    pub on_choose: Callback<SubmittedValue>,
}

/// A plain function, not a component (see [`super::markdown::markdown`]).
pub(crate) fn quick_replies(props: &QuickRepliesProps) -> Html {
    html! {
        <div class="fc-quick-replies">
            { for props.items.iter().map(|item| {
                let choice = SubmittedValue::choice(item);
                html! {
                    <button type="button" onclick={props.on_choose.reform(move |_| choice.clone())}>
                        { item.title.clone() }
                    </button>
                }
            }) }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::time::Duration;

    use ferrochat_core::content::{SelectItem, SubmittedValue};
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use yew::Callback;

    use yew::prelude::*;

    use super::QuickRepliesProps;

    #[component]
    fn QuickReplies(props: &QuickRepliesProps) -> Html {
        super::quick_replies(props)
    }

    #[test]
    async fn each_choice_is_a_button_that_submits_it() {
        let document = web_sys::window().unwrap().document().unwrap();
        let root = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&root).unwrap();
        let chosen: Rc<RefCell<Vec<SubmittedValue>>> = Rc::default();
        let items = vec![
            SelectItem {
                title: "Pricing".into(),
                value: "pricing".into(),
            },
            SelectItem {
                title: "Talk to a human".into(),
                value: "human".into(),
            },
        ];
        yew::Renderer::<QuickReplies>::with_root_and_props(
            root.clone(),
            QuickRepliesProps {
                items: items.clone(),
                on_choose: {
                    let chosen = chosen.clone();
                    Callback::from(move |choice| chosen.borrow_mut().push(choice))
                },
            },
        )
        .render();
        yew::platform::time::sleep(Duration::from_millis(5)).await;
        let buttons = root.query_selector_all(".fc-quick-replies button").unwrap();
        assert_eq!(buttons.length(), 2);
        let second: web_sys::HtmlElement = buttons.item(1).unwrap().unchecked_into();
        assert_eq!(second.text_content().unwrap().trim(), "Talk to a human");
        second.click();
        yew::platform::time::sleep(Duration::from_millis(5)).await;
        assert_eq!(*chosen.borrow(), vec![SubmittedValue::choice(&items[1])]);
    }
}
