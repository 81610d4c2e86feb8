//! The core store, DAG and CLI, driven through the real binary.

mod common;
use common::Env;

#[test]
fn seed_workflow_verbatim_yields_the_template_graph() {
    let env = Env::new();
    let s = env.seed_plan(42);
    let doc = env.json(&["tasks", "list", "--issue=42", "--json"]);
    let tasks = doc["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 8);
    let deps = |id: &str| -> Vec<String> {
        let t = tasks.iter().find(|t| t["id"] == id).unwrap();
        t["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(deps(&s.analysis).is_empty());
    assert_eq!(deps(&s.backup), vec![s.analysis.clone()]);
    assert_eq!(deps(&s.implement), vec![s.backup.clone()]);
    assert_eq!(deps(&s.config), vec![s.implement.clone()]);
    assert_eq!(deps(&s.staging), vec![s.config.clone()]);
    assert_eq!(deps(&s.rollback), vec![s.staging.clone()]);
    assert_eq!(deps(&s.docs), vec![s.staging.clone()]);
}
