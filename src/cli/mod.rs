//! The command line: clap definitions and one module per command (args
//! struct + `run`). This is the only layer that prints, reads environment
//! variables or decides exit codes.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use wm::error::{Error, ErrorClass};
use wm::graph::plan::Plan;
use wm::ops::{Op, Outcome};
use wm::store::{self, Loaded, Location};

pub use git_util::git_default_issue;

mod actions;
mod blocked;
mod cancel;
mod check;
mod claim;
mod command_error;
mod complete;
mod completions;
mod create;
mod critical_path;
mod delete;
mod dep;
mod done;
mod export;
mod git_util;
mod graph;
mod hook;
mod import;
mod init;
mod link;
mod list;
mod log;
mod man;
mod merge_driver;
mod move_task;
mod next;
mod note;
mod onboard;
mod order;
mod plan;
mod ready;
mod reopen;
mod scan;
mod schema;
mod search;
mod show;
mod start;
mod templates;
mod transition;
mod update;
mod waves;
mod why;
mod workflows;

/// wm: plan and track infrastructure work as a dependency graph in tasks.yaml.
#[derive(Debug, Parser)]
#[command(name = "wm", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: TopCommand,
}

/// Flags every command accepts.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// The store to use (default: $WM_TASKS_FILE when set and not empty,
    /// else the nearest tasks.yaml up to the repository root).
    #[arg(long, global = true, value_name = "PATH")]
    pub file: Option<PathBuf>,

    /// Silence notes on stderr (errors are still printed); --silent is the
    /// same.
    #[arg(long, short, global = true, visible_alias = "silent")]
    pub quiet: bool,

    /// When to colour output; `auto` colours a terminal unless NO_COLOR is set.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Seconds a write waits for another process's lock before exit 6.
    #[arg(long, global = true, default_value_t = 5.0, value_name = "SECS")]
    pub lock_timeout: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

// Parsed once per run: the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum TopCommand {
    /// Plan and track tasks in tasks.yaml.
    #[command(subcommand)]
    Tasks(TasksCommand),
    Completions(completions::CompletionsArgs),
    Man(man::ManArgs),
}

// Each subcommand's arguments are built only when it runs (or help,
// completion or the man page asks for them): building all 45 at every
// start was most of the time a command took before it began its work.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum TasksCommand {
    Init(init::InitArgs),
    Create(create::CreateArgs),
    Plan(plan::PlanArgs),
    Templates(templates::TemplatesArgs),
    Workflows(workflows::WorkflowsArgs),
    Import(import::ImportArgs),
    Export(export::ExportArgs),
    #[command(visible_alias = "ls")]
    List(list::ListArgs),
    Search(search::SearchArgs),
    Show(show::ShowArgs),
    Note(note::NoteArgs),
    Ready(ready::ReadyArgs),
    Blocked(blocked::BlockedArgs),
    Next(next::NextArgs),
    Claim(claim::ClaimArgs),
    Update(update::UpdateArgs),
    Start(start::StartArgs),
    #[command(visible_alias = "close")]
    Done(done::DoneArgs),
    Reopen(reopen::ReopenArgs),
    Cancel(cancel::CancelArgs),
    #[command(visible_alias = "rm")]
    Delete(delete::DeleteArgs),
    Move(move_task::MoveArgs),
    #[command(subcommand)]
    Dep(dep::DepCommand),
    Graph(graph::GraphArgs),
    Order(order::OrderArgs),
    Waves(waves::WavesArgs),
    CriticalPath(critical_path::CriticalPathArgs),
    Why(why::WhyArgs),
    Check(check::CheckArgs),
    Link(link::LinkArgs),
    Scan(scan::ScanArgs),
    Log(log::LogArgs),
    #[command(subcommand)]
    Hook(hook::HookCommand),
    MergeDriver(merge_driver::MergeDriverArgs),
    Schema(schema::SchemaArgs),
    Onboard(onboard::OnboardArgs),
}

