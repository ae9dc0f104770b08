//! Reads the model's safetensors file: a little-endian header length, a JSON header naming each
//! tensor's dtype, shape and byte range, then the data. Only what the encoder needs: float16 or
//! float32 tensors, widened to f32. Every length and offset is checked, so a truncated or edited
//! file is an error that names the tensor, never a panic.

use std::collections::HashMap;

use serde::Deserialize;

/// One tensor's entry in the header.
#[derive(Debug, Deserialize)]
struct TensorInfo {
    dtype: String,
    shape: Vec<usize>,
    data_offsets: (usize, usize),
}

/// A parsed safetensors file, borrowing its bytes.
pub struct SafeTensors<'a> {
    tensors: HashMap<String, TensorInfo>,
    data: &'a [u8],
}

impl<'a> SafeTensors<'a> {
    /// Parses the header of `bytes`.
    pub fn parse(bytes: &'a [u8]) -> Result<SafeTensors<'a>, String> {
        let len_bytes: [u8; 8] = bytes
            .get(..8)
            .and_then(|b| b.try_into().ok())
            .ok_or("the file is shorter than a safetensors header")?;
        let header_len = usize::try_from(u64::from_le_bytes(len_bytes))
            .map_err(|_| "the header length does not fit in memory")?;
        let header_end = 8usize
            .checked_add(header_len)
            .filter(|&end| end <= bytes.len())
            .ok_or("the header runs past the end of the file")?;
        let raw: HashMap<String, serde_json::Value> = serde_json::from_slice(&bytes[8..header_end])
            .map_err(|e| format!("the header is not valid JSON: {e}"))?;
        let mut tensors = HashMap::new();
        for (name, value) in raw {
            if name == "__metadata__" {
                continue;
            }
            let info: TensorInfo = serde_json::from_value(value)
                .map_err(|e| format!("tensor {name}: bad header entry: {e}"))?;
            tensors.insert(name, info);
        }
        Ok(SafeTensors {
            tensors,
            data: &bytes[header_end..],
        })
    }

    /// The tensor `name` as f32 values, checked to have `shape`.
    pub fn f32_tensor(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, String> {
        let (info, raw) = self.raw(name, shape)?;
        match info.dtype.as_str() {
            "F16" => Ok(raw
                .chunks_exact(2)
                .map(|b| f16_to_f32(u16::from_le_bytes([b[0], b[1]])))
                .collect()),
            "F32" => Ok(raw
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect()),
            other => Err(format!("tensor {name}: dtype {other}, expected F16 or F32")),
        }
    }

    /// The tensor `name` as raw float16 bits (for a table read a row at a time), checked to have
    /// `shape`.
    pub fn f16_bits(&self, name: &str, shape: &[usize]) -> Result<Vec<u16>, String> {
        let (info, raw) = self.raw(name, shape)?;
        if info.dtype != "F16" {
            return Err(format!("tensor {name}: dtype {}, expected F16", info.dtype));
        }
        Ok(raw
            .chunks_exact(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .collect())
    }

    fn raw(&self, name: &str, shape: &[usize]) -> Result<(&TensorInfo, &'a [u8]), String> {
        let info = self
            .tensors
            .get(name)
            .ok_or_else(|| format!("tensor {name} is missing"))?;
        if info.shape != shape {
            return Err(format!(
                "tensor {name}: shape {:?}, expected {shape:?}",
                info.shape
            ));
        }
        let width = match info.dtype.as_str() {
            "F16" => 2,
            "F32" => 4,
            other => return Err(format!("tensor {name}: unsupported dtype {other}")),
        };
        let (start, end) = info.data_offsets;
        let expected = shape.iter().product::<usize>() * width;
        if end < start || end - start != expected {
            return Err(format!(
                "tensor {name}: {} bytes of data for {expected} expected",
                end.saturating_sub(start)
            ));
        }
        let raw = self
            .data
            .get(start..end)
            .ok_or_else(|| format!("tensor {name}: its data runs past the end of the file"))?;
        Ok((info, raw))
    }
}

/// Widens an IEEE 754 half-precision value to single precision, exactly.
pub fn f16_to_f32(bits: u16) -> f32 {
    let sign = u32::from(bits >> 15) << 31;
    let exponent = u32::from((bits >> 10) & 0x1f);
    let mantissa = u32::from(bits & 0x3ff);
    let magnitude = match (exponent, mantissa) {
        (0, 0) => 0,
        (0, m) => {
            // A subnormal half is m * 2^-24: normalise it for f32.
            let shift = m.leading_zeros() - 21;
            let m = (m << shift) & 0x3ff;
            ((127 - 15 + 1 - shift) << 23) | (m << 13)
        }
        (0x1f, m) => (0xff << 23) | (m << 13),
        (e, m) => ((e + 127 - 15) << 23) | (m << 13),
    };
    f32::from_bits(sign | magnitude)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_half_widens_to_its_value() {
        for bits in 0..=u16::MAX {
            let sign = if bits & 0x8000 != 0 { -1.0f64 } else { 1.0 };
            let e = i32::from((bits >> 10) & 0x1f);
            let m = f64::from(bits & 0x3ff);
            let want = match e {
                0 => sign * m * 2f64.powi(-24),
                0x1f if m == 0.0 => sign * f64::INFINITY,
                0x1f => f64::NAN,
                _ => sign * (1.0 + m / 1024.0) * 2f64.powi(e - 15),
            };
            let got = f64::from(f16_to_f32(bits));
            if want.is_nan() {
                assert!(got.is_nan(), "{bits:#06x}");
            } else {
                assert_eq!(got, want, "{bits:#06x}");
                assert_eq!(got.is_sign_negative(), sign < 0.0, "{bits:#06x}");
            }
        }
    }

    #[test]
    fn broken_files_are_errors_not_panics() {
        assert!(SafeTensors::parse(b"").is_err());
        assert!(SafeTensors::parse(&u64::MAX.to_le_bytes()).is_err());
        let mut file = Vec::new();
        let header = br#"{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#;
        file.extend((header.len() as u64).to_le_bytes());
        file.extend(header);
        file.extend([0, 0x3c]); // only one of the two halves
        let st = SafeTensors::parse(&file).unwrap();
        let err = st.f32_tensor("a", &[2]).unwrap_err();
        assert!(err.contains("past the end"), "{err}");
        assert!(st.f32_tensor("a", &[3]).unwrap_err().contains("shape"));
        assert!(st.f32_tensor("b", &[2]).unwrap_err().contains("missing"));
        file.extend([0, 0x3c]);
        let st = SafeTensors::parse(&file).unwrap();
        assert_eq!(st.f32_tensor("a", &[2]).unwrap(), vec![1.0, 1.0]);
    }
}
