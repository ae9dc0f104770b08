//! The scorer's text pipeline: the normaliser plus the lexicon's synonym groups, applied alike
//! to replies and to every pattern, so "refund" in a rule meets "reimburse" in a reply.

use super::fast_hash::FastMap;
use super::matcher::Phrase;
use super::text::{Normalized, Normalizer};

#[derive(Debug, Default)]
pub struct Vocabulary {
    normalizer: Normalizer,
    /// Token key → the canonical key of its synonym group.
    synonyms: FastMap<String, String>,
}

impl Vocabulary {
    /// `groups` are the lexicon's synonym groups; the first word of each is canonical.
    pub fn new(groups: &[Vec<String>]) -> Vocabulary {
        let normalizer = Normalizer::default();
        let mut synonyms = FastMap::default();
        for group in groups {
            let keys: Vec<String> = group
                .iter()
                .filter_map(|w| {
                    normalizer
                        .normalize(w)
                        .tokens
                        .into_iter()
                        .next()
                        .map(|t| t.key)
                })
                .collect();
            if let Some(canonical) = keys.first() {
                for key in &keys[1..] {
                    synonyms.insert(key.clone(), canonical.clone());
                }
            }
        }
        Vocabulary {
            normalizer,
            synonyms,
        }
    }

    pub fn normalize(&self, text: &str) -> Normalized {
        let mut n = self.normalizer.normalize(text);
        if !self.synonyms.is_empty() {
            for t in &mut n.tokens {
                if let Some(canonical) = self.synonyms.get(&t.key) {
                    t.key.clone_from(canonical);
                }
            }
        }
        n
    }

    pub fn phrase(&self, text: &str) -> Phrase {
        let mut phrase = Phrase::new(&self.normalizer, text);
        for key in &mut phrase.keys {
            if let Some(canonical) = self.synonyms.get(key) {
                key.clone_from(canonical);
            }
        }
        phrase
    }
}
