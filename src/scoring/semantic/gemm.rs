//! The encoder's dense layers, `x · Wᵀ + b`, with the weights packed once at load into panels
//! of 16 output columns. The general-purpose product the encoder used before packed the whole
//! weight matrix again on every call: 42 MB copied per reply, 40% of its time. For a float16
//! model (the shipped one) on x86-64 with AVX2, FMA and F16C (any desktop since about 2013)
//! each output is one chain of fused multiply-adds
//! over the inputs in order, starting from the bias, so every such CPU and any split of the
//! columns over threads give the same bits. Other CPUs, and float32 models, run each panel
//! through `matrixmultiply`,
//! whose sums are ordered differently: the same bits on one machine, last-place differences
//! from an x86 one.

use super::weights::f16_to_f32;

/// Output columns per panel: two 8-lane AVX registers.
pub const PANEL: usize = 16;
/// Rows computed together by the AVX2 kernel: 6 rows × 2 registers of accumulators, plus the
/// two weight registers and a broadcast, fill 15 of the 16 AVX registers.
const ROWS: usize = 6;

/// A dense layer's weights in panels: for panel `p`, for each input `i`, the 16 weights of
/// outputs `16p..16p+16` (contiguous), so a kernel streams each panel once per block of rows.
#[derive(Clone)]
pub struct PackedWeights {
    panels: Panels,
    bias: Vec<f32>,
    /// Inputs.
    pub inp: usize,
    /// Outputs, a multiple of [`PANEL`].
    pub out: usize,
}

/// The panels' numbers. The shipped model is float16, and the AVX2 kernel widens it as it
/// goes (exactly: every float16 is a float32), streaming half the bytes; other CPUs get it
/// widened once at load.
#[derive(Clone)]
enum Panels {
    Half(Vec<u16>),
    Single(Vec<f32>),
}

impl PackedWeights {
    /// Packs a checkpoint's `[out x in]` row-major float16 weight (as bits) and its bias.
    pub fn pack_half(bits: &[u16], bias: &[f32], out: usize, inp: usize) -> Result<Self, String> {
        check(bits.len(), bias.len(), out, inp)?;
        let panels = if Kernel::detect() == Kernel::Avx2 {
            Panels::Half(to_panels(bits, out, inp))
        } else {
            Panels::Single(
                to_panels(bits, out, inp)
                    .into_iter()
                    .map(f16_to_f32)
                    .collect(),
            )
        };
        Ok(PackedWeights {
            panels,
            bias: bias.to_vec(),
            inp,
            out,
        })
    }

    /// Packs a checkpoint's `[out x in]` row-major float32 weight and its bias.
    pub fn pack(weight: &[f32], bias: &[f32], out: usize, inp: usize) -> Result<Self, String> {
        check(weight.len(), bias.len(), out, inp)?;
        Ok(PackedWeights {
            panels: Panels::Single(to_panels(weight, out, inp)),
            bias: bias.to_vec(),
            inp,
            out,
        })
    }

    /// Weight `i` of column `c` of panel `p`, as float32 (for tests).
    #[cfg(test)]
    fn weight(&self, p: usize, i: usize, c: usize) -> f32 {
        let at = (p * self.inp + i) * PANEL + c;
        match &self.panels {
            Panels::Half(h) => f16_to_f32(h[at]),
            Panels::Single(s) => s[at],
        }
    }
}

fn check(weights: usize, bias: usize, out: usize, inp: usize) -> Result<(), String> {
    if !out.is_multiple_of(PANEL) || weights != out * inp || bias != out {
        return Err(format!(
            "a {out}x{inp} layer cannot be packed (its outputs must be a multiple of {PANEL})"
        ));
    }
    Ok(())
}

fn to_panels<T: Copy + Default>(weight: &[T], out: usize, inp: usize) -> Vec<T> {
    let mut panels = vec![T::default(); out * inp];
    for p in 0..out / PANEL {
        for i in 0..inp {
            for c in 0..PANEL {
                panels[(p * inp + i) * PANEL + c] = weight[(p * PANEL + c) * inp + i];
            }
        }
    }
    panels
}

/// The output, shared by threads that each write their own panels' columns of it.
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

/// Products smaller than this many multiply-adds run on one thread: below it, starting a
/// second costs more than it saves.
const PARALLEL_MIN_WORK: usize = 1 << 21;

