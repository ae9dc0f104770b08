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

/// Products smaller than this many multiply-adds run on one thread: below it, starting a
/// second costs more than it saves.
const PARALLEL_MIN_WORK: usize = 1 << 21;

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

/// The output matrix, shared by threads that each write their own columns of it.
#[derive(Clone, Copy)]
struct Output(*mut f32);
// SAFETY: threads given an `Output` write disjoint columns, and the owner waits for them.
unsafe impl Send for Output {}
unsafe impl Sync for Output {}

impl Output {
    fn ptr(self) -> *mut f32 {
        self.0
    }
}

/// `x [rows x in] * weight^T + bias`.
fn linear(x: &[f32], rows: usize, l: &Linear) -> Vec<f32> {
    linear_on(x, rows, l, threads())
}

fn linear_on(x: &[f32], rows: usize, l: &Linear, threads: usize) -> Vec<f32> {
    assert_eq!(x.len(), rows * l.inp, "linear: input of the wrong width");
    let mut y = vec![0f32; rows * l.out];
    for r in y.chunks_exact_mut(l.out) {
        r.copy_from_slice(&l.bias);
    }
    let parts = if rows * l.inp * l.out >= PARALLEL_MIN_WORK {
        threads.max(1)
    } else {
        1
    };
    // Column blocks a multiple of 16 wide, so each matches whole kernel tiles.
    let width = l.out.div_ceil(parts).div_ceil(16) * 16;
    let out = Output(y.as_mut_ptr());
    let columns = &|from: usize| {
        let n = width.min(l.out - from);
        // SAFETY: `x` is rows x inp, `weight_t` inp x out and `y` rows x out, all row-major
        // (lengths checked above and by construction); columns from..from+n lie inside out,
        // and no other thread writes them.
        unsafe {
            matrixmultiply::sgemm(
                rows,
                l.inp,
                n,
                1.0,
                x.as_ptr(),
                l.inp as isize,
                1,
                l.weight_t.as_ptr().add(from),
                l.out as isize,
                1,
                1.0,
                out.ptr().add(from),
                l.out as isize,
                1,
            );
        }
    };
    let starts: Vec<usize> = (0..l.out).step_by(width.max(1)).collect();
    if starts.len() <= 1 {
        columns(0);
    } else {
        std::thread::scope(|scope| {
            let others: Vec<_> = starts[1..]
                .iter()
                .map(|&from| scope.spawn(move || columns(from)))
                .collect();
            columns(0);
            for other in others {
                if let Err(panic) = other.join() {
                    std::panic::resume_unwind(panic);
                }
            }
        });
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A product big enough to be split, with values that make every rounding count.
    fn fixture(rows: usize, inp: usize, out: usize) -> (Vec<f32>, Linear) {
        let mut state = 0x2545_f491_u32;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state as f32 / u32::MAX as f32) * 2.0 - 1.0
        };
        let x = (0..rows * inp).map(|_| next()).collect();
        let linear = Linear {
            weight_t: (0..inp * out).map(|_| next() * 0.1).collect(),
            bias: (0..out).map(|_| next()).collect(),
            out,
            inp,
        };
        (x, linear)
    }

    #[test]
    fn a_product_split_over_threads_gives_the_same_bits_as_one_thread() {
        for (rows, inp, out) in [(55, 384, 1536), (37, 1536, 384), (9, 384, 384)] {
            let (x, l) = fixture(rows, inp, out);
            let one = linear_on(&x, rows, &l, 1);
            for threads in [2, 3, 4] {
                let split = linear_on(&x, rows, &l, threads);
                let same = one
                    .iter()
                    .zip(&split)
                    .all(|(a, b)| a.to_bits() == b.to_bits());
                assert!(same, "{rows}x{inp}x{out} on {threads} threads differs");
            }
        }
    }

    #[test]
    fn a_product_matches_the_sums_written_out() {
        let (x, l) = fixture(3, 40, 24);
        let y = linear_on(&x, 3, &l, 2);
        for r in 0..3 {
            for o in 0..24 {
                let want: f64 = f64::from(l.bias[o])
                    + (0..40)
                        .map(|i| f64::from(x[r * 40 + i]) * f64::from(l.weight_t[i * 24 + o]))
                        .sum::<f64>();
                assert!((f64::from(y[r * 24 + o]) - want).abs() < 1e-4);
            }
        }
    }
}
