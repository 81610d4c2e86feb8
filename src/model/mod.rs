//! The data model of `tasks.yaml`: tasks, their types and statuses.
//!
//! These are plain serde types with no I/O. Derived facts (blocked, ready,
//! phase edges, epic membership) are never stored here; `graph` computes them.

pub mod problem;
pub mod workflow;

use chrono::{DateTime, SecondsFormat, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::model::workflow::Workflow;

/// The store format this binary writes and the newest it can read.
pub const FORMAT_VERSION: u32 = 1;

/// The kind of work a task stands for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TaskType {
    Epic,
    Impl,
    Verify,
    Test,
    Task,
    Feature,
    Review,
    Research,
}

impl TaskType {
    pub const ALL: [TaskType; 8] = [
        TaskType::Epic,
        TaskType::Impl,
        TaskType::Verify,
        TaskType::Test,
        TaskType::Task,
        TaskType::Feature,
        TaskType::Review,
        TaskType::Research,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskType::Epic => "epic",
            TaskType::Impl => "impl",
            TaskType::Verify => "verify",
            TaskType::Test => "test",
            TaskType::Task => "task",
            TaskType::Feature => "feature",
            TaskType::Review => "review",
            TaskType::Research => "research",
        }
    }
}

impl TaskType {
    /// The type with its indefinite article, for messages: "an impl task",
    /// "a verify task".
    pub fn with_article(self) -> &'static str {
        match self {
            TaskType::Epic => "an epic",
            TaskType::Impl => "an impl",
            TaskType::Verify => "a verify",
            TaskType::Test => "a test",
            TaskType::Task => "a task",
            TaskType::Feature => "a feature",
            TaskType::Review => "a review",
            TaskType::Research => "a research",
        }
    }
}

impl fmt::Display for TaskType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TaskType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        TaskType::ALL
            .into_iter()
            .find(|t| t.as_str() == lower)
            .ok_or_else(|| {
                format!(
                    "unknown task type `{s}` (expected one of: {})",
                    TaskType::ALL.map(|t| t.as_str()).join(", ")
                )
            })
    }
}

/// A stored status. `blocked` and `ready` are derived, never stored.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[serde(alias = "todo")]
    Pending,
    #[serde(alias = "in-progress")]
    InProgress,
    #[serde(alias = "done")]
    Completed,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Pending,
        Status::InProgress,
        Status::Completed,
        Status::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::InProgress => "in_progress",
            Status::Completed => "completed",
            Status::Cancelled => "cancelled",
        }
    }

    /// Completed or cancelled: nothing more will happen, dependents may go on.
    pub fn is_settled(self) -> bool {
        matches!(self, Status::Completed | Status::Cancelled)
    }

    /// Pending or in progress.
    pub fn is_open(self) -> bool {
        !self.is_settled()
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "pending" | "todo" => Ok(Status::Pending),
            "in_progress" => Ok(Status::InProgress),
            "completed" | "done" => Ok(Status::Completed),
            "cancelled" | "canceled" => Ok(Status::Cancelled),
            _ => Err(format!(
                "unknown status `{s}` (expected one of: pending, in_progress, completed, cancelled; \
                 `todo` and `done` are accepted as aliases)"
            )),
        }
    }
}

/// A record that a status change skipped the rules (`--force`). Ordered
/// by time first (the merge sorts additions chronologically).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Forced {
    /// When the forced transition happened.
    pub at: DateTime<Utc>,
    /// The status the task was forced into.
    pub to: Status,
    /// What rule was skipped, with the tasks involved.
    pub reason: String,
}

/// A timestamped note on a task (`wm tasks note ID TEXT`). Ordered by
/// time first.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// When the note was added.
    pub at: DateTime<Utc>,
    /// What was noted.
    pub text: String,
}

/// The highest priority number (0 is the most urgent, as in beads).
pub const MAX_PRIORITY: u8 = 4;
/// The priority of a task that has none: the middle one.
pub const DEFAULT_PRIORITY: u8 = 2;

/// A task's part inside a phase whose tasks are ordered by role
/// (`order: roles`): tests are written first, then the implementation, then
/// the verification that gates what comes after the phase.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Test,
    Impl,
    Verify,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Test, Role::Impl, Role::Verify];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Test => "test",
            Role::Impl => "impl",
            Role::Verify => "verify",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == lower)
            .ok_or_else(|| format!("unknown role `{s}` (expected one of: test, impl, verify)"))
    }
}

