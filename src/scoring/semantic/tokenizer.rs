//! The model's tokenizer: BERT's normaliser (clean control characters, space out CJK, strip
//! accents, lower-case), its pre-tokeniser (split on whitespace and punctuation) and WordPiece
//! over the vocabulary in the model's `tokenizer.json`. Written here rather than taken from the
//! `tokenizers` crate, which would add a large build for the one configuration this model uses;
//! it reproduces the reference token ids (see the tests in `semantic/mod.rs`).

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

/// `[CLS]`, `[SEP]` and `[UNK]` in the model's vocabulary.
const CLS: u32 = 101;
const SEP: u32 = 102;
const UNK: u32 = 100;
/// The model was trained on at most 256 tokens a sequence.
pub const MAX_TOKENS: usize = 256;
/// WordPiece gives up on longer words (they become `[UNK]`), as the reference does.
const MAX_WORD_CHARS: usize = 100;

/// Turns text into the model's token ids.
#[derive(Debug)]
pub struct WordPiece {
    vocab: HashMap<String, u32>,
}

impl WordPiece {
    /// Reads the vocabulary from the bytes of a Hugging Face `tokenizer.json`.
    pub fn from_tokenizer_json(bytes: &[u8]) -> Result<WordPiece, String> {
        #[derive(serde::Deserialize)]
        struct File {
            model: Model,
        }
        #[derive(serde::Deserialize)]
        struct Model {
            vocab: HashMap<String, u32>,
        }
        let file: File = serde_json::from_slice(bytes)
            .map_err(|e| format!("tokenizer.json has no readable model.vocab: {e}"))?;
        let vocab = file.model.vocab;
        for (token, id) in [("[CLS]", CLS), ("[SEP]", SEP), ("[UNK]", UNK)] {
            if vocab.get(token) != Some(&id) {
                return Err(format!("tokenizer.json: {token} is not token {id}"));
            }
        }
        Ok(WordPiece { vocab })
    }

    /// `[CLS]`, the text's word pieces (cut to fit [`MAX_TOKENS`]), `[SEP]`.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut ids = vec![CLS];
        let mut piece = String::new();
        'words: for word in pre_tokenize(&normalize(text)) {
            if ids.len() >= MAX_TOKENS - 1 {
                break;
            }
            let chars: Vec<char> = word.chars().collect();
            if chars.len() > MAX_WORD_CHARS {
                ids.push(UNK);
                continue;
            }
            let mark = ids.len();
            let mut start = 0;
            while start < chars.len() {
                // The longest piece from `start` that the vocabulary holds.
                let found = (start + 1..=chars.len()).rev().find_map(|end| {
                    piece.clear();
                    if start > 0 {
                        piece.push_str("##");
                    }
                    piece.extend(&chars[start..end]);
                    self.vocab.get(&piece).map(|&id| (id, end))
                });
                match found {
                    Some((id, end)) => {
                        ids.push(id);
                        start = end;
                    }
                    None => {
                        ids.truncate(mark);
                        ids.push(UNK);
                        continue 'words;
                    }
                }
            }
        }
        ids.truncate(MAX_TOKENS - 1);
        ids.push(SEP);
        ids
    }
}

/// BERT's normaliser.
fn normalize(text: &str) -> String {
    let mut clean = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\0' || c == '\u{fffd}' || (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
            continue;
        }
        if c.is_whitespace() {
            clean.push(' ');
        } else if is_cjk(c) {
            clean.push(' ');
            clean.push(c);
            clean.push(' ');
        } else {
            clean.push(c);
        }
    }
    clean
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
}

/// Splits on whitespace, and makes every punctuation character a word of its own.
fn pre_tokenize(text: &str) -> Vec<&str> {
    let mut words = Vec::new();
    for word in text.split_whitespace() {
        let mut start = 0;
        for (i, c) in word.char_indices() {
            if is_punctuation(c) {
                if start < i {
                    words.push(&word[start..i]);
                }
                words.push(&word[i..i + c.len_utf8()]);
                start = i + c.len_utf8();
            }
        }
        if start < word.len() {
            words.push(&word[start..]);
        }
    }
    words
}

/// ASCII symbols count as punctuation for BERT, as do the general punctuation blocks.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c,
            '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{205E}' | '\u{3000}'..='\u{303F}'
            | '¡' | '§' | '«' | '¶' | '·' | '»' | '¿')
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F | 0x2B820..=0x2CEAF | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> WordPiece {
        let vocab = [
            ("[UNK]", 100),
            ("[CLS]", 101),
            ("[SEP]", 102),
            ("i", 1),
            ("'", 2),
            ("m", 3),
            ("sorry", 4),
            ("un", 5),
            ("##help", 6),
            ("##ful", 7),
            (",", 8),
            ("cafe", 9),
        ];
        let json = serde_json::json!({"model": {"vocab": vocab.iter().cloned().collect::<HashMap<_, _>>()}});
        WordPiece::from_tokenizer_json(json.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn pieces_punctuation_accents_and_unknowns() {
        let t = tiny();
        assert_eq!(t.encode("I'm SORRY"), vec![101, 1, 2, 3, 4, 102]);
        assert_eq!(t.encode("unhelpful, café"), vec![101, 5, 6, 7, 8, 9, 102]);
        assert_eq!(t.encode("zzz"), vec![101, 100, 102]);
        assert_eq!(t.encode(""), vec![101, 102]);
        assert_eq!(t.encode("\u{0}\u{7}"), vec![101, 102]);
    }

    #[test]
    fn long_text_is_cut_to_the_model_length() {
        let t = tiny();
        let ids = t.encode(&"sorry ".repeat(10_000));
        assert_eq!(ids.len(), MAX_TOKENS);
        assert_eq!(ids[MAX_TOKENS - 1], SEP);
        let ids = t.encode(&"x".repeat(100_000));
        assert_eq!(ids, vec![101, 100, 102]);
    }

    #[test]
    fn a_tokenizer_without_the_special_tokens_is_refused() {
        assert!(WordPiece::from_tokenizer_json(br#"{"model":{"vocab":{"a":1}}}"#).is_err());
        assert!(WordPiece::from_tokenizer_json(b"not json").is_err());
    }
}
