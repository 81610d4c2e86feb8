//! `Op::Delete`: removing a task, refused while others depend on it.

use super::*;

pub(super) fn delete(plan: &mut Plan, id: &str, force: bool) -> Result<Outcome> {
    let i = plan.resolve(id)?;
    let tid = plan.task(i).id.clone();
    let dependents: Vec<usize> = (0..plan.len())
        .filter(|&j| plan.task(j).depends_on.contains(&tid))
        .collect();
    let children: Vec<usize> = (0..plan.len())
        .filter(|&j| plan.task(j).parent.as_deref() == Some(tid.as_str()))
        .collect();
    // Tasks that wait on it through a phase edge (derived, not stored):
    // deleting it takes that wait away from them.
    let derived: Vec<String> = {
        let g = Graph::build(plan);
        g.dependents(i)
            .iter()
            .filter(|&&j| {
                g.deps(j)
                    .iter()
                    .any(|&(k, kind)| k == i && kind == crate::graph::EdgeKind::Phase)
            })
            .map(|&j| plan.task(j).id.clone())
            .collect()
    };
    if !force && (!dependents.is_empty() || !children.is_empty() || !derived.is_empty()) {
        let mut why = Vec::new();
        if !dependents.is_empty() {
            why.push(format!(
                "{} {} on it",
                dependents
                    .iter()
                    .map(|&j| plan.task(j).id.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
                if dependents.len() == 1 {
                    "depends"
                } else {
                    "depend"
                }
            ));
        }
        if !derived.is_empty() {
            why.push(format!(
                "{} {} it by phase (a derived dependency {} would lose)",
                derived.join(", "),
                if derived.len() == 1 {
                    "follows"
                } else {
                    "follow"
                },
                if derived.len() == 1 { "it" } else { "they" }
            ));
        }
        if !children.is_empty() {
            why.push(format!(
                "{} name it as parent",
                children
                    .iter()
                    .map(|&j| plan.task(j).id.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        return Err(Error::refused(
            format!("cannot delete {tid}: {}", why.join("; ")),
            std::iter::once(tid.clone())
                .chain(
                    dependents
                        .iter()
                        .chain(&children)
                        .map(|&j| plan.task(j).id.clone()),
                )
                .collect(),
            crate::error::Remedy::ForceDelete,
        ));
    }
    let mut out = Outcome::new(&tid);
    if !derived.is_empty() {
        out.notes.push(
            format!(
                "{} no longer {} {tid} by phase",
                derived.join(", "),
                if derived.len() == 1 {
                    "waits for"
                } else {
                    "wait for"
                }
            )
            .into(),
        );
    }
    for &j in &dependents {
        let t = plan.task_mut(j);
        t.depends_on.retain(|d| d != &tid);
        out.notes
            .push(format!("removed the dependency of {} on {tid}", t.id).into());
    }
    for &j in &children {
        let t = plan.task_mut(j);
        t.parent = None;
        out.notes
            .push(format!("cleared the parent of {}", t.id).into());
    }
    plan.remove(i);
    Ok(out)
}