/// `x [rows x inp] · Wᵀ + b` on up to `threads` threads, each taking whole panels.
pub fn linear(x: &[f32], rows: usize, w: &PackedWeights, threads: usize) -> Vec<f32> {
    assert_eq!(x.len(), rows * w.inp, "linear: input of the wrong width");
    let mut y = vec![0f32; rows * w.out];
    if rows == 0 {
        // No output to point into: the kernels' pointer offsets need a buffer.
        return y;
    }
    let panels = w.out / PANEL;
    let parts = if rows * w.inp * w.out >= PARALLEL_MIN_WORK {
        threads.clamp(1, panels)
    } else {
        1
    };
    let out = Output(y.as_mut_ptr());
    let run = &|from: usize, to: usize| {
        for p in from..to {
            // SAFETY: `y` is rows x out; panel p's columns are this thread's alone.
            unsafe { panel(x, rows, w, p, out.ptr()) };
        }
    };
    if parts == 1 {
        run(0, panels);
    } else {
        let share = panels.div_ceil(parts);
        std::thread::scope(|scope| {
            let others: Vec<_> = (1..parts)
                .map(|t| (t * share, ((t + 1) * share).min(panels)))
                .filter(|(from, to)| from < to)
                .map(|(from, to)| scope.spawn(move || run(from, to)))
                .collect();
            run(0, share.min(panels));
            for other in others {
                if let Err(panic) = other.join() {
                    std::panic::resume_unwind(panic);
                }
            }
        });
    }
    y
}

/// Which kernel this CPU runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// x86-64 with AVX2, FMA and F16C: fused multiply-add chains, inputs in order.
    Avx2,
    /// Anything else: `matrixmultiply`, one panel at a time.
    General,
}

impl Kernel {
    /// The kernel this CPU runs.
    pub fn detect() -> Kernel {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
            && std::arch::is_x86_feature_detected!("f16c")
        {
            return Kernel::Avx2;
        }
        Kernel::General
    }
}

/// Panel `p`'s 16 columns of every row of `y`.
///
/// # Safety
/// `y` points at `rows x w.out` floats that no one else writes in these columns, and `x` holds
/// `rows x w.inp`.
unsafe fn panel(x: &[f32], rows: usize, w: &PackedWeights, p: usize, y: *mut f32) {
    match &w.panels {
        // SAFETY: half panels are only made where detect() saw AVX2, FMA and F16C; the caller
        // vouches for the pointers.
        #[cfg(target_arch = "x86_64")]
        Panels::Half(half) => unsafe { avx2::panel(x, rows, w, half, p, y) },
        #[cfg(not(target_arch = "x86_64"))]
        Panels::Half(_) => unreachable!("half panels are made for the AVX2 kernel only"),
        Panels::Single(single) => unsafe { general_panel(x, rows, w, single, p, y) },
    }
}

