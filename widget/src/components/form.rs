//! `form`: fields the visitor fills in and sends once, checked by the
//! core's rules before anything is sent, each error beside its field; once
//! sent, the answers read-only.

use std::rc::Rc;

use ferrochat_core::chatwoot::MessageId;
use ferrochat_core::content::{Form, FormField, FormFieldKind, SubmittedValue};
use ferrochat_core::validate::{ValidationError, form_field_but_pattern, pre_chat_field};
use wasm_bindgen::JsCast;
use web_sys::{Element, FormData, HtmlElement, HtmlFormElement};
use yew::prelude::*;

use crate::i18n::Texts;

#[derive(Clone, Debug, PartialEq, Properties)]
pub(crate) struct FormProps {
    /// The message the form is in (its fields' ids); `MessageId(0)` for
    /// the pre-chat form.
    pub message: MessageId,
    pub form: Rc<Form>,
    /// The answers, once every one passed the core's rules.
    pub on_submit: Callback<Vec<SubmittedValue>>,
    /// The pre-chat form: the contact's rules apply to its contact fields
    /// ([`pre_chat_field`]).
    #[prop_or_default]
    pub details: bool,
    pub texts: Texts,
}

/// One field's refusal: its index and what to tell the visitor.
type Refusals = Vec<(usize, String)>;

#[component]
pub(crate) fn FormView(props: &FormProps) -> Html {
    let t = &props.texts;
    let form = &props.form;
    let node = use_node_ref();
    let refusals = use_state(Refusals::new);
    // Every field's answer as the visitor left it: a render writes these
    // back (Yew keeps an input's value to what it renders), and if the
    // server refuses the answers, the form comes back with them in it.
    let current = {
        let form = form.clone();
        use_mut_ref(move || {
            form.items
                .iter()
                .map(|field| field.default.clone().unwrap_or_default())
                .collect::<Vec<String>>()
        })
    };
    if let Some(values) = &form.submitted_values {
        return answers(form, values);
    }
    let onsubmit = {
        let (node, refusals, current, form) = (
            node.clone(),
            refusals.clone(),
            current.clone(),
            form.clone(),
        );
        let (on_submit, t, message, details) = (
            props.on_submit.clone(),
            t.clone(),
            props.message,
            props.details,
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let (values, refused) = read(&node, &form, &t, message, details);
            keep(&current, &values);
            if let Some((index, _)) = refused.first() {
                let first = field(&node, message, *index)
                    .and_then(|element| element.dyn_into::<HtmlElement>().ok());
                if let Some(first) = first {
                    let _ = first.focus();
                }
                refusals.set(refused);
                return;
            }
            refusals.set(Vec::new());
            on_submit.emit(values);
        })
    };
    // After a refusal, each keystroke checks again, so an error goes as
    // soon as the answer is right.
    let oninput = {
        let (node, refusals, current, form, t, message, details) = (
            node.clone(),
            refusals.clone(),
            current.clone(),
            form.clone(),
            t.clone(),
            props.message,
            props.details,
        );
        Callback::from(move |_: InputEvent| {
            let (values, refused) = read(&node, &form, &t, message, details);
            keep(&current, &values);
            if !refusals.is_empty() {
                refusals.set(refused);
            }
        })
    };
    let current = current.borrow();
    html! {
        <form ref={node} class="fc-form" novalidate=true {onsubmit} {oninput}>
            { for form.items.iter().enumerate().map(|(index, field)| {
                let id: AttrValue = field_id(props.message, index).into();
                let label_for = id.clone();
                let error_id = format!("{id}-error");
                let refusal = refusals.iter().find(|(at, _)| *at == index).map(|(_, said)| said.clone());
                let invalid = refusal.as_ref().map(|_| "true");
                let described = refusal.as_ref().map(|_| error_id.clone());
                let value: AttrValue = current.get(index).cloned().unwrap_or_default().into();
                let label = field.label.clone().unwrap_or_else(|| field.name.clone());
                let required = field.is_required().then_some("true");
                let name = field.name.clone();
                let placeholder = field.placeholder.clone();
                let input = match field.kind {
                    FormFieldKind::TextArea => html! {
                        <textarea {id} {name} class="fc-field__input" rows="3" {placeholder} {value}
                            aria-required={required} aria-invalid={invalid} aria-describedby={described} />
                    },
                    FormFieldKind::Select => html! {
                        <select {id} {name} class="fc-field__input"
                            aria-required={required} aria-invalid={invalid} aria-describedby={described}>
                            <option value="" selected={value.is_empty()}>{ t.text("form.choose") }</option>
                            { for field.options.iter().flatten().filter_map(|option| {
                                let submitted = option.submitted()?.to_owned();
                                let shown = option.shown().unwrap_or_default().to_owned();
                                let selected = submitted == value.as_str();
                                Some(html! { <option value={submitted} {selected}>{ shown }</option> })
                            }) }
                        </select>
                    },
                    _ => {
                        // The contact fields' names say what the browser
                        // can fill in.
                        let (kind, autocomplete) = match (&field.kind, field.name.as_str()) {
                            (FormFieldKind::Email, _) => ("email", Some("email")),
                            (_, "phone_number") => ("tel", Some("tel")),
                            (_, "name") => ("text", Some("name")),
                            _ => ("text", None),
                        };
                        html! {
                            <input type={kind} {id} {name} class="fc-field__input" {placeholder} {value}
                                pattern={field.pattern.clone()} title={field.title.clone()} {autocomplete}
                                aria-required={required} aria-invalid={invalid} aria-describedby={described} />
                        }
                    }
                };
                html! {
                    <div class="fc-field">
                        <label class="fc-field__label" for={label_for}>
                            { label }
                            if required.is_some() {
                                <span class="fc-field__required" aria-hidden="true">{ " *" }</span>
                            }
                        </label>
                        { input }
                        if let Some(said) = refusal {
                            <p class="fc-field__error" id={error_id}>{ said }</p>
                        }
                    </div>
                }
            }) }
            <button type="submit" class="fc-form__submit">
                { form.button_label.clone().map_or_else(|| t.text("form.send"), AttrValue::from) }
            </button>
        </form>
    }
}