/// One task (or epic) of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// Unique id: 1-64 letters, digits, `-`, `_` or `.` (generated ids are 8
    /// characters of lowercase Crockford base32).
    pub id: String,
    /// What the work is; a `GH#N:` prefix names its issue.
    pub title: String,
    /// The kind of work.
    #[serde(rename = "type")]
    pub kind: TaskType,
    /// Stored status; `blocked` and `ready` are derived, never stored.
    pub status: Status,
    /// 0 (most urgent) to 4 (least); absent means 2. Orders ready work in
    /// `next` and `claim` after readiness and phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u8>,
    /// The workflow phase (default workflow: analysis, backup, impl, config,
    /// staging, rollback, docs). Epics have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// The task's part in a role-ordered phase (test -> impl -> verify),
    /// decided when it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// On an epic: the workflow its issue follows, when chosen explicitly
    /// (`--workflow`, `plan --template`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<String>,
    /// The GitHub issue number the task belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<u64>,
    /// The id of the epic the task belongs to, when not its issue's epic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Ids of tasks this one waits for (besides the phase-derived ones).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// Free-form labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// Who works on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// Longer text: context, acceptance criteria.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// How long the work is expected to take, e.g. `2h`, `3d`, `1d4h`
    /// (see [`parse_estimate`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<String>,
    /// Shas of commits that did the work.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commits: Vec<String>,
    /// RFC 3339 UTC.
    pub created_at: DateTime<Utc>,
    /// RFC 3339 UTC.
    pub updated_at: DateTime<Utc>,
    /// When the task was completed or cancelled (RFC 3339 UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<DateTime<Utc>>,
    /// Why the task was closed (`done --reason`, `cancel --reason`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Transitions forced past a rule with `--force`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forced: Vec<Forced>,
    /// Timestamped notes (`wm tasks note`), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
}

impl Task {
    /// A new pending task with the given id, title and type, created `now`.
    pub fn new(id: String, title: String, kind: TaskType, now: DateTime<Utc>) -> Task {
        Task {
            id,
            title,
            kind,
            status: Status::Pending,
            priority: None,
            phase: None,
            role: None,
            workflow: None,
            issue: None,
            parent: None,
            depends_on: Vec::new(),
            labels: Vec::new(),
            assignee: None,
            description: None,
            estimate: None,
            commits: Vec::new(),
            created_at: now,
            updated_at: now,
            closed_at: None,
            reason: None,
            forced: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The priority, 2 when none is set.
    pub fn priority_or_default(&self) -> u8 {
        self.priority.unwrap_or(DEFAULT_PRIORITY)
    }

    pub fn is_epic(&self) -> bool {
        self.kind == TaskType::Epic
    }

    /// The issue number a `GH#N:` title prefix names, if any.
    pub fn title_issue(&self) -> Option<u64> {
        title_issue(&self.title)
    }
}

/// The issue number named by a `GH#N` prefix at the start of a title.
pub fn title_issue(title: &str) -> Option<u64> {
    let rest = title.trim_start().strip_prefix("GH#")?;
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// The title without its `GH#N:` prefix, for phase inference and display.
pub fn title_without_issue(title: &str) -> &str {
    let t = title.trim_start();
    if let Some(rest) = t.strip_prefix("GH#") {
        let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
        return rest.trim_start_matches([':', ' ', '-']).trim_start();
    }
    t
}

/// Minutes in one unit of an estimate. A day is a working day (8h) and a
/// week a working week (5d), as people estimate work.
const ESTIMATE_UNITS: [(char, u64); 4] = [('w', 5 * 8 * 60), ('d', 8 * 60), ('h', 60), ('m', 1)];

/// Parse a duration estimate such as `2h`, `3d`, `1d4h` or `90m` into
/// minutes. Units: `w` (5 working days), `d` (8 hours), `h`, `m`. Zero is
/// allowed (`0h`: known to be trivial).
pub fn parse_estimate(s: &str) -> Result<u64, String> {
    let bad = || {
        format!(
            "bad estimate `{s}`: use a number with a unit, like 30m, 2h, 3d or 1w (combinations like 1d4h are fine)"
        )
    };
    let t = s.trim().to_ascii_lowercase();
    if t.is_empty() {
        return Err(bad());
    }
    let mut total: u64 = 0;
    let mut num = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            num.push(c);
        } else if c == ' ' {
            continue;
        } else {
            let unit = ESTIMATE_UNITS
                .iter()
                .find(|(u, _)| *u == c)
                .map(|(_, m)| *m)
                .ok_or_else(bad)?;
            if num.is_empty() {
                return Err(bad());
            }
            let n: u64 = num.parse().map_err(|_| bad())?;
            total = n
                .checked_mul(unit)
                .and_then(|x| total.checked_add(x))
                .ok_or_else(bad)?;
            num.clear();
        }
    }
    if !num.is_empty() {
        return Err(bad());
    }
    Ok(total)
}

/// Minutes as the shortest estimate text (`480` -> `1d`, `570` -> `1d1h30m`).
pub fn format_estimate(minutes: u64) -> String {
    if minutes == 0 {
        return "0h".into();
    }
    let mut rest = minutes;
    let mut out = String::new();
    for (u, m) in ESTIMATE_UNITS {
        if rest >= m {
            out.push_str(&format!("{}{u}", rest / m));
            rest %= m;
        }
    }
    out
}

/// The whole content of `tasks.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StoreFile {
    /// The format version (this wm writes and reads version 1).
    pub version: u32,
    /// Where `wm tasks scan` stopped reading the history; absent until the
    /// first scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan: Option<ScanState>,
    /// A custom workflow; absent means the planning template's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<Workflow>,
    /// The epics and tasks.
    #[serde(default)]
    pub tasks: Vec<Task>,
}

