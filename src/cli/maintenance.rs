//! Commands that look after the data: measuring redaction on a corpus.

use anyhow::Context;

/// Reads a corpus, prints its scores, and fails when redaction falls short of its targets.
pub(super) fn redaction_check(corpus: &std::path::Path) -> anyhow::Result<()> {
    use crate::domain::redact::evaluate;
    #[derive(serde::Deserialize)]
    struct Entry {
        text: String,
        #[serde(default)]
        data: Vec<String>,
    }
    let read = |name: &str| -> anyhow::Result<Vec<Entry>> {
        let path = corpus.join(name);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l)
                    .with_context(|| format!("invalid line in {}", path.display()))
            })
            .collect()
    };
    let planted: Vec<(String, Vec<String>)> = read("planted.jsonl")?
        .into_iter()
        .map(|e| (e.text, e.data))
        .collect();
    let clean: Vec<String> = read("clean.jsonl")?.into_iter().map(|e| e.text).collect();
    let score = evaluate(&planted, &clean);
    println!(
        "redaction: recall {:.2} % ({} of {} planted data), false positives {:.2} % ({} of {} clean comments)",
        score.recall() * 100.0,
        score.found,
        score.planted,
        score.false_positive_rate() * 100.0,
        score.altered,
        score.clean
    );
    if std::env::var_os("AVIS_REDACTION_MISSES").is_some() {
        for (text, data) in &planted {
            let out = crate::domain::redact::redact(text).text;
            for d in data.iter().filter(|d| out.contains(d.as_str())) {
                eprintln!("missed {d:?} in {out:?}");
            }
        }
    }
    anyhow::ensure!(score.recall() >= 0.99, "recall is under 99 %");
    anyhow::ensure!(
        score.false_positive_rate() <= 0.01,
        "false positives are over 1 %"
    );
    Ok(())
}