/// Panel `p` through `matrixmultiply`: the panel is an `inp x 16` row-major matrix.
///
/// # Safety
/// As [`panel`].
unsafe fn general_panel(
    x: &[f32],
    rows: usize,
    w: &PackedWeights,
    panels: &[f32],
    p: usize,
    y: *mut f32,
) {
    // SAFETY: the caller's contract; the bias is copied in first, then added to.
    unsafe {
        let out = y.add(p * PANEL);
        for r in 0..rows {
            std::ptr::copy_nonoverlapping(w.bias[p * PANEL..].as_ptr(), out.add(r * w.out), PANEL);
        }
        matrixmultiply::sgemm(
            rows,
            w.inp,
            PANEL,
            1.0,
            x.as_ptr(),
            w.inp as isize,
            1,
            panels[p * w.inp * PANEL..].as_ptr(),
            PANEL as isize,
            1,
            1.0,
            out,
            w.out as isize,
            1,
        );
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{PANEL, PackedWeights, ROWS};
    use std::arch::x86_64::*;

    /// One input broadcast to all 8 lanes. Through `_mm_load_ss`, which takes a raw pointer:
    /// a reference (`_mm256_broadcast_ss(&*p)`) would get a debug-build alignment check on
    /// every load of the inner loop.
    #[inline(always)]
    unsafe fn splat(p: *const f32) -> __m256 {
        // SAFETY: the caller's pointer is in bounds; AVX2 is enabled where this is inlined.
        unsafe { _mm256_broadcastss_ps(_mm_load_ss(p)) }
    }

    /// Eight float16 weights widened to float32.
    #[inline(always)]
    unsafe fn widen(p: *const u16) -> __m256 {
        // SAFETY: the caller's 8 halves are in bounds; F16C is enabled where this is inlined.
        unsafe { _mm256_cvtph_ps(_mm_loadu_si128(p.cast())) }
    }

    /// # Safety
    /// The CPU has AVX2, FMA and F16C; as [`super::panel`] otherwise.
    #[target_feature(enable = "avx2,fma,f16c")]
    pub unsafe fn panel(
        x: &[f32],
        rows: usize,
        w: &PackedWeights,
        half: &[u16],
        p: usize,
        y: *mut f32,
    ) {
        let panel = half[p * w.inp * PANEL..(p + 1) * w.inp * PANEL].as_ptr();
        let bias = w.bias[p * PANEL..].as_ptr();
        let (inp, out) = (w.inp, w.out);
        let mut r = 0;
        // SAFETY (whole body): every x read is at row < rows, input < inp; every panel read at
        // input < inp within the panel's inp x 16; every y write at row < rows in this panel's
        // columns. The inner loops step raw pointers with `wrapping_add`: this crate builds at
        // opt-level 1 with debug assertions in the dev profile, and checked index arithmetic
        // there cost more than the multiply-adds.
        unsafe {
            let b0 = _mm256_loadu_ps(bias);
            let b1 = _mm256_loadu_ps(bias.add(8));
            while r + ROWS <= rows {
                let mut x0 = x.as_ptr().add(r * inp);
                let mut x1 = x0.wrapping_add(inp);
                let mut x2 = x1.wrapping_add(inp);
                let mut x3 = x2.wrapping_add(inp);
                let mut x4 = x3.wrapping_add(inp);
                let mut x5 = x4.wrapping_add(inp);
                let mut wp = panel;
                // Written out, not as arrays over rows, so they stay in registers at opt-level 1.
                let (mut a00, mut a01, mut a10, mut a11, mut a20, mut a21) =
                    (b0, b1, b0, b1, b0, b1);
                let (mut a30, mut a31, mut a40, mut a41, mut a50, mut a51) =
                    (b0, b1, b0, b1, b0, b1);
                for _ in 0..inp {
                    let w0 = widen(wp);
                    let w1 = widen(wp.wrapping_add(8));
                    wp = wp.wrapping_add(PANEL);
                    let v = splat(x0);
                    a00 = _mm256_fmadd_ps(v, w0, a00);
                    a01 = _mm256_fmadd_ps(v, w1, a01);
                    let v = splat(x1);
                    a10 = _mm256_fmadd_ps(v, w0, a10);
                    a11 = _mm256_fmadd_ps(v, w1, a11);
                    let v = splat(x2);
                    a20 = _mm256_fmadd_ps(v, w0, a20);
                    a21 = _mm256_fmadd_ps(v, w1, a21);
                    let v = splat(x3);
                    a30 = _mm256_fmadd_ps(v, w0, a30);
                    a31 = _mm256_fmadd_ps(v, w1, a31);
                    let v = splat(x4);
                    a40 = _mm256_fmadd_ps(v, w0, a40);
                    a41 = _mm256_fmadd_ps(v, w1, a41);
                    let v = splat(x5);
                    a50 = _mm256_fmadd_ps(v, w0, a50);
                    a51 = _mm256_fmadd_ps(v, w1, a51);
                    x0 = x0.wrapping_add(1);
                    x1 = x1.wrapping_add(1);
                    x2 = x2.wrapping_add(1);
                    x3 = x3.wrapping_add(1);
                    x4 = x4.wrapping_add(1);
                    x5 = x5.wrapping_add(1);
                }
                let o = y.add(r * out + p * PANEL);
                _mm256_storeu_ps(o, a00);
                _mm256_storeu_ps(o.wrapping_add(8), a01);
                let o = o.wrapping_add(out);
                _mm256_storeu_ps(o, a10);
                _mm256_storeu_ps(o.wrapping_add(8), a11);
                let o = o.wrapping_add(out);
                _mm256_storeu_ps(o, a20);
                _mm256_storeu_ps(o.wrapping_add(8), a21);
                let o = o.wrapping_add(out);
                _mm256_storeu_ps(o, a30);
                _mm256_storeu_ps(o.wrapping_add(8), a31);
                let o = o.wrapping_add(out);
                _mm256_storeu_ps(o, a40);
                _mm256_storeu_ps(o.wrapping_add(8), a41);
                let o = o.wrapping_add(out);
                _mm256_storeu_ps(o, a50);
                _mm256_storeu_ps(o.wrapping_add(8), a51);
                r += ROWS;
            }
            while r < rows {
                let mut xr = x.as_ptr().add(r * inp);
                let mut wp = panel;
                let (mut a0, mut a1) = (b0, b1);
                for _ in 0..inp {
                    let v = splat(xr);
                    a0 = _mm256_fmadd_ps(v, widen(wp), a0);
                    a1 = _mm256_fmadd_ps(v, widen(wp.wrapping_add(8)), a1);
                    wp = wp.wrapping_add(PANEL);
                    xr = xr.wrapping_add(1);
                }
                let o = y.add(r * out + p * PANEL);
                _mm256_storeu_ps(o, a0);
                _mm256_storeu_ps(o.wrapping_add(8), a1);
                r += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A layer and an input with values that make every rounding count: float16 weights
    /// (as the shipped model has) or float32 ones, and the exact products in float64.
    fn fixture(
        rows: usize,
        inp: usize,
        out: usize,
        half: bool,
    ) -> (Vec<f32>, PackedWeights, Vec<f32>) {
        let mut state = 0x2545_f491_u32;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state
        };
        let mut unit = || (next() as f32 / u32::MAX as f32) * 2.0 - 1.0;
        let x: Vec<f32> = (0..rows * inp).map(|_| unit()).collect();
        let bias: Vec<f32> = (0..out).map(|_| unit()).collect();
        let mut state = 0x9e37_79b9_u32;
        // Sign, an exponent for 1/32 to 1/2, and any mantissa.
        let bits: Vec<u16> = (0..out * inp)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                ((state >> 31) << 15 | (10 + (state >> 8) % 4) << 10 | (state & 0x3ff)) as u16
            })
            .collect();
        let weight: Vec<f32> = bits.iter().map(|&b| f16_to_f32(b)).collect();
        let packed = if half {
            PackedWeights::pack_half(&bits, &bias, out, inp).unwrap()
        } else {
            PackedWeights::pack(&weight, &bias, out, inp).unwrap()
        };
        let mut want = vec![0f32; rows * out];
        for r in 0..rows {
            for o in 0..out {
                let sum: f64 = f64::from(bias[o])
                    + (0..inp)
                        .map(|i| f64::from(x[r * inp + i]) * f64::from(weight[o * inp + i]))
                        .sum::<f64>();
                want[r * out + o] = sum as f32;
            }
        }
        (x, packed, want)
    }

    /// Each output a chain of `mul_add` from the bias, inputs in order: what the AVX2 kernel
    /// must match bit for bit.
    fn fma_chains(x: &[f32], rows: usize, w: &PackedWeights) -> Vec<f32> {
        let mut y = vec![0f32; rows * w.out];
        for p in 0..w.out / PANEL {
            for r in 0..rows {
                for c in 0..PANEL {
                    let mut acc = w.bias[p * PANEL + c];
                    for i in 0..w.inp {
                        acc = x[r * w.inp + i].mul_add(w.weight(p, i, c), acc);
                    }
                    y[r * w.out + p * PANEL + c] = acc;
                }
            }
        }
        y
    }

    #[test]
    fn products_are_right_and_the_same_bits_as_fma_chains_on_any_thread_count() {
        let shapes = [(55, 384, 1536), (13, 1536, 384), (1, 384, 384), (7, 40, 32)];
        for ((rows, inp, out), half) in shapes.into_iter().flat_map(|s| [(s, true), (s, false)]) {
            let (x, w, want) = fixture(rows, inp, out, half);
            let chains = fma_chains(&x, rows, &w);
            let one = linear(&x, rows, &w, 1);
            for (got, exact) in one.iter().zip(&want) {
                assert!((got - exact).abs() < 1e-4, "{got} vs {exact}");
            }
            if half && Kernel::detect() == Kernel::Avx2 {
                assert!(
                    one.iter()
                        .zip(&chains)
                        .all(|(a, b)| a.to_bits() == b.to_bits()),
                    "{rows}x{inp}x{out}: the AVX2 kernel differs from the fused multiply-add chains"
                );
            }
            for threads in [2, 3] {
                let y = linear(&x, rows, &w, threads);
                assert!(
                    y.iter().zip(&one).all(|(a, b)| a.to_bits() == b.to_bits()),
                    "{rows}x{inp}x{out} on {threads} threads differs from one thread"
                );
            }
        }
    }

    #[test]
    fn a_layer_that_does_not_fill_whole_panels_is_refused() {
        assert!(PackedWeights::pack(&[0.0; 20], &[0.0; 10], 10, 2).is_err());
    }
}