/// How read commands print their results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for people.
    Table,
    /// The documented JSON contract.
    Json,
    /// One id per line, for pipes.
    Ids,
}

/// `--json` and `--format`, shared by read commands.
#[derive(Debug, Args, Clone, Copy)]
pub struct OutputArgs {
    /// Print JSON (same as --format json).
    #[arg(long)]
    pub json: bool,
    /// Output format.
    #[arg(long, value_enum, conflicts_with = "json")]
    pub format: Option<Format>,
    /// Fit the table to COLS columns, cutting titles if need be (default:
    /// the terminal's width; piped output is never cut).
    #[arg(long, value_name = "COLS", value_parser = clap::value_parser!(u16).range(1..))]
    pub width: Option<u16>,
}

impl OutputArgs {
    /// How to draw a table: fitted to --width, else to the terminal (or
    /// $COLUMNS); cut only on a terminal or when --width asks.
    pub fn table_style(&self, ctx: &Ctx) -> wm::render::table::Style {
        wm::render::table::Style {
            color: ctx.color,
            width: self.width.or(ctx.width).map(usize::from),
            truncate: ctx.tty || self.width.is_some(),
        }
    }

    pub fn format(&self) -> Format {
        if self.json {
            Format::Json
        } else {
            self.format.unwrap_or(Format::Table)
        }
    }
}

/// A command's failure: a core error, or stdout going away.
#[derive(Debug)]
pub enum CliError {
    Core(Error),
    /// stdout was closed (`wm tasks list | head -1`): stop quietly.
    BrokenPipe,
    Io(std::io::Error),
    /// The command printed its own verdict; exit with this class's code
    /// and no further message (`check` finding errors).
    Exit(ErrorClass),
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::Core(e)
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            CliError::BrokenPipe
        } else {
            CliError::Io(e)
        }
    }
}

pub type CliResult<T = ()> = Result<T, CliError>;

pub use command_error::exit_code;

/// What every command gets: global settings resolved from flags and the
/// environment.
pub struct Ctx {
    pub file: Option<PathBuf>,
    pub cwd: PathBuf,
    pub quiet: bool,
    /// Colour stdout.
    pub color: bool,
    /// stdout is a terminal.
    pub tty: bool,
    pub width: Option<u16>,
    pub lock_timeout: Duration,
}

