//! The window's words: one catalog per language in `www/widget/locales/`,
//! a flat JSON object of keys to texts with `{name}` holes, plus `dir`.
//! English is built in; another language is fetched from the server when
//! it is chosen, over English, so a key it lacks still reads. Times go
//! through the browser's `Intl`, in the chosen language.

use std::rc::Rc;

use ferrochat_core::chatwoot::PublicInbox;
use js_sys::{Array, Intl, JSON, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use yew::AttrValue;

/// The languages with a catalog, English first.
pub(crate) const LANGUAGES: [&str; 6] = ["en", "ar", "de", "es", "fr", "pt"];

const ENGLISH: &str = include_str!("../../www/widget/locales/en.json");

/// One language's texts; cheap to clone, equal when they are the same
/// catalog (so a change of language re-renders what reads them).
///
/// The catalog stays a JavaScript object, parsed by the browser: a JSON
/// reader and a map in the wasm would weigh more than every text.
#[derive(Clone, Debug)]
pub(crate) struct Texts(Rc<Catalog>);

#[derive(Debug)]
struct Catalog {
    lang: &'static str,
    words: Object,
    time: Intl::DateTimeFormat,
}

impl PartialEq for Texts {
    fn eq(&self, other: &Texts) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

thread_local! {
    static BUILT_IN: Texts = Texts::new("en", &JsValue::NULL);
}

impl Texts {
    /// The built-in English catalog.
    pub(crate) fn english() -> Texts {
        BUILT_IN.with(Clone::clone)
    }

    /// The catalog `words` (a parsed JSON object) over English.
    fn new(lang: &'static str, words: &JsValue) -> Texts {
        let all = Object::new();
        if let Ok(english) = JSON::parse(ENGLISH) {
            Object::assign(&all, english.unchecked_ref());
        }
        if words.is_object() {
            Object::assign(&all, words.unchecked_ref());
        }
        let options = Object::new();
        let _ = Reflect::set(&options, &"timeStyle".into(), &"short".into());
        let time = Intl::DateTimeFormat::new(&Array::of1(&lang.into()), &options);
        Texts(Rc::new(Catalog {
            lang,
            words: all,
            time,
        }))
    }

    /// The language's tag, for `lang`.
    pub(crate) fn lang(&self) -> &'static str {
        self.0.lang
    }

    /// `"rtl"` or `"ltr"`, for `dir`.
    pub(crate) fn dir(&self) -> &'static str {
        if self.get("dir") == "rtl" {
            "rtl"
        } else {
            "ltr"
        }
    }

    /// The text for `key`; the key itself if no catalog has it.
    pub(crate) fn get(&self, key: &str) -> String {
        Reflect::get(&self.0.words, &key.into())
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_else(|| key.to_owned())
    }

    /// [`Texts::get`] as an attribute or text node's value.
    pub(crate) fn text(&self, key: &str) -> AttrValue {
        self.get(key).into()
    }

    /// The text for `key` with each `{name}` hole filled.
    #[inline(never)]
    pub(crate) fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        let mut text = self.get(key);
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// A message's time of day (Unix seconds), as the language writes it.
    #[inline(never)]
    pub(crate) fn time(&self, unix_seconds: i64) -> String {
        // Exact: seconds since 1970 stay far below 2^53.
        #[allow(clippy::cast_precision_loss)]
        let date = js_sys::Date::new(&JsValue::from_f64(unix_seconds as f64 * 1000.0));
        self.0
            .time
            .format()
            .call1(&JsValue::NULL, &date)
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_default()
    }
}

/// The line under the header about the inbox's hours: `(away, text)`.
/// Away, when it opens again, as the language says it ("in 3 hours",
/// "tomorrow"); open, how soon it typically replies, if the inbox says.
pub(crate) fn availability(t: &Texts, inbox: &PublicInbox) -> Option<(bool, String)> {
    // A timezone the browser does not know: better open than wrongly away.
    let wait = minute_of_week(&inbox.timezone).map_or(Some(0), |now| inbox.minutes_until_open(now));
    // The inbox's own away message, when it has one.
    let away = inbox
        .extra
        .get("out_of_office_message")
        .and_then(|message| message.as_str())
        .filter(|message| !message.trim().is_empty());
    match wait {
        Some(1..) | None if away.is_some() => away.map(|message| (true, message.to_owned())),
        Some(0) => {
            let reply = inbox.extra.get("reply_time")?.as_str()?;
            let key = format!("reply.{reply}");
            let text = t.get(&key);
            (text != key).then_some((false, text))
        }
        Some(minutes) => {
            let (value, unit) = match minutes {
                0..60 => (minutes, "minute"),
                60..2880 => (minutes.div_ceil(60), "hour"),
                _ => (minutes.div_ceil(1440), "day"),
            };
            let options = Object::new();
            let _ = Reflect::set(&options, &"numeric".into(), &"auto".into());
            let when = Intl::RelativeTimeFormat::new(&Array::of1(&t.lang().into()), &options)
                .format(f64::from(value), unit);
            Some((true, t.fill("away", &[("when", &String::from(when))])))
        }
        None => Some((true, t.get("away.later"))),
    }
}

