//! The chat search body: every accepted parameter and operator, and each
//! kind of mistake refused with its own status code.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use ferrochat_core::imi::{
    Condition, FilterParam, FilterValue, Operator, SEARCH_MAX_CONDITIONS, SearchRequest, StatusCode,
};
use serde_json::{Value, json};

fn code_of(body: &str) -> u32 {
    match SearchRequest::parse(body.as_bytes()) {
        Ok(search) => panic!("{body} was accepted as {search:?}"),
        Err(error) => error.code.code(),
    }
}

fn one(param: &str, operator: &str, value: Value) -> String {
    json!({"conditions": [{"param": param, "operator": operator, "value": value}]}).to_string()
}

/// Seed 004's table of parameters and operators, as the seed gives it.
const SEED_004: [(&str, &[&str]); 15] = [
    ("status", &["eq", "not_eq"]),
    ("created_at", &["eq", "lt", "gt", "lte", "gte"]),
    ("updated_at", &["eq", "lt", "gt", "lte", "gte"]),
    ("channel", &["eq"]),
    ("tag", &["eq"]),
    ("assignee", &["eq"]),
    ("facebook_psid", &["eq"]),
    ("twitter_id", &["eq"]),
    ("email_id", &["eq"]),
    ("mobile", &["eq"]),
    ("livechat_id", &["eq"]),
    ("abc_user_id", &["eq"]),
    ("whatsapp_mobile_number", &["eq"]),
    ("intent", &["eq"]),
    ("group", &["eq"]),
];

#[test]
fn every_parameter_takes_exactly_its_operators() {
    let all = ["eq", "not_eq", "lt", "gt", "lte", "gte"];
    assert_eq!(FilterParam::ALL.len(), SEED_004.len());
    for (name, seed_operators) in SEED_004 {
        let param = FilterParam::from_name(name).unwrap_or_else(|| panic!("{name} is unknown"));
        let value = match param {
            FilterParam::Status => json!("queued"),
            FilterParam::CreatedAt | FilterParam::UpdatedAt => json!("2024-11-01T00:00:00.000Z"),
            FilterParam::Channel => json!("livechat"),
            _ => json!("x-1"),
        };
        for operator in all {
            let allowed = seed_operators.contains(&operator);
            let result = SearchRequest::parse(one(name, operator, value.clone()).as_bytes());
            match (allowed, result) {
                (true, Ok(search)) => {
                    assert_eq!(search.conditions[0].param, param);
                    assert_eq!(search.conditions[0].operator.as_str(), operator);
                }
                (false, Err(error)) => assert_eq!(
                    error.code,
                    StatusCode::InvalidOperator,
                    "{param:?} {operator}"
                ),
                (allowed, result) => {
                    panic!("{param:?} {operator}: allowed={allowed}, got {result:?}")
                }
            }
        }
    }
}

#[test]
fn values_are_typed_by_parameter() {
    let search = SearchRequest::parse(
        br#"{"condition":"or","conditions":[
            {"param":"status","operator":"not_eq","value":"closed"},
            {"param":"updated_at","operator":"lt","value":"2024-11-01T00:00:00Z"},
            {"param":"mobile","operator":"eq","value":919999999999}]}"#,
    )
    .unwrap();
    assert_eq!(search.condition, Condition::Or);
    assert!(matches!(search.conditions[0].value, FilterValue::Status(_)));
    assert!(
        matches!(search.conditions[1].value, FilterValue::Time(t) if t.to_string() == "2024-11-01T00:00:00.000Z")
    );
    assert_eq!(
        search.conditions[2].value,
        FilterValue::Text("919999999999".into())
    );
    assert_eq!(search.conditions[1].operator, Operator::Lt);
}

#[test]
fn a_missing_body_is_3114_and_a_non_object_3115() {
    assert_eq!(code_of(""), 3114);
    assert_eq!(code_of("  \n"), 3114);
    assert_eq!(code_of("{not json"), 3115);
    assert_eq!(code_of("[1, 2]"), 3115);
    assert_eq!(code_of("\"status\""), 3115);
}

#[test]
fn a_body_not_of_the_documented_shape_is_3451() {
    assert_eq!(code_of("{}"), 3451);
    assert_eq!(code_of(r#"{"conditions": []}"#), 3451);
    assert_eq!(code_of(r#"{"conditions": {"param": "status"}}"#), 3451);
    assert_eq!(code_of(r#"{"conditions": ["status eq queued"]}"#), 3451);
    assert_eq!(
        code_of(r#"{"conditions": [{"param": "status", "operator": "eq"}]}"#),
        3451
    );
    assert_eq!(
        code_of(r#"{"conditions": [{"param": 7, "operator": "eq", "value": "x"}]}"#),
        3451
    );
}

#[test]
fn an_unknown_parameter_is_3445_and_names_it() {
    let error = SearchRequest::parse(one("mood", "eq", json!("happy")).as_bytes()).unwrap_err();
    assert_eq!(error.code.code(), 3445);
    assert_eq!(
        error.description,
        "Provided filtration parameter: mood is not valid"
    );
}

#[test]
fn a_wrong_operator_is_3446() {
    assert_eq!(code_of(&one("status", "gt", json!("queued"))), 3446);
    assert_eq!(code_of(&one("channel", "not_eq", json!("sms"))), 3446);
    assert_eq!(code_of(&one("created_at", "like", json!("2024"))), 3446);
}

#[test]
fn a_condition_other_than_and_or_is_3447() {
    assert_eq!(code_of(&json!({"condition": "XOR", "conditions": [{"param": "tag", "operator": "eq", "value": "a"}]}).to_string()), 3447);
    assert_eq!(code_of(&json!({"condition": 1, "conditions": [{"param": "tag", "operator": "eq", "value": "a"}]}).to_string()), 3447);
}

#[test]
fn a_value_the_parameter_cannot_take_is_4303() {
    let error = SearchRequest::parse(one("status", "eq", json!("open")).as_bytes()).unwrap_err();
    assert_eq!(error.code.code(), 4303);
    assert_eq!(
        error.description,
        "Invalid input value:'open' provided for filtration parameter:'status'"
    );
    assert_eq!(code_of(&one("created_at", "gte", json!("yesterday"))), 4303);
    assert_eq!(code_of(&one("channel", "eq", json!("pigeon"))), 4303);
    assert_eq!(code_of(&one("tag", "eq", json!(""))), 4303);
    assert_eq!(code_of(&one("assignee", "eq", json!(true))), 4303);
    assert_eq!(code_of(&one("livechat_id", "eq", json!(null))), 4303);
}

#[test]
fn conditions_are_capped() {
    let condition = json!({"param": "tag", "operator": "eq", "value": "a"});
    let at_max = json!({"conditions": vec![condition.clone(); SEARCH_MAX_CONDITIONS]}).to_string();
    assert_eq!(
        SearchRequest::parse(at_max.as_bytes())
            .unwrap()
            .conditions
            .len(),
        SEARCH_MAX_CONDITIONS
    );
    let over = json!({"conditions": vec![condition; SEARCH_MAX_CONDITIONS + 1]}).to_string();
    assert_eq!(code_of(&over), 3451);
}
