//! all-MiniLM-L6-v2's forward pass: six BERT layers of 384 dimensions and 12 heads, mean pooling
//! and L2 normalisation, exactly as sentence-transformers runs it. The dense layers run on
//! weights packed once at load ([`gemm`]), split by output column over two threads; attention's
//! small products go through `matrixmultiply`. Every sum is taken in a fixed order whatever the
//! thread count, so the same text gives bit-identical embeddings on a machine. Several sentences
//! run as one batch: their rows share each dense layer (which is where the time goes) while
//! attention stays within a sentence.

use super::gemm::{self, PackedWeights};
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

/// A dense layer, packed for [`gemm::linear`].
type Linear = PackedWeights;

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
            let weight = format!("{name}.weight");
            let bias = st.f32_tensor(&format!("{name}.bias"), &[out])?;
            // The shipped model is float16; a float32 checkpoint works too, a little slower.
            match st.f16_bits(&weight, &[out, inp]) {
                Ok(bits) => PackedWeights::pack_half(&bits, &bias, out, inp),
                Err(_) => {
                    PackedWeights::pack(&st.f32_tensor(&weight, &[out, inp])?, &bias, out, inp)
                }
            }
            .map_err(|e| format!("{name}: {e}"))
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
        let mut weights = vec![0f32; longest * longest];
        let mut start = 0;
        for &n in lengths {
            for h in 0..HEADS {
                let at = start * DIM + h * HEAD_DIM;
                let weights = &mut weights[..n * n];
                // scores = scale * Q_h K_h^T: the head's columns of q and k, read in place
                // through strides (K transposed by swapping its strides).
                // SAFETY: q and k hold `rows` rows of DIM; rows start..start+n and columns
                // at..at+HEAD_DIM of each lie inside them; `weights` is n x n.
                unsafe {
                    matrixmultiply::sgemm(
                        n,
                        HEAD_DIM,
                        n,
                        scale,
                        q[at..].as_ptr(),
                        DIM as isize,
                        1,
                        k[at..].as_ptr(),
                        1,
                        DIM as isize,
                        0.0,
                        weights.as_mut_ptr(),
                        n as isize,
                        1,
                    );
                }
                for row in weights.chunks_exact_mut(n) {
                    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                    let mut sum = 0f32;
                    for w in row.iter_mut() {
                        *w = (*w - max).exp();
                        sum += *w;
                    }
                    let inv = 1.0 / sum;
                    row.iter_mut().for_each(|w| *w *= inv);
                }
                // context_h = softmax(scores) V_h, written into the head's columns.
                // SAFETY: as above for v and context; `weights` is n x n.
                unsafe {
                    matrixmultiply::sgemm(
                        n,
                        n,
                        HEAD_DIM,
                        1.0,
                        weights.as_ptr(),
                        n as isize,
                        1,
                        v[at..].as_ptr(),
                        DIM as isize,
                        1,
                        0.0,
                        context[at..].as_mut_ptr(),
                        DIM as isize,
                        1,
                    );
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

/// How many threads a large matrix product is split over: `HOLDLINE_SCORER_THREADS` (1 keeps a
/// core free), else two, or one on a single-core machine. Every thread count gives the same
/// bits: the split is by output column, and each column's sums run in the same order.
fn threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| {
        std::env::var("HOLDLINE_SCORER_THREADS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(2)
            .clamp(1, 8)
            .min(std::thread::available_parallelism().map_or(1, |n| n.get()))
    })
}

thread_local! {
    /// Set on threads that already share a larger job among the cores (a rescore's attempts):
    /// splitting each product again there only makes threads wait for each other.
    static ONE_THREAD_HERE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with this thread's matrix products kept on it. Scores are the same either way.
pub fn on_this_thread_only<R>(f: impl FnOnce() -> R) -> R {
    let before = ONE_THREAD_HERE.with(|c| c.replace(true));
    let out = f();
    ONE_THREAD_HERE.with(|c| c.set(before));
    out
}

/// `x [rows x in] * weight^T + bias`.
fn linear(x: &[f32], rows: usize, l: &Linear) -> Vec<f32> {
    let threads = if ONE_THREAD_HERE.with(std::cell::Cell::get) {
        1
    } else {
        threads()
    };
    gemm::linear(x, rows, l, threads)
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