impl Ctx {
    fn new(g: &GlobalArgs) -> CliResult<Ctx> {
        let tty = std::io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match g.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color,
        };
        // $COLUMNS wins (set by the user, or exported by the shell), else
        // the terminal's own size.
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse().ok())
            .filter(|&w: &u16| w > 0)
            .or_else(|| {
                if tty {
                    comfy_table::Table::new().width()
                } else {
                    None
                }
            })
            .filter(|&w| w > 0);
        if !(g.lock_timeout.is_finite() && g.lock_timeout >= 0.0) {
            return Err(Error::Usage(
                "--lock-timeout must be a number of seconds, 0 or more".into(),
            )
            .into());
        }
        Ok(Ctx {
            // Read here rather than by clap, which refuses an empty
            // variable ("a value is required for '--file'"): empty means unset.
            file: g
                .file
                .clone()
                .or_else(|| std::env::var_os("WM_TASKS_FILE").map(PathBuf::from))
                .filter(|p| !p.as_os_str().is_empty()),
            cwd: std::env::current_dir()?,
            quiet: g.quiet,
            color,
            tty,
            width,
            lock_timeout: Duration::from_secs_f64(g.lock_timeout.min(86_400.0)),
        })
    }

    pub fn location(&self) -> Location {
        store::locate(self.file.as_deref(), &self.cwd)
    }

    /// The store's location, or an error saying where none was found.
    pub fn existing_location(&self) -> CliResult<Location> {
        let loc = self.location();
        if loc.exists {
            Ok(loc)
        } else {
            Err(self.no_store(loc))
        }
    }

    fn no_store(&self, loc: Location) -> CliError {
        // A file named explicitly that is not there: say so, rather than
        // "no tasks.yaml found in nope.yaml or its parents".
        if let Some(f) = &self.file
            && !f.is_dir()
        {
            return Error::NoFile { path: f.clone() }.into();
        }
        Error::NoStore {
            searched: if self.file.is_some() {
                loc.path
            } else {
                self.cwd.clone()
            },
        }
        .into()
    }

    /// Load the store for reading; warn on stderr about its problems.
    pub fn load(&self) -> CliResult<Kept<Loaded>> {
        let loc = self.existing_location()?;
        let cache = cache_file(&loc.path);
        // Huge pages only to parse a big store: restoring its snapshot
        // touches little memory and is as fast without them.
        let loaded = store::load_cached_or(&loc.path, cache.as_deref(), || {
            crate::memory::for_store(&loc.path)
        })?;
        Ok(Kept(std::mem::ManuallyDrop::new(loaded)))
    }

    /// Load for a command that needs a valid graph: refuse (exit 5) if not.
    pub fn load_valid(&self) -> CliResult<Kept<Loaded>> {
        let loaded = self.load()?;
        loaded.require_valid()?;
        Ok(loaded)
    }

    /// Warn about the store's errors (for commands that work regardless).
    pub fn warn_problems(&self, loaded: &Loaded) {
        let errors = loaded.errors();
        if errors.is_empty() {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "warning: {} is invalid ({} error{}); repair it with `dep rm`, `update` or `delete`:",
            loaded.path().display(),
            errors.len(),
            if errors.len() == 1 { "" } else { "s" }
        );
        for p in errors {
            let _ = writeln!(
                err,
                "  {}",
                wm::render::escape(&command_error::problem_line(&p))
            );
        }
    }

    /// A note for people, on stderr, unless --quiet.
    pub fn note(&self, msg: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr().lock(), "{msg}");
        }
    }

    /// The one write path: lock, load, build ops from what was loaded,
    /// apply them all-or-nothing, write atomically. `create` allows a store
    /// that does not exist yet. `valid` refuses a store with errors.
    pub fn write<F>(&self, create: bool, valid: bool, build: F) -> CliResult<(Plan, Vec<Outcome>)>
    where
        F: FnMut(&Loaded) -> CliResult<Vec<Op>>,
    {
        let loc = self.location();
        if !loc.exists && !create {
            return Err(self.no_store(loc));
        }
        // A write to a big store allocates its whole new text and snapshot:
        // huge pages make that cheaper.
        crate::memory::for_store(&loc.path);
        let opts = store::WriteOptions {
            create,
            require_valid: valid,
            lock_timeout: self.lock_timeout,
            snapshot: cache_file(&loc.path),
            now: None,
        };
        let done = store::write(&loc.path, &opts, build)?;
        if done.created {
            self.note(&format!("created {}", loc.path.display()));
        }
        Ok((done.plan, done.outcomes))
    }

    pub fn notes(&self, outcomes: &[Outcome]) {
        for o in outcomes {
            for n in &o.notes {
                self.note(&wm::render::escape(&command_error::notice_text(n)));
            }
        }
    }
}

/// A loaded store a command reads until the process exits: never freed
/// (the exit frees it at once), which saves freeing every task, string and
/// edge one by one, about a millisecond at 10,000 tasks.
pub struct Kept<T>(std::mem::ManuallyDrop<T>);

impl<T> Kept<T> {
    /// The value itself, for a command that goes on to change it.
    pub fn into_inner(self) -> T {
        std::mem::ManuallyDrop::into_inner(self.0)
    }
}

