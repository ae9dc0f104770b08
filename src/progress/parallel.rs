//! Work shared among the cores in order-keeping chunks, for the commands that read or replay
//! many independent things (a cohort's export files, a trainee's attempts to rescore).

/// How many threads such work uses: every core, at most 8.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8))
}

/// `f` over `items` on up to `threads` threads, the results in the items' order.
pub fn map_in_order<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    if threads <= 1 || items.len() <= 1 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                let f = &f;
                // Each worker keeps its own matrix products on its thread: the cores are
                // already shared out here.
                scope.spawn(move || {
                    crate::scoring::semantic::encoder::on_this_thread_only(|| {
                        part.iter().map(f).collect::<Vec<R>>()
                    })
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_items_order_on_any_thread_count() {
        let items: Vec<u32> = (0..101).collect();
        for threads in [1, 2, 3, 8] {
            let doubled = map_in_order(&items, threads, |x| x * 2);
            assert_eq!(doubled, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        }
        assert!(map_in_order(&[] as &[u32], 4, |x| *x).is_empty());
    }
}
