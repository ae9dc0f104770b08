//! The shipped sentence-embedding model against reference outputs of the original (float32,
//! Python, one thread) in `tests/fixtures/minilm-reference.json`: token ids exactly, embeddings
//! and cosines within what float16 weights allow.

use holdline::scoring::semantic::encoder::{DIM, cosine};
use holdline::scoring::semantic::model_files::ModelFiles;

#[derive(serde::Deserialize)]
struct Reference {
    sentences: Vec<Sentence>,
    cosine: std::collections::BTreeMap<String, f32>,
}

#[derive(serde::Deserialize)]
struct Sentence {
    text: String,
    token_ids: Vec<u32>,
    embedding_first_8: Vec<f32>,
}

fn reference() -> Reference {
    let text = include_str!("../fixtures/minilm-reference.json");
    serde_json::from_str(text).expect("the reference file parses")
}

#[test]
fn the_tokenizer_gives_the_reference_token_ids() {
    let model = ModelFiles::load_default().expect("the shipped model loads");
    for s in reference().sentences {
        assert_eq!(model.tokenizer.encode(&s.text), s.token_ids, "{:?}", s.text);
    }
}

#[test]
fn embeddings_match_the_reference_within_float16_rounding() {
    let model = ModelFiles::load_default().expect("the shipped model loads");
    let reference = reference();
    let ids: Vec<Vec<u32>> = reference
        .sentences
        .iter()
        .map(|s| model.tokenizer.encode(&s.text))
        .collect();
    // All eight in one batch: batching must not change a sequence's embedding.
    let batched = model.encoder.embed(&ids);
    let mut worst_value = 0f32;
    for (i, s) in reference.sentences.iter().enumerate() {
        let alone = model.encoder.embed(std::slice::from_ref(&ids[i])).remove(0);
        assert_eq!(
            alone, batched[i],
            "batched and alone differ for {:?}",
            s.text
        );
        let norm: f32 = batched[i].iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "{:?} is not unit length", s.text);
        for (got, want) in batched[i].iter().zip(&s.embedding_first_8) {
            worst_value = worst_value.max((got - want).abs());
        }
    }
    // Float16 weights move a unit vector's components (about 0.05 each) by about 1e-4.
    assert!(
        worst_value < 5e-4,
        "worst component difference {worst_value}"
    );
    let mut worst_cosine = 0f32;
    for (pair, want) in &reference.cosine {
        let (a, b) = pair.split_once('-').expect("pairs are written a-b");
        let (a, b): (usize, usize) = (a.parse().unwrap(), b.parse().unwrap());
        let got = cosine(&batched[a], &batched[b]);
        worst_cosine = worst_cosine.max((got - want).abs());
    }
    println!(
        "float16 weights against the float32 reference: worst component {worst_value:e}, worst cosine {worst_cosine:e}"
    );
    assert!(
        worst_cosine < 1e-3,
        "worst cosine difference {worst_cosine}"
    );
    assert_eq!(batched[0].len(), DIM);
}

#[test]
fn the_same_text_embeds_to_the_same_bits_every_time() {
    let model = ModelFiles::load_default().expect("the shipped model loads");
    let ids = model
        .tokenizer
        .encode("I'm so sorry, that's the last thing you need before the party.");
    let first = model.encoder.embed(std::slice::from_ref(&ids));
    for _ in 0..3 {
        assert_eq!(model.encoder.embed(std::slice::from_ref(&ids)), first);
    }
}