impl<T> std::ops::Deref for Kept<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Where the snapshot of a store is kept: in the git directory of the
/// repository holding it (`.git/wm/`, never committed, one file per store
/// path). Outside a repository there is none, and every read parses.
/// `WM_NO_CACHE=1` turns it off.
fn cache_file(store: &std::path::Path) -> Option<PathBuf> {
    if std::env::var_os("WM_NO_CACHE").is_some_and(|v| !v.is_empty() && v != "0") {
        return None;
    }
    let store = std::fs::canonicalize(store).ok()?;
    let git = wm::git::root::find(store.parent()?)?.git_dir;
    let name = wm::store::hash::oneshot_64(store.to_string_lossy().as_bytes());
    Some(git.join("wm").join(format!("tasks-{name:016x}.cache")))
}

/// Write text to stdout, turning a closed pipe into a quiet stop.
pub fn print(text: &str) -> CliResult {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Print a document of the JSON contract (docs/json.md, the types in
/// `wm::render::json`): pretty, keys sorted, `schema_version` included.
pub fn print_json<T: serde::Serialize>(doc: &wm::render::json::Document<T>) -> CliResult {
    print(&wm::render::json::to_string_pretty(doc).map_err(std::io::Error::other)?)
}

/// Print the task list document of `rows` (`list`, `ready`, `blocked`,
/// `order` with --json), a piece at a time.
pub fn print_tasks_json(
    plan: &wm::graph::plan::Plan,
    graph: &wm::graph::Graph,
    rows: &[usize],
) -> CliResult {
    let mut stdout = std::io::stdout().lock();
    wm::render::json::write_tasks_doc(plan, graph, rows, &mut |piece| stdout.write_all(piece))?;
    stdout.flush()?;
    Ok(())
}

fn run(cli: Cli) -> CliResult {
    let ctx = Ctx::new(&cli.global)?;
    match cli.command {
        TopCommand::Tasks(cmd) => match cmd {
            TasksCommand::Init(a) => init::run(&ctx, a),
            TasksCommand::Create(a) => create::run(&ctx, a),
            TasksCommand::List(a) => list::run(&ctx, a),
            TasksCommand::Show(a) => show::run(&ctx, a),
            TasksCommand::Search(a) => search::run(&ctx, a),
            TasksCommand::Note(a) => note::run(&ctx, a),
            TasksCommand::Move(a) => move_task::run(&ctx, a),
            TasksCommand::Update(a) => update::run(&ctx, a),
            TasksCommand::Start(a) => start::run(&ctx, a),
            TasksCommand::Done(a) => done::run(&ctx, a),
            TasksCommand::Reopen(a) => reopen::run(&ctx, a),
            TasksCommand::Cancel(a) => cancel::run(&ctx, a),
            TasksCommand::Delete(a) => delete::run(&ctx, a),
            TasksCommand::Dep(a) => dep::run(&ctx, a),
            TasksCommand::Ready(a) => ready::run(&ctx, a),
            TasksCommand::Blocked(a) => blocked::run(&ctx, a),
            TasksCommand::MergeDriver(a) => merge_driver::run(&ctx, a),
            TasksCommand::Check(a) => check::run(&ctx, a),
            TasksCommand::Next(a) => next::run(&ctx, a),
            TasksCommand::Claim(a) => claim::run(&ctx, a),
            TasksCommand::Schema(a) => schema::run(&ctx, a),
            TasksCommand::Graph(a) => graph::run(&ctx, a),
            TasksCommand::Order(a) => order::run(&ctx, a),
            TasksCommand::Waves(a) => waves::run(&ctx, a),
            TasksCommand::CriticalPath(a) => critical_path::run(&ctx, a),
            TasksCommand::Why(a) => why::run(&ctx, a),
            TasksCommand::Link(a) => link::run(&ctx, a),
            TasksCommand::Scan(a) => scan::run(&ctx, a),
            TasksCommand::Log(a) => log::run(&ctx, a),
            TasksCommand::Hook(a) => hook::run(&ctx, a),
            TasksCommand::Templates(a) => templates::run(&ctx, a),
            TasksCommand::Workflows(a) => workflows::run(&ctx, a),
            TasksCommand::Plan(a) => plan::run(&ctx, a),
            TasksCommand::Import(a) => import::run(&ctx, a),
            TasksCommand::Export(a) => export::run(&ctx, a),
            TasksCommand::Onboard(a) => onboard::run(&ctx, a),
        },
        TopCommand::Completions(a) => completions::run(a),
        TopCommand::Man(a) => man::run(a),
    }
}

/// Words of beads (`bd`) that mean nothing here, with what to do instead.
const BD_HINTS: [(&str, &str); 8] = [
    (
        "sync",
        "wm has no sync: tasks.yaml is a file of your repository; commit it with your work \
         (git add tasks.yaml && git commit) and push",
    ),
    (
        "daemon",
        "wm has no daemon: every command reads and writes tasks.yaml directly",
    ),
    (
        "compact",
        "wm has nothing to compact; `wm tasks delete` removes a task",
    ),
    ("doctor", "run `wm tasks check` to validate tasks.yaml"),
    (
        "comment",
        "run `wm tasks note ID TEXT` to add a note to a task",
    ),
    (
        "comments",
        "run `wm tasks note ID TEXT` to add a note; `wm tasks show ID` lists them",
    ),
    (
        "stats",
        "run `wm tasks graph --by-phase` for counts per phase, or `wm tasks list`",
    ),
    (
        "prime",
        "run `wm tasks onboard` for what an agent needs to know",
    ),
];

/// Replace clap's guesses for an unknown command with ours: names and
/// aliases that start with what was typed, or are at most a third of it
/// away (edit distance); and a pointer to `wm completions`/`wm man` when
/// one is asked for under `wm tasks`.
fn suggest(e: clap::Error) -> clap::Error {
    use clap::error::{ContextKind, ContextValue, ErrorKind};

    if e.kind() != ErrorKind::InvalidSubcommand {
        return e;
    }
    let Some(ContextValue::String(typed)) = e.get(ContextKind::InvalidSubcommand).cloned() else {
        return e;
    };
    if let Some((_, hint)) = BD_HINTS.iter().find(|(w, _)| *w == typed) {
        return clap::Error::raw(
            ErrorKind::InvalidSubcommand,
            format!("`{typed}` is a beads (bd) command; {hint}\n"),
        );
    }
    let top = <Cli as clap::CommandFactory>::command();
    let mut cmd = &top;
    for word in std::env::args().skip(1) {
        if word == typed {
            break;
        }
        if let Some(sub) = cmd.find_subcommand(&word) {
            cmd = sub;
        }
    }
    let names = suggestions(cmd, &typed);
    let mut tips: Vec<clap::builder::StyledStr> = Vec::new();
    if cmd.get_name() != top.get_name() {
        for n in suggestions(&top, &typed) {
            if n != cmd.get_name() {
                tips.push(
                    format!("`{n}` is not under `wm {}`: run `wm {n}`", cmd.get_name()).into(),
                );
            }
        }
    }
    let mut out = clap::Error::new(ErrorKind::InvalidSubcommand).with_cmd(cmd);
    out.insert(ContextKind::InvalidSubcommand, ContextValue::String(typed));
    if !names.is_empty() {
        out.insert(
            ContextKind::SuggestedSubcommand,
            ContextValue::Strings(names),
        );
    }
    if !tips.is_empty() {
        out.insert(ContextKind::Suggested, ContextValue::StyledStrs(tips));
    }
    if let Some(usage) = e.get(ContextKind::Usage).cloned() {
        out.insert(ContextKind::Usage, usage);
    }
    out
}

/// Edit distance counting a swap of neighbours as one edit (`lsit`).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// Commands of `cmd` (by name or alias) close to `typed`, best first.
fn suggestions(cmd: &clap::Command, typed: &str) -> Vec<String> {
    let typed_l = typed.to_lowercase();
    let mut found: Vec<(usize, String)> = Vec::new();
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let best = std::iter::once(sub.get_name())
            .chain(sub.get_all_aliases())
            .filter_map(|n| {
                let d = distance(&typed_l, n);
                // A shared start of two thirds of what was typed counts as
                // a prefix (`complete` for `completions`).
                let shared = typed_l
                    .chars()
                    .zip(n.chars())
                    .take_while(|(a, b)| a == b)
                    .count();
                let prefix = typed_l.len() >= 2
                    && (n.starts_with(&typed_l)
                        || typed_l.starts_with(n)
                        || shared >= (2 * typed_l.chars().count()).div_ceil(3).max(4));
                (prefix || d <= (typed_l.chars().count() / 3).max(1)).then_some(if prefix {
                    0
                } else {
                    d
                })
            })
            .min();
        if let Some(d) = best {
            found.push((d, sub.get_name().to_string()));
        }
    }
    found.sort();
    found.into_iter().take(3).map(|(_, n)| n).collect()
}

/// Parse the arguments again with every subcommand built. A subcommand's
/// arguments and text are built only when it runs (`defer` on
/// `TasksCommand`), so help and usage errors, which may list every
/// subcommand with its summary, are rendered from a command built whole.
fn parse_fully_built() -> Result<Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    let mut cmd = Cli::command();
    cmd.build();
    let matches = cmd.try_get_matches()?;
    Cli::from_arg_matches(&matches)
}

