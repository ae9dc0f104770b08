//! Spike: all-MiniLM-L6-v2 in plain Rust (safetensors + matrixmultiply), checked against the
//! reference outputs in shared/scoring/minilm-reference.json, and timed.
use std::collections::HashMap;
use std::time::Instant;
use unicode_normalization::UnicodeNormalization;

struct Tokenizer {
    vocab: HashMap<String, u32>,
}
fn is_punct(c: char) -> bool {
    let u = c as u32;
    (33..=47).contains(&u)
        || (58..=64).contains(&u)
        || (91..=96).contains(&u)
        || (123..=126).contains(&u)
        || matches!(c, '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{205E}' | '\u{3000}'..='\u{303F}' | '¡' | '§' | '«' | '¶' | '·' | '»' | '¿')
}
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2B73F | 0x2B740..=0x2B81F | 0x2B820..=0x2CEAF | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F)
}
impl Tokenizer {
    fn load(path: &str) -> Tokenizer {
        let j: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let vocab = j["model"]["vocab"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap() as u32))
            .collect();
        Tokenizer { vocab }
    }
    fn encode(&self, text: &str) -> Vec<u32> {
        // BertNormalizer: clean text, pad CJK, strip accents (NFD, drop marks), lowercase.
        let mut clean = String::new();
        for c in text.chars() {
            if c == '\0' || c == '\u{fffd}' || (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
            {
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
        let stripped: String = clean
            .nfd()
            .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
            .collect();
        let lower = stripped.to_lowercase();
        let mut words: Vec<String> = Vec::new();
        for w in lower.split(' ').filter(|w| !w.is_empty()) {
            let mut cur = String::new();
            for c in w.chars() {
                if is_punct(c) {
                    if !cur.is_empty() {
                        words.push(std::mem::take(&mut cur));
                    }
                    words.push(c.to_string());
                } else {
                    cur.push(c);
                }
            }
            if !cur.is_empty() {
                words.push(cur);
            }
        }
        let mut ids = vec![101];
        for w in words {
            let chars: Vec<char> = w.chars().collect();
            if chars.len() > 100 {
                ids.push(100);
                continue;
            }
            let mut start = 0;
            let mut pieces = Vec::new();
            let mut bad = false;
            while start < chars.len() {
                let mut end = chars.len();
                let mut found = None;
                while start < end {
                    let mut s: String = chars[start..end].iter().collect();
                    if start > 0 {
                        s = format!("##{s}");
                    }
                    if let Some(&id) = self.vocab.get(&s) {
                        found = Some(id);
                        break;
                    }
                    end -= 1;
                }
                match found {
                    Some(id) => {
                        pieces.push(id);
                        start = end;
                    }
                    None => {
                        bad = true;
                        break;
                    }
                }
            }
            if bad {
                ids.push(100);
            } else {
                ids.extend(pieces);
            }
        }
        ids.truncate(255);
        ids.push(102);
        ids
    }
}

struct Linear {
    w: Vec<f32>,
    b: Vec<f32>,
    out: usize,
    inp: usize,
}
struct Ln {
    g: Vec<f32>,
    b: Vec<f32>,
}
struct Layer {
    q: Linear,
    k: Linear,
    v: Linear,
    o: Linear,
    ln1: Ln,
    i: Linear,
    o2: Linear,
    ln2: Ln,
}
struct Model {
    word: Vec<f32>,
    pos: Vec<f32>,
    typ: Vec<f32>,
    ln: Ln,
    layers: Vec<Layer>,
}
const H: usize = 384;

fn t(st: &safetensors::SafeTensors, name: &str) -> Vec<f32> {
    let v = st.tensor(name).unwrap();
    v.data()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}
impl Model {
    fn load(path: &str) -> Model {
        let bytes = std::fs::read(path).unwrap();
        let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
        let lin = |p: &str, out: usize, inp: usize| Linear {
            w: t(&st, &format!("{p}.weight")),
            b: t(&st, &format!("{p}.bias")),
            out,
            inp,
        };
        let ln = |p: &str| Ln {
            g: t(&st, &format!("{p}.weight")),
            b: t(&st, &format!("{p}.bias")),
        };
        let layers = (0..6)
            .map(|l| {
                let p = format!("encoder.layer.{l}");
                Layer {
                    q: lin(&format!("{p}.attention.self.query"), H, H),
                    k: lin(&format!("{p}.attention.self.key"), H, H),
                    v: lin(&format!("{p}.attention.self.value"), H, H),
                    o: lin(&format!("{p}.attention.output.dense"), H, H),
                    ln1: ln(&format!("{p}.attention.output.LayerNorm")),
                    i: lin(&format!("{p}.intermediate.dense"), 1536, H),
                    o2: lin(&format!("{p}.output.dense"), H, 1536),
                    ln2: ln(&format!("{p}.output.LayerNorm")),
                }
            })
            .collect();
        Model {
            word: t(&st, "embeddings.word_embeddings.weight"),
            pos: t(&st, "embeddings.position_embeddings.weight"),
            typ: t(&st, "embeddings.token_type_embeddings.weight"),
            ln: ln("embeddings.LayerNorm"),
            layers,
        }
    }
}
/// y[n x out] = x[n x inp] * W^T + b, W stored [out x inp].
fn linear(x: &[f32], n: usize, l: &Linear) -> Vec<f32> {
    let mut y = vec![0f32; n * l.out];
    for r in 0..n {
        y[r * l.out..(r + 1) * l.out].copy_from_slice(&l.b);
    }
    unsafe {
        matrixmultiply::sgemm(
            n,
            l.inp,
            l.out,
            1.0,
            x.as_ptr(),
            l.inp as isize,
            1,
            l.w.as_ptr(),
            1,
            l.inp as isize,
            1.0,
            y.as_mut_ptr(),
            l.out as isize,
            1,
        );
    }
    y
}
fn layer_norm(x: &mut [f32], ln: &Ln) {
    for row in x.chunks_exact_mut(H) {
        let mean = row.iter().sum::<f32>() / H as f32;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / H as f32;
        let inv = 1.0 / (var + 1e-12).sqrt();
        for (i, v) in row.iter_mut().enumerate() {
            *v = (*v - mean) * inv * ln.g[i] + ln.b[i];
        }
    }
}
fn embed(m: &Model, ids: &[u32]) -> Vec<f32> {
    let n = ids.len();
    let mut x = vec![0f32; n * H];
    for (i, &id) in ids.iter().enumerate() {
        for d in 0..H {
            x[i * H + d] = m.word[id as usize * H + d] + m.pos[i * H + d] + m.typ[d];
        }
    }
    layer_norm(&mut x, &m.ln);
    let (heads, hd) = (12, 32);
    for l in &m.layers {
        let (q, k, v) = (
            linear(&x, n, &l.q),
            linear(&x, n, &l.k),
            linear(&x, n, &l.v),
        );
        let mut ctx = vec![0f32; n * H];
        let scale = 1.0 / (hd as f32).sqrt();
        let mut scores = vec![0f32; n];
        for h in 0..heads {
            for i in 0..n {
                let mut max = f32::NEG_INFINITY;
                for j in 0..n {
                    let mut s = 0f32;
                    for d in 0..hd {
                        s += q[i * H + h * hd + d] * k[j * H + h * hd + d];
                    }
                    scores[j] = s * scale;
                    max = max.max(scores[j]);
                }
                let mut sum = 0f32;
                for s in scores.iter_mut() {
                    *s = (*s - max).exp();
                    sum += *s;
                }
                for j in 0..n {
                    let p = scores[j] / sum;
                    for d in 0..hd {
                        ctx[i * H + h * hd + d] += p * v[j * H + h * hd + d];
                    }
                }
            }
        }
        let a = linear(&ctx, n, &l.o);
        for (xi, ai) in x.iter_mut().zip(&a) {
            *xi += ai;
        }
        layer_norm(&mut x, &l.ln1);
        let mut inter = linear(&x, n, &l.i);
        for v in inter.iter_mut() {
            *v = 0.5 * *v * (1.0 + libm::erff(*v / std::f32::consts::SQRT_2));
        }
        let o = linear(&inter, n, &l.o2);
        for (xi, oi) in x.iter_mut().zip(&o) {
            *xi += oi;
        }
        layer_norm(&mut x, &l.ln2);
    }
    let mut pooled = vec![0f32; H];
    for row in x.chunks_exact(H) {
        for d in 0..H {
            pooled[d] += row[d];
        }
    }
    for v in pooled.iter_mut() {
        *v /= n as f32;
    }
    let norm = pooled.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
    pooled.iter().map(|v| v / norm).collect()
}

fn main() {
    // Usage: minilm-spike MODEL_DIR REFERENCE_JSON
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).map_or("model", String::as_str);
    let reference_path = args.get(2).map_or(
        "../../../shared/scoring/minilm-reference.json",
        String::as_str,
    );
    let t0 = Instant::now();
    let tok = Tokenizer::load(&format!("{dir}/tokenizer.json"));
    let model = Model::load(&format!("{dir}/model.safetensors"));
    println!("load: {:?}", t0.elapsed());
    let reference: serde_json::Value =
        serde_json::from_slice(&std::fs::read(reference_path).unwrap()).unwrap();
    let sentences = reference["sentences"].as_array().unwrap();
    let mut embs = Vec::new();
    let mut worst = 0f32;
    for s in sentences {
        let text = s["text"].as_str().unwrap();
        let ids = tok.encode(text);
        let want: Vec<u32> = s["token_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u32)
            .collect();
        if ids != want {
            println!("TOKENS DIFFER for {text:?}: {ids:?} vs {want:?}");
        }
        let e = embed(&model, &want);
        for (i, w) in s["embedding_first_8"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            worst = worst.max((e[i] - w.as_f64().unwrap() as f32).abs());
        }
        embs.push(e);
    }
    let mut worst_cos = 0f32;
    for (k, v) in reference["cosine"].as_object().unwrap() {
        let (a, b) = k.split_once('-').unwrap();
        let (a, b): (usize, usize) = (a.parse().unwrap(), b.parse().unwrap());
        let c: f32 = embs[a].iter().zip(&embs[b]).map(|(x, y)| x * y).sum();
        worst_cos = worst_cos.max((c - v.as_f64().unwrap() as f32).abs());
    }
    println!("max |embedding diff| over first 8 dims: {worst:e}; max |cosine diff|: {worst_cos:e}");
    let reply = "I'm so sorry, Dana - two missed deliveries on a birthday present is really stressful. Your parcel is being held at our Eastfield depot after a failed scan. I've asked for it to go on the priority van, so it will arrive this Thursday, 13 June, before 6 pm - in time for Saturday.";
    let ids = tok.encode(reply);
    let mut times = Vec::new();
    let first = embed(&model, &ids);
    for _ in 0..30 {
        let t = Instant::now();
        let e = embed(&model, &ids);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(e, first, "deterministic");
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "reply of {} words, {} tokens: median {:.1} ms, min {:.1} ms (30 runs, one thread, bit-identical each run)",
        reply.split_whitespace().count(),
        ids.len(),
        times[15],
        times[0]
    );
    let clause = "that's the last thing you need before the party";
    let ids = tok.encode(clause);
    let mut times = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        embed(&model, &ids);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!("clause of {} tokens: median {:.2} ms", ids.len(), times[15]);
}
