//! Graph algorithms on plain adjacency lists, with no knowledge of tasks:
//! the one cycle finder, used for tasks, workflow phases and template steps.
//!
//! Everything here is iterative: the depth of a search is bounded by the
//! heap, never by the call stack, so a 100,000-task cycle in a hostile store
//! is reported like any other instead of overflowing the stack (petgraph's
//! `tarjan_scc` recurses once per node on a path).

use std::collections::VecDeque;

const UNVISITED: usize = usize::MAX;

/// The strongly connected components of the graph (Tarjan's algorithm with
/// an explicit stack). Edges `adj[v]` lead from `v`; targets out of range
/// are ignored.
pub fn strongly_connected(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = adj.len();
    let mut index = vec![UNVISITED; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut call: Vec<(usize, usize)> = Vec::new();
    let mut counter = 0usize;
    let mut out = Vec::new();
    for s in 0..n {
        if index[s] != UNVISITED {
            continue;
        }
        index[s] = counter;
        low[s] = counter;
        counter += 1;
        stack.push(s);
        on_stack[s] = true;
        call.push((s, 0));
        while let Some(frame) = call.last_mut() {
            let v = frame.0;
            if let Some(&w) = adj[v].get(frame.1) {
                frame.1 += 1;
                if w >= n {
                    continue;
                }
                if index[w] == UNVISITED {
                    index[w] = counter;
                    low[w] = counter;
                    counter += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    call.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            call.pop();
            if let Some(&(u, _)) = call.last() {
                low[u] = low[u].min(low[v]);
            }
            if low[v] == index[v] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                out.push(comp);
            }
        }
    }
    out
}

/// Every cycle of the graph, one per strongly connected component that has
/// one (two or more members, or a self-loop), each as a shortest path
/// through its component from the member that `first` ranks lowest back to
/// it (first == last), which reads best in an error message. Sorted.
pub fn cycles<K: Ord>(adj: &[Vec<usize>], first: impl Fn(usize) -> K) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = strongly_connected(adj)
        .into_iter()
        .filter(|c| c.len() > 1 || c.first().is_some_and(|&v| adj[v].contains(&v)))
        .map(|c| shortest_cycle(adj, &c, &first))
        .collect();
    out.sort();
    out
}

/// A shortest cycle through the component's lowest-ranked member: breadth
/// first from it, inside the component, back to it.
fn shortest_cycle<K: Ord>(
    adj: &[Vec<usize>],
    members: &[usize],
    first: &impl Fn(usize) -> K,
) -> Vec<usize> {
    let Some(&start) = members.iter().min_by_key(|&&v| first(v)) else {
        return Vec::new();
    };
    let mut inside = vec![false; adj.len()];
    for &m in members {
        inside[m] = true;
    }
    let mut prev = vec![UNVISITED; adj.len()];
    let mut queue = VecDeque::from([start]);
    let mut end = None;
    'search: while let Some(cur) = queue.pop_front() {
        for &j in &adj[cur] {
            if j >= adj.len() || !inside[j] {
                continue;
            }
            if j == start {
                end = Some(cur);
                break 'search;
            }
            if prev[j] == UNVISITED {
                prev[j] = cur;
                queue.push_back(j);
            }
        }
    }
    let mut path = vec![start];
    if let Some(mut cur) = end {
        let mut back = vec![];
        while cur != start && cur != UNVISITED {
            back.push(cur);
            cur = prev[cur];
        }
        back.reverse();
        path.extend(back);
    }
    path.push(start);
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_cycle_is_found_without_recursion() {
        let n = 200_000;
        let adj: Vec<Vec<usize>> = (0..n).map(|i| vec![(i + 1) % n]).collect();
        let found = cycles(&adj, |v| v);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].len(), n + 1);
        assert_eq!(found[0].first(), Some(&0));
        assert_eq!(found[0].last(), Some(&0));
    }

    #[test]
    fn components_self_loops_and_acyclic_parts() {
        // 0 -> 1 -> 2 -> 0, 3 -> 3, 4 -> 0 (acyclic tail), 5 alone.
        let adj = vec![vec![1], vec![2], vec![0], vec![3], vec![0], vec![]];
        let found = cycles(&adj, |v| v);
        assert_eq!(found, vec![vec![0, 1, 2, 0], vec![3, 3]]);
        assert_eq!(strongly_connected(&adj).len(), 4);
    }

    #[test]
    fn the_shortest_way_round_is_reported() {
        // 0 -> 1 -> 2 -> 3 -> 0 and a shortcut 1 -> 0.
        let adj = vec![vec![1], vec![2, 0], vec![3], vec![0]];
        assert_eq!(cycles(&adj, |v| v), vec![vec![0, 1, 0]]);
    }
}
