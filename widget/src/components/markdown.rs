//! Message text as safe markdown: the core parses it into a tree, and this
//! renders the tree as DOM nodes. Nothing here ever sets HTML from message
//! content: text is text nodes, links are only the ones the core found safe
//! (http, https, mailto, tel) and open in a new tab without an opener.

use ferrochat_core::markdown::{Block, Inline, parse};
use yew::prelude::*;

/// A plain function, not a component: a component costs the wasm its own
/// copy of Yew's lifecycle, and the message that shows the text already
/// re-renders only when the message changes.
pub(crate) fn markdown(text: &str) -> Html {
    html! { <div class="fc-text">{ for parse(text).iter().map(block) }</div> }
}

fn block(block: &Block) -> Html {
    match block {
        Block::Paragraph(inlines) => html! { <p>{ for inlines.iter().map(inline) }</p> },
        Block::List { start, items } => {
            let items = items
                .iter()
                .map(|item| html! { <li>{ for item.iter().map(inline) }</li> });
            match start {
                Some(start) => html! { <ol start={start.to_string()}>{ for items }</ol> },
                None => html! { <ul>{ for items }</ul> },
            }
        }
        Block::Code(code) => html! { <pre><code>{ code.clone() }</code></pre> },
        Block::Quote(inlines) => {
            html! { <blockquote>{ for inlines.iter().map(inline) }</blockquote> }
        }
    }
}

fn inline(inline: &Inline) -> Html {
    match inline {
        Inline::Text(text) => html! { { text.clone() } },
        Inline::Strong(children) => {
            html! { <strong>{ for children.iter().map(self::inline) }</strong> }
        }
        Inline::Emphasis(children) => html! { <em>{ for children.iter().map(self::inline) }</em> },
        Inline::Strike(children) => html! { <s>{ for children.iter().map(self::inline) }</s> },
        Inline::Code(code) => html! { <code>{ code.clone() }</code> },
        Inline::Link { href, children } => html! {
            <a href={href.clone()} target="_blank" rel="noopener noreferrer">
                { for children.iter().map(self::inline) }
            </a>
        },
        Inline::LineBreak => html! { <br /> },
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use wasm_bindgen_test::wasm_bindgen_test as test;
    use yew::prelude::*;

    #[derive(Clone, Debug, PartialEq, Properties)]
    struct MarkdownProps {
        text: AttrValue,
    }

    #[component]
    fn Markdown(props: &MarkdownProps) -> Html {
        super::markdown(&props.text)
    }

    /// Renders `text` into an element of its own and returns that element.
    async fn render(text: &str) -> web_sys::Element {
        let document = web_sys::window().unwrap().document().unwrap();
        let root = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&root).unwrap();
        yew::Renderer::<Markdown>::with_root_and_props(
            root.clone(),
            MarkdownProps {
                text: AttrValue::from(text.to_owned()),
            },
        )
        .render();
        yew::platform::time::sleep(Duration::from_millis(5)).await;
        root
    }

    #[test]
    async fn html_in_a_message_is_text() {
        let root = render(
            "<script>window.hacked = 1</script> <img src=x onerror=\"window.hacked = 2\"> **bold**",
        )
        .await;
        assert_eq!(root.query_selector_all("script, img").unwrap().length(), 0);
        assert_eq!(
            root.query_selector("strong")
                .unwrap()
                .unwrap()
                .text_content()
                .unwrap(),
            "bold"
        );
        assert!(
            root.text_content()
                .unwrap()
                .contains("<script>window.hacked = 1</script>")
        );
        let all = root.query_selector_all("*").unwrap();
        for index in 0..all.length() {
            let element: web_sys::Element =
                wasm_bindgen::JsCast::unchecked_into(all.item(index).unwrap());
            let names = element.get_attribute_names();
            for name in names.iter() {
                let name = name.as_string().unwrap();
                assert!(
                    !name.starts_with("on"),
                    "{name} on <{}>",
                    element.tag_name()
                );
            }
        }
        assert!(
            js_sys::Reflect::get(&web_sys::window().unwrap(), &"hacked".into())
                .unwrap()
                .is_undefined()
        );
    }

    #[test]
    async fn a_javascript_link_is_not_a_link() {
        let root =
            render("[click](javascript:alert(1)) and [docs](https://example.com/docs)").await;
        let links = root.query_selector_all("a").unwrap();
        assert_eq!(links.length(), 1);
        let link: web_sys::Element = wasm_bindgen::JsCast::unchecked_into(links.item(0).unwrap());
        assert_eq!(
            link.get_attribute("href").as_deref(),
            Some("https://example.com/docs")
        );
        assert_eq!(link.get_attribute("target").as_deref(), Some("_blank"));
        assert_eq!(
            link.get_attribute("rel").as_deref(),
            Some("noopener noreferrer")
        );
        assert!(root.text_content().unwrap().contains("click"));
    }
}
