//! Times parse + set + render of a 10,000-key, ~1 MB dotenv file.
//!
//! `cargo run --release --example dotenv_bench`

use envmint::dotenv::Document;
use std::time::Instant;

fn main() {
    let mut text = String::new();
    for i in 0..10_000 {
        text.push_str(&format!("# secret number {i}\n"));
        text.push_str(&format!("SECRET_KEY_{i}='{}'\n", "aB3#".repeat(19)));
    }
    let runs = 50;
    let mut best = f64::MAX;
    let mut best_parse = f64::MAX;
    for _ in 0..runs {
        let start = Instant::now();
        let t0 = Instant::now();
        let mut doc = Document::parse(&text);
        let tp = t0.elapsed().as_secs_f64();
        if tp < best_parse {
            best_parse = tp;
        }
        doc.set("SECRET_KEY_5000", "rotated-value").unwrap();
        let out = doc.render();
        let elapsed = start.elapsed().as_secs_f64();
        assert_eq!(out.len(), text.len() - 78 + 13);
        best = best.min(elapsed);
    }
    println!("parse alone {:.2} ms", best_parse * 1e3);
    println!(
        "{} bytes, 10000 keys: parse+set+render best of {runs}: {:.2} ms",
        text.len(),
        best * 1e3
    );
}