fn keep(current: &std::cell::RefCell<Vec<String>>, values: &[SubmittedValue]) {
    *current.borrow_mut() = values
        .iter()
        .map(|value| value.value.text().into_owned())
        .collect();
}

/// The answers as the visitor gave them, read-only: a select shows the
/// label of the chosen option.
fn answers(form: &Form, values: &[SubmittedValue]) -> Html {
    html! {
        <dl class="fc-form fc-form--done">
            { for form.items.iter().map(|field| {
                let answer = values
                    .iter()
                    .find(|value| value.name.as_deref() == Some(field.name.as_str()))
                    .map(|value| value.value.text().into_owned())
                    .unwrap_or_default();
                let shown = field
                    .options
                    .iter()
                    .flatten()
                    .find(|option| option.submitted() == Some(answer.as_str()))
                    .and_then(|option| option.shown())
                    .map_or(answer.clone(), ToOwned::to_owned);
                html! {
                    <>
                        <dt>{ field.label.clone().unwrap_or_else(|| field.name.clone()) }</dt>
                        <dd>{ if shown.is_empty() { "—".to_owned() } else { shown } }</dd>
                    </>
                }
            }) }
        </dl>
    }
}

/// Every field's answer, and the refusal of each answer the core's rules
/// (or, for a `pattern`, the browser's) turn down.
fn read(
    node: &NodeRef,
    form: &Form,
    t: &Texts,
    message: MessageId,
    details: bool,
) -> (Vec<SubmittedValue>, Refusals) {
    let data = node
        .cast::<HtmlFormElement>()
        .and_then(|element| FormData::new_with_form(&element).ok());

    let mut values = Vec::new();
    let mut refused = Vec::new();
    for (index, field) in form.items.iter().enumerate() {
        let value = data
            .as_ref()
            .and_then(|data| data.get(&field.name).as_string())
            .unwrap_or_default();
        let check = if details {
            pre_chat_field
        } else {
            form_field_but_pattern
        };
        if let Some(said) = refusal(field, &value, check, t, || {
            self::field(node, message, index)
        }) {
            refused.push((index, said));
        }
        values.push(SubmittedValue::field(field.name.clone(), value));
    }
    (values, refused)
}

fn refusal(
    field: &FormField,
    value: &str,
    check: fn(&FormField, &str) -> Result<(), ValidationError>,
    t: &Texts,
    input: impl FnOnce() -> Option<Element>,
) -> Option<String> {
    if let Err(error) = check(field, value) {
        return Some(match error {
            ValidationError::Required { .. } => t.get("form.required"),
            ValidationError::InvalidEmail { .. } => t.get("form.email"),
            ValidationError::TooLong { max, .. } => {
                t.fill("form.long", &[("max", &max.to_string())])
            }
            ValidationError::NotAChoice { .. } => t.get("form.choice"),
            ValidationError::InvalidPhone { .. } => t.get("form.phone"),
            other => other.to_string(),
        });
    }
    // The browser matches a `pattern` as HTML says (anchored, `v` flag),
    // so the widget carries no regular expression engine.
    let mismatch = field.pattern.is_some()
        && !value.is_empty()
        && input().is_some_and(|input| input.matches(":invalid").unwrap_or(false));
    mismatch.then(|| {
        field
            .pattern_error
            .clone()
            .or_else(|| field.title.clone())
            .unwrap_or_else(|| t.get("form.pattern"))
    })
}

/// The id of field `index` of the form of message `message`.
fn field_id(message: MessageId, index: usize) -> String {
    format!("fc-form{}-{index}", message.0)
}

/// Field `index` of the form of message `message` (looked up in the form,
/// which may be in a shadow root).
fn field(node: &NodeRef, message: MessageId, index: usize) -> Option<Element> {
    node.cast::<Element>()?
        .query_selector(&format!("#{}", field_id(message, index)))
        .ok()
        .flatten()
}