/// Minutes since Sunday 00:00 in `time_zone`, now; `None` if the browser
/// does not know the zone.
fn minute_of_week(time_zone: &str) -> Option<u32> {
    let options = Object::new();
    for (key, value) in [
        ("timeZone", time_zone),
        ("weekday", "short"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
        ("hourCycle", "h23"),
    ] {
        let _ = Reflect::set(&options, &key.into(), &value.into());
    }
    // Through `call`, which catches: an unknown zone throws.
    let now = js_sys::Date::new_0();
    let format = Reflect::get(&now, &"toLocaleString".into()).ok()?;
    let text = format
        .dyn_into::<js_sys::Function>()
        .ok()?
        .call2(&now, &"en-US".into(), &options)
        .ok()?
        .as_string()?;
    // "Mon 14:05"
    let day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        .iter()
        .position(|day| text.starts_with(day))?;
    let mut numbers = text
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|part| part.parse::<u32>().ok());
    let (hour, minute) = (numbers.next()?, numbers.next()?);
    Some((u32::try_from(day).ok()? * 24 + hour % 24) * 60 + minute)
}

/// The catalog's language for a requested locale: `"auto"` (or nothing)
/// follows the browser's languages in order; `pt-BR` reads as `pt`; a
/// language without a catalog falls back to English.
pub(crate) fn pick(requested: &str) -> &'static str {
    let known = |tag: &str| {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        LANGUAGES
            .into_iter()
            .find(|lang| primary.eq_ignore_ascii_case(lang))
    };
    if !requested.is_empty() && requested != "auto" {
        return known(requested).unwrap_or("en");
    }
    let languages = web_sys::window().map(|window| window.navigator().languages());
    languages
        .iter()
        .flat_map(js_sys::Array::iter)
        .filter_map(|tag| tag.as_string())
        .find_map(|tag| known(&tag))
        .unwrap_or("en")
}

/// The catalog of `lang` from the server at `base`; `None` if it cannot be
/// had (the window stays in its language).
pub(crate) async fn load(base: &str, lang: &'static str) -> Option<Texts> {
    if lang == "en" {
        return Some(Texts::english());
    }
    let response = gloo_net::http::Request::get(&format!("{base}/widget/locales/{lang}.json"))
        .send()
        .await
        .ok()
        .filter(gloo_net::http::Response::ok)?;
    let words = JSON::parse(&response.text().await.ok()?).ok()?;
    Some(Texts::new(lang, &words))
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::{ENGLISH, LANGUAGES, Texts, pick};
    use ferrochat_core::Map;

    const CATALOGS: [(&str, &str); 6] = [
        ("en", ENGLISH),
        ("ar", include_str!("../../www/widget/locales/ar.json")),
        ("de", include_str!("../../www/widget/locales/de.json")),
        ("es", include_str!("../../www/widget/locales/es.json")),
        ("fr", include_str!("../../www/widget/locales/fr.json")),
        ("pt", include_str!("../../www/widget/locales/pt.json")),
    ];

    /// The `{name}` holes of a text, in order.
    fn holes(text: &str) -> Vec<&str> {
        text.split('{')
            .skip(1)
            .filter_map(|part| part.split_once('}').map(|(name, _)| name))
            .collect()
    }

    #[test]
    fn every_catalog_has_every_key_with_the_same_holes() {
        let english: Map = serde_json::from_str(ENGLISH).unwrap();
        for (lang, text) in CATALOGS {
            assert!(LANGUAGES.contains(&lang));
            let catalog: Map = serde_json::from_str(text).unwrap();
            let mut keys: Vec<_> = catalog.keys().collect();
            let mut want: Vec<_> = english.keys().collect();
            keys.sort_unstable();
            want.sort_unstable();
            assert_eq!(keys, want, "{lang}'s keys");
            for (key, value) in &catalog {
                let value = value.as_str().unwrap();
                assert!(!value.trim().is_empty(), "{lang}: {key} is empty");
                let mut want = holes(english[key].as_str().unwrap());
                let mut have = holes(value);
                want.sort_unstable();
                have.sort_unstable();
                assert_eq!(have, want, "{lang}: {key}'s holes");
            }
        }
        assert_eq!(CATALOGS.len(), LANGUAGES.len());
    }

    #[test]
    fn locales_resolve_to_a_catalog() {
        assert_eq!(pick("ar"), "ar");
        assert_eq!(pick("pt-BR"), "pt");
        assert_eq!(pick("FR_ca"), "fr");
        assert_eq!(pick("tlh"), "en");
        assert!(LANGUAGES.contains(&pick("auto")));
    }

    #[test]
    fn texts_fill_their_holes_and_fall_back_to_the_key() {
        let texts = Texts::english();
        assert_eq!(
            texts.fill("survey.option", &[("name", "Good"), ("value", "4")]),
            "Good (4 of 5)"
        );
        assert_eq!(texts.get("no.such.key"), "no.such.key");
        assert_eq!(texts.dir(), "ltr");
        assert_eq!(texts, Texts::english());
        let arabic = Texts::new("ar", &js_sys::JSON::parse(CATALOGS[1].1).unwrap());
        assert_eq!(arabic.dir(), "rtl");
        assert_eq!(arabic.lang(), "ar");
        assert_ne!(arabic, texts);
        assert!(!arabic.time(0).is_empty());
    }
}