/// Parse arguments, run, and turn the result into an exit code.
pub fn main() -> u8 {
    // A completion request from the shell (COMPLETE=bash wm -- ...):
    // answer it and exit before parsing.
    clap_complete::CompleteEnv::with_factory(complete::command)
        .var(complete::VAR)
        .complete();
    let parsed = Cli::try_parse().or_else(|e| match e.kind() {
        clap::error::ErrorKind::DisplayVersion => Err(e),
        _ => parse_fully_built(),
    });
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let e = suggest(e);
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match run(cli) {
        Ok(()) => 0,
        Err(CliError::BrokenPipe) => 0,
        Err(CliError::Exit(class)) => exit_code(class),
        Err(CliError::Io(e)) => {
            let _ = writeln!(std::io::stderr(), "error: {e}");
            1
        }
        Err(CliError::Core(e)) => {
            let _ = writeln!(
                std::io::stderr(),
                "error: {}",
                wm::render::escape_message(&command_error::describe(&e))
            );
            exit_code(e.class())
        }
    }
}

#[cfg(test)]
mod help_tests {
    use super::Cli;
    use clap::CommandFactory;

    fn walk(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
        for a in cmd.get_arguments() {
            if a.is_hide_set() || matches!(a.get_id().as_str(), "help" | "version") {
                continue;
            }
            if a.get_help().is_none() && a.get_long_help().is_none() {
                out.push(format!("{path} {}: no help", a.get_id()));
            }
        }
        if cmd.get_subcommands().next().is_none() {
            let about = cmd
                .get_long_about()
                .or(cmd.get_about())
                .map(|s| s.to_string())
                .unwrap_or_default();
            if !about.contains("Example") {
                out.push(format!("{path}: no example"));
            }
        }
        for s in cmd.get_subcommands() {
            if s.get_name() != "help" && !s.is_hide_set() {
                walk(s, &format!("{path} {}", s.get_name()), out);
            }
        }
    }

    #[test]
    fn every_flag_has_help_and_every_command_an_example() {
        let mut cmd = Cli::command();
        cmd.build();
        let mut missing = Vec::new();
        walk(&cmd, "wm", &mut missing);
        assert!(missing.is_empty(), "{}", missing.join("\n"));
    }

    #[test]
    fn global_options_have_their_own_heading() {
        let mut cmd = Cli::command();
        cmd.build();
        let create = cmd
            .find_subcommand("tasks")
            .and_then(|t| t.find_subcommand("create"))
            .unwrap();
        for a in create.get_arguments() {
            let global = matches!(
                a.get_id().as_str(),
                "file" | "quiet" | "color" | "lock_timeout"
            );
            assert_eq!(
                a.get_help_heading() == Some("Global options"),
                global,
                "{}",
                a.get_id()
            );
        }
    }
}
