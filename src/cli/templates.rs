use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::{CliResult, Ctx, print, print_json};
use wm::authoring::template::{self, Entry, Source};
use wm::error::Error;
use wm::render::json::catalog::TemplateEntry;
use wm::render::{escape, json, truncate};

/// List the planning templates (name, source, task count), or print one.
///
/// Built-in templates come from the issue and planning templates wm was made
/// for (seeds 000-004). A repository adds its own, or overrides a built-in,
/// with `.wm/templates/NAME.yaml` (found from the store's directory up to the
/// repository root).
///
/// Examples:
///   wm tasks templates
///   wm tasks templates show infrastructure
///   mkdir -p .wm/templates && wm tasks templates show devops > .wm/templates/devops.yaml
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct TemplatesArgs {
    #[command(subcommand)]
    pub command: Option<TemplatesCommand>,
    /// Print the list as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// Print a template's YAML (copy it into .wm/templates/ to change it).
    ///
    /// Example: wm tasks templates show devops > .wm/templates/devops.yaml
    Show(ShowArgs),
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The template's name.
    pub name: String,
}

/// The user template directory for this store: the nearest
/// `.wm/templates` from the store's directory up to the repository root,
/// else from the working directory.
pub fn user_dir(ctx: &Ctx) -> Option<PathBuf> {
    let loc = ctx.location();
    loc.path
        .parent()
        .and_then(template::find_user_dir)
        .or_else(|| template::find_user_dir(&ctx.cwd))
}

/// The directory holding `.wm/`, to show user template paths relative to it.
fn root_of(dir: Option<&PathBuf>) -> Option<PathBuf> {
    dir.and_then(|d| d.parent()?.parent().map(PathBuf::from))
}

pub fn run(ctx: &Ctx, a: TemplatesArgs) -> CliResult {
    let dir = user_dir(ctx);
    let root = root_of(dir.as_ref());
    match a.command {
        Some(TemplatesCommand::Show(s)) => {
            let e = template::find(&s.name, dir.as_deref())?;
            if let Err(msg) = &e.template {
                ctx.note(&format!("warning: {}", escape(msg)));
            }
            let mut text = e.text;
            if !text.ends_with('\n') {
                text.push('\n');
            }
            print(&text)
        }
        None => {
            let all = template::catalog(dir.as_deref())?;
            if a.json {
                return print_json(&json::Document::new(json::catalog::TemplatesDoc {
                    templates: all
                        .iter()
                        .map(|e| template_entry(e, root.as_deref()))
                        .collect(),
                }));
            }
            let rows: Vec<[String; 4]> = all
                .iter()
                .map(|e| {
                    let (tasks, desc) = match &e.template {
                        Ok(t) => (t.tasks.len().to_string(), t.description.clone()),
                        Err(_) => ("-".into(), "INVALID (see below)".into()),
                    };
                    [
                        escape(&e.name),
                        escape(&e.source.describe(root.as_deref())),
                        tasks,
                        escape(&truncate(&desc, 70)),
                    ]
                })
                .collect();
            let head = [
                "NAME".to_string(),
                "SOURCE".into(),
                "TASKS".into(),
                "DESCRIPTION".into(),
            ];
            let mut width = [0usize; 3];
            for r in std::iter::once(&head).chain(&rows) {
                for k in 0..3 {
                    width[k] = width[k].max(r[k].chars().count());
                }
            }
            let mut out = String::new();
            for r in std::iter::once(&head).chain(&rows) {
                out.push_str(&format!(
                    "{:w0$}  {:w1$}  {:>w2$}  {}\n",
                    r[0],
                    r[1],
                    r[2],
                    r[3],
                    w0 = width[0],
                    w1 = width[1],
                    w2 = width[2]
                ));
            }
            print(&out)?;
            for e in &all {
                if let Err(msg) = &e.template {
                    ctx.note(&format!("warning: {}", escape(msg)));
                }
            }
            Ok(())
        }
    }
}

/// The template `name`, refused with its problem when invalid.
pub fn load(ctx: &Ctx, name: &str) -> CliResult<template::Template> {
    let dir = user_dir(ctx);
    let e = template::find(name, dir.as_deref())?;
    Ok(e.template.map_err(Error::Usage)?)
}

/// `e` as `templates --json` lists it; user paths shown relative to `root`.
fn template_entry(e: &Entry, root: Option<&Path>) -> TemplateEntry {
    let (path, overrides) = match &e.source {
        Source::Builtin => (None, false),
        Source::User { path, overrides } => (Some(path.display().to_string()), *overrides),
    };
    TemplateEntry {
        name: e.name.clone(),
        source: e.source.describe(root),
        builtin: e.source == Source::Builtin,
        path,
        overrides_builtin: overrides,
        tasks: e.template.as_ref().ok().map(|t| t.tasks.len()),
        description: e.template.as_ref().ok().map(|t| t.description.clone()),
        error: e.template.as_ref().err().cloned(),
    }
}
