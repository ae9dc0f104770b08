//! all-MiniLM-L6-v2's forward pass: six BERT layers of 384 dimensions and 12 heads, mean pooling
//! and L2 normalisation, exactly as sentence-transformers runs it. Matrix products go through
//! `matrixmultiply` on one thread, and every sum is taken in a fixed order, so the same text gives
//! bit-identical embeddings on a machine. Several sentences run as one batch: their rows share
//! each matrix product (which is where the time goes) while attention stays within a sentence.

use super::weights::{SafeTensors, f16_to_f32};

/// Width of the model's hidden states and of the sentence embeddings.
pub const DIM: usize = 384;
const HEADS: usize = 12;
const HEAD_DIM: usize = DIM / HEADS;
const FFN: usize = 1536;
const LAYERS: usize = 6;
const VOCAB: usize = 30522;
const POSITIONS: usize = 512;
const LN_EPS: f32 = 1e-12;

/// A unit-length sentence embedding.
pub type Embedding = [f32; DIM];

struct Linear {
    /// `[in x out]`, row-major: the checkpoint's `[out x in]` transposed once at load, so that
    /// matrixmultiply packs it reading each row straight through (packing it across rows took
    /// most of the time of a reply).
    weight_t: Vec<f32>,
    bias: Vec<f32>,
    out: usize,
    inp: usize,
}

struct LayerNorm {
    gamma: Vec<f32>,
    beta: Vec<f32>,
}

struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

/// The loaded model.
pub struct Encoder {
    /// The word-embedding table stays in float16 (half the model's size) and is widened a row
    /// at a time.
    word_embeddings: Vec<u16>,
    position_embeddings: Vec<f32>,
    token_type_embedding: Vec<f32>,
    embedding_norm: LayerNorm,
    layers: Vec<Layer>,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Encoder(all-MiniLM-L6-v2)")
    }
}

impl Encoder {
    /// Builds the model from a float16 safetensors checkpoint.
    pub fn from_safetensors(bytes: &[u8]) -> Result<Encoder, String> {
        let st = SafeTensors::parse(bytes)?;
        let linear = |name: &str, out: usize, inp: usize| -> Result<Linear, String> {
            let weight = st.f32_tensor(&format!("{name}.weight"), &[out, inp])?;
            let mut weight_t = vec![0f32; out * inp];
            for o in 0..out {
                for i in 0..inp {
                    weight_t[i * out + o] = weight[o * inp + i];
                }
            }
            Ok(Linear {
                weight_t,
                bias: st.f32_tensor(&format!("{name}.bias"), &[out])?,
                out,
                inp,
            })
        };
        let norm = |name: &str| -> Result<LayerNorm, String> {
            Ok(LayerNorm {
                gamma: st.f32_tensor(&format!("{name}.weight"), &[DIM])?,
                beta: st.f32_tensor(&format!("{name}.bias"), &[DIM])?,
            })
        };
        let mut layers = Vec::with_capacity(LAYERS);
        for l in 0..LAYERS {
            let p = format!("encoder.layer.{l}");
            layers.push(Layer {
                query: linear(&format!("{p}.attention.self.query"), DIM, DIM)?,
                key: linear(&format!("{p}.attention.self.key"), DIM, DIM)?,
                value: linear(&format!("{p}.attention.self.value"), DIM, DIM)?,
                attention_out: linear(&format!("{p}.attention.output.dense"), DIM, DIM)?,
                attention_norm: norm(&format!("{p}.attention.output.LayerNorm"))?,
                intermediate: linear(&format!("{p}.intermediate.dense"), FFN, DIM)?,
                output: linear(&format!("{p}.output.dense"), DIM, FFN)?,
                output_norm: norm(&format!("{p}.output.LayerNorm"))?,
            });
        }
        let token_types = st.f32_tensor("embeddings.token_type_embeddings.weight", &[2, DIM])?;
        Ok(Encoder {
            word_embeddings: st.f16_bits("embeddings.word_embeddings.weight", &[VOCAB, DIM])?,
            position_embeddings: st
                .f32_tensor("embeddings.position_embeddings.weight", &[POSITIONS, DIM])?,
            token_type_embedding: token_types[..DIM].to_vec(),
            embedding_norm: norm("embeddings.LayerNorm")?,
            layers,
        })
    }