/// The JSON Schema of `tasks.yaml`, generated from these types, for
/// editors (`# yaml-language-server: $schema=...`) and validators.
pub fn json_schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(StoreFile);
    schema.insert("title".into(), "wm tasks.yaml".into());
    schema.insert(
        "description".into(),
        "A wm task store: epics and tasks tied to GitHub issues, forming a dependency graph."
            .into(),
    );
    let mut value = schema.to_value();
    // The parser also accepts serde's aliases of statuses; so must the schema.
    if let Some(serde_json::Value::Array(names)) = value.pointer_mut("/$defs/Status/enum") {
        names.extend(["todo", "in-progress", "done"].map(serde_json::Value::from));
    }
    value
}

/// The bookmark of incremental scans: the commit a scan of everything
/// reachable from HEAD last stopped at. One line in the file, near the top
/// and away from the task blocks, so a merge conflict on it is one small
/// hunk; either side is a correct resolution (scans are idempotent: the
/// older bookmark only makes the next scan re-read a few commits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanState {
    /// Full sha of the commit HEAD pointed to when the scan ran.
    pub head: String,
}

impl Default for StoreFile {
    fn default() -> Self {
        StoreFile {
            version: FORMAT_VERSION,
            scan: None,
            workflow: None,
            tasks: Vec::new(),
        }
    }
}

/// RFC 3339 UTC with only as many fractional digits as the value needs.
pub fn format_time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// `now` truncated to milliseconds: enough to order tasks created by a
/// script, short enough to read.
pub fn now_millis() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
}

/// The alphabet of generated ids: lowercase Crockford base32 (no i, l, o, u),
/// so ids are easy to read aloud and type.
const ID_ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// Generated ids are this long: about 39 random bits, so two clones creating
/// a thousand tasks each collide with odds of about one in a million.
pub const ID_LEN: usize = 8;

/// A fresh random id. Random rather than counted, so that two branches or
/// clones never hand out the same id without sharing any state.
pub fn random_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; ID_LEN];
    getrandom::fill(&mut bytes)?;
    // The first character is a letter, so an id never looks like a number
    // (to YAML or to a person).
    Ok(bytes
        .iter()
        .enumerate()
        .map(|(k, b)| {
            if k == 0 {
                ID_ALPHABET[10 + (*b as usize % 22)] as char
            } else {
                ID_ALPHABET[(*b & 31) as usize] as char
            }
        })
        .collect())
}

/// Whether `id` is acceptable as a task id (generated or hand-written).
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_issue_prefix() {
        assert_eq!(title_issue("GH#42: Network hardening"), Some(42));
        assert_eq!(title_issue("Network hardening"), None);
        assert_eq!(title_issue("GH#: x"), None);
        assert_eq!(
            title_without_issue("GH#42: Analyze current infrastructure"),
            "Analyze current infrastructure"
        );
    }

    #[test]
    fn random_ids_are_valid_and_distinct() {
        let a = random_id().unwrap();
        let b = random_id().unwrap();
        assert_eq!(a.len(), ID_LEN);
        assert!(valid_id(&a));
        assert_ne!(a, b);
    }

    #[test]
    fn estimates_parse_and_format() {
        assert_eq!(parse_estimate("2h"), Ok(120));
        assert_eq!(parse_estimate("3d"), Ok(3 * 480));
        assert_eq!(parse_estimate("1d4h"), Ok(480 + 240));
        assert_eq!(parse_estimate(" 1W "), Ok(2400));
        assert_eq!(parse_estimate("0h"), Ok(0));
        for bad in ["", "2", "h", "2x", "2h3", "-1h", "99999999999999999999w"] {
            assert!(parse_estimate(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(format_estimate(120), "2h");
        assert_eq!(format_estimate(570), "1d1h30m");
        assert_eq!(format_estimate(2400 + 480), "1w1d");
        assert_eq!(format_estimate(0), "0h");
    }

    #[test]
    fn status_aliases() {
        assert_eq!("todo".parse::<Status>(), Ok(Status::Pending));
        assert_eq!("done".parse::<Status>(), Ok(Status::Completed));
        assert_eq!("in-progress".parse::<Status>(), Ok(Status::InProgress));
        assert!("blocked".parse::<Status>().is_err());
    }
}