    /// One embedding per sequence of token ids (each at most 512 ids; ids past the vocabulary
    /// read as `[UNK]`).
    pub fn embed(&self, sequences: &[Vec<u32>]) -> Vec<Embedding> {
        // One embedding per sequence, always: an empty sequence (the tokenizer never makes
        // one, it adds [CLS] and [SEP]) gets the zero vector, which is like nothing.
        if sequences.iter().any(Vec::is_empty) {
            let full: Vec<Vec<u32>> = sequences
                .iter()
                .filter(|s| !s.is_empty())
                .cloned()
                .collect();
            let mut embedded = self.embed(&full).into_iter();
            return sequences
                .iter()
                .map(|s| {
                    if s.is_empty() {
                        [0.0; DIM]
                    } else {
                        embedded.next().unwrap_or([0.0; DIM])
                    }
                })
                .collect();
        }
        let sequences: Vec<&[u32]> = sequences
            .iter()
            .map(|s| &s[..s.len().min(POSITIONS)])
            .collect();
        let rows: usize = sequences.iter().map(|s| s.len()).sum();
        if rows == 0 {
            return Vec::new();
        }
        let mut x = vec![0f32; rows * DIM];
        let mut row = 0;
        for seq in &sequences {
            for (position, &id) in seq.iter().enumerate() {
                let id = if (id as usize) < VOCAB {
                    id as usize
                } else {
                    100
                };
                let word = &self.word_embeddings[id * DIM..(id + 1) * DIM];
                let pos = &self.position_embeddings[position * DIM..(position + 1) * DIM];
                let out = &mut x[row * DIM..(row + 1) * DIM];
                for d in 0..DIM {
                    out[d] = f16_to_f32(word[d]) + pos[d] + self.token_type_embedding[d];
                }
                row += 1;
            }
        }
        layer_norm(&mut x, &self.embedding_norm);
        let lengths: Vec<usize> = sequences.iter().map(|s| s.len()).collect();
        for layer in &self.layers {
            self.layer(layer, &mut x, rows, &lengths);
        }
        let mut out = Vec::with_capacity(lengths.len());
        let mut start = 0;
        for &n in &lengths {
            let mut pooled = [0f32; DIM];
            for r in start..start + n {
                for (p, v) in pooled.iter_mut().zip(&x[r * DIM..(r + 1) * DIM]) {
                    *p += v;
                }
            }
            let norm = pooled
                .iter()
                .map(|v| (v / n as f32).powi(2))
                .sum::<f32>()
                .sqrt();
            let scale = 1.0 / (n as f32 * norm.max(1e-12));
            pooled.iter_mut().for_each(|v| *v *= scale);
            out.push(pooled);
            start += n;
        }
        out
    }

    fn layer(&self, layer: &Layer, x: &mut [f32], rows: usize, lengths: &[usize]) {
        let q = linear(x, rows, &layer.query);
        let k = linear(x, rows, &layer.key);
        let v = linear(x, rows, &layer.value);
        let mut context = vec![0f32; rows * DIM];
        let scale = 1.0 / (HEAD_DIM as f32).sqrt();
        let longest = lengths.iter().copied().max().unwrap_or(0);
        let mut weights = vec![0f32; longest];
        let mut start = 0;
        for &n in lengths {
            for h in 0..HEADS {
                let col = h * HEAD_DIM;
                for i in start..start + n {
                    let qi = &q[i * DIM + col..i * DIM + col + HEAD_DIM];
                    let mut max = f32::NEG_INFINITY;
                    for (j, w) in (start..start + n).zip(weights.iter_mut()) {
                        let kj = &k[j * DIM + col..j * DIM + col + HEAD_DIM];
                        *w = qi.iter().zip(kj).map(|(a, b)| a * b).sum::<f32>() * scale;
                        max = max.max(*w);
                    }
                    let weights = &mut weights[..n];
                    let mut sum = 0f32;
                    for w in weights.iter_mut() {
                        *w = (*w - max).exp();
                        sum += *w;
                    }
                    let out = &mut context[i * DIM + col..i * DIM + col + HEAD_DIM];
                    for (j, w) in (start..start + n).zip(weights.iter()) {
                        let p = w / sum;
                        let vj = &v[j * DIM + col..j * DIM + col + HEAD_DIM];
                        for (o, value) in out.iter_mut().zip(vj) {
                            *o += p * value;
                        }
                    }
                }
            }
            start += n;
        }
        let attended = linear(&context, rows, &layer.attention_out);
        x.iter_mut().zip(&attended).for_each(|(a, b)| *a += b);
        layer_norm(x, &layer.attention_norm);
        let mut hidden = linear(x, rows, &layer.intermediate);
        for h in hidden.iter_mut() {
            *h = 0.5 * *h * (1.0 + libm::erff(*h * std::f32::consts::FRAC_1_SQRT_2));
        }
        let out = linear(&hidden, rows, &layer.output);
        x.iter_mut().zip(&out).for_each(|(a, b)| *a += b);
        layer_norm(x, &layer.output_norm);
    }
}

/// `x [rows x in] * weight^T + bias`.
fn linear(x: &[f32], rows: usize, l: &Linear) -> Vec<f32> {
    assert_eq!(x.len(), rows * l.inp, "linear: input of the wrong width");
    let mut y = vec![0f32; rows * l.out];
    for r in y.chunks_exact_mut(l.out) {
        r.copy_from_slice(&l.bias);
    }
    // SAFETY: the pointers and strides describe `x` as rows x inp and `weight_t` as inp x out
    // and `y` as rows x out, all row-major; the lengths were checked above and by construction.
    unsafe {
        matrixmultiply::sgemm(
            rows,
            l.inp,
            l.out,
            1.0,
            x.as_ptr(),
            l.inp as isize,
            1,
            l.weight_t.as_ptr(),
            l.out as isize,
            1,
            1.0,
            y.as_mut_ptr(),
            l.out as isize,
            1,
        );
    }
    y
}

fn layer_norm(x: &mut [f32], norm: &LayerNorm) {
    for row in x.chunks_exact_mut(DIM) {
        let mean = row.iter().sum::<f32>() / DIM as f32;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / DIM as f32;
        let inv = 1.0 / (var + LN_EPS).sqrt();
        for ((v, g), b) in row.iter_mut().zip(&norm.gamma).zip(&norm.beta) {
            *v = (*v - mean) * inv * g + b;
        }
    }
}

/// The cosine of two unit-length embeddings.
pub fn cosine(a: &Embedding, b: &Embedding) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
