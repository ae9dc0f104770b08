//! Sending xAPI statements to a learning record store over HTTP, and the ledger of what it has
//! acknowledged. The ledger is append-only, one statement id a line, flushed to disk after each
//! acknowledged batch: a push killed half-way resends at most one batch, and since statement
//! ids are fixed by the attempt, the LRS ignores what it already holds.

use std::collections::HashSet;
use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

/// Statements per POST. Large, because Ralph's file-system backend (the one `.ci/run` tests
/// against) can store only one batch of new statements per file; well within what LRSs accept
/// in one request (a statement is about 1 KB).
pub const BATCH: usize = 1000;

/// Where to send, and as whom.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// Host and port, e.g. `127.0.0.1:8100`.
    pub host: String,
    /// Path of the statements resource, e.g. `/xAPI/statements`.
    pub path: String,
    /// `user:password` for HTTP basic authentication.
    pub auth: String,
}

impl Endpoint {
    /// Parses `http://host:port/xAPI` (the statements resource is `<url>/statements`, unless the
    /// URL already ends in `/statements`) and `USER:PASS`.
    pub fn parse(url: &str, auth: &str) -> Result<Endpoint, String> {
        let Some(rest) = url.strip_prefix("http://") else {
            return Err(if url.starts_with("https://") {
                format!(
                    "{url}: holdline speaks plain HTTP to an LRS on this machine or network; for HTTPS, put the LRS behind a local proxy, or use `holdline xapi export` and load the file into the LRS"
                )
            } else {
                format!(
                    "{url}: give the LRS endpoint as http://host:port/path, e.g. http://127.0.0.1:8100/xAPI"
                )
            });
        };
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        if host.is_empty() {
            return Err(format!("{url}: no host"));
        }
        let path = path.trim_end_matches('/');
        let path = if path.ends_with("statements") {
            format!("/{path}")
        } else if path.is_empty() {
            "/statements".into()
        } else {
            format!("/{path}/statements")
        };
        if !auth.contains(':') {
            return Err("give --auth as USER:PASS".into());
        }
        let host = if host.contains(':') {
            host.to_string()
        } else {
            format!("{host}:80")
        };
        Ok(Endpoint {
            host,
            path,
            auth: auth.into(),
        })
    }
}

/// How a POST went.
#[derive(Debug, PartialEq, Eq)]
pub enum Posted {
    /// 200 or 204: the LRS holds every statement in the batch.
    Stored,
    /// 409: the LRS already holds a statement with one of the ids.
    Conflict,
    /// Anything else, with the status line and the start of the body.
    Refused(String),
}

/// A connection to the LRS that gives up after `secs` without progress.
fn connect(endpoint: &Endpoint, secs: u64) -> Result<TcpStream, String> {
    let stream = TcpStream::connect(&endpoint.host)
        .map_err(|e| format!("cannot reach the LRS at {}: {e}", endpoint.host))?;
    let timeout = Some(Duration::from_secs(secs));
    let _ = stream.set_read_timeout(timeout);
    let _ = stream.set_write_timeout(timeout);
    Ok(stream)
}

/// POSTs `statements` as one JSON array.
pub fn post(endpoint: &Endpoint, statements: &[Value]) -> Result<Posted, String> {
    let body = serde_json::to_vec(statements).map_err(|e| e.to_string())?;
    let mut stream = connect(endpoint, 30)?;
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nAuthorization: Basic {}\r\nX-Experience-API-Version: 1.0.3\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        endpoint.path,
        endpoint.host,
        base64(endpoint.auth.as_bytes()),
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(&body))
        .map_err(|e| format!("sending to the LRS failed: {e}"))?;
    let mut response = Vec::new();
    // A closed connection ends the response; a timeout with the status line read is enough.
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response);
    let status_line = text.lines().next().unwrap_or_default().to_string();
    let code: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("the LRS sent no HTTP status (got {:?})", clip(&text)))?;
    Ok(match code {
        200 | 204 => Posted::Stored,
        409 => Posted::Conflict,
        _ => {
            let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
            Posted::Refused(format!("{status_line}: {}", clip(body)))
        }
    })
}

/// The most one page of statements may take: a thousand statements are about a megabyte.
const MAX_PAGE_BYTES: u64 = 64 * 1024 * 1024;

/// Pages of statements read back at most: at [`BATCH`] a page, a million statements. A
/// `more` link that never ends (a broken LRS) stops here rather than looping for ever.
pub const MAX_PAGES: usize = 1000;

/// Every statement the LRS holds for the credentials given, following its `more` links page
/// by page (xAPI 1.0.3, section 2.1.3 of the communication part: a StatementResult).
pub fn fetch_statements(endpoint: &Endpoint) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    // An LRS whose paging shifts can repeat a statement on two pages; each is kept once, and a
    // page with nothing new ends the reading.
    let mut seen: HashSet<String> = HashSet::new();
    let mut next = format!("{}?limit={BATCH}", endpoint.path);
    for _ in 0..MAX_PAGES {
        let (code, body) = get(endpoint, &next)?;
        if code != 200 {
            return Err(format!(
                "the LRS answered GET {next} with HTTP {code}: {}",
                clip(&String::from_utf8_lossy(&body))
            ));
        }
        let page: Value = serde_json::from_slice(&body)
            .map_err(|e| format!("the LRS's answer to GET {next} is not JSON: {e}"))?;
        let statements = page["statements"]
            .as_array()
            .ok_or_else(|| format!("the LRS's answer to GET {next} has no statements list"))?;
        let before = out.len();
        for statement in statements {
            let id = statement["id"].as_str().unwrap_or_default();
            if id.is_empty() || seen.insert(id.to_string()) {
                out.push(statement.clone());
            }
        }
        if out.len() == before {
            return Ok(out);
        }
        match page["more"].as_str().filter(|m| !m.is_empty()) {
            // `more` is a path on the same server (absolute URLs are cut to their path).
            Some(more) => {
                next = match more.split_once("://") {
                    Some((_, rest)) => rest
                        .find('/')
                        .map_or_else(|| "/".to_string(), |i| rest[i..].to_string()),
                    None => more.to_string(),
                };
            }
            None => return Ok(out),
        }
    }
    Err(format!(
        "the LRS kept offering more pages after {MAX_PAGES} (over {} statements); stopping",
        out.len()
    ))
}

/// One GET with basic authentication: the status and the body (de-chunked).
fn get(endpoint: &Endpoint, path_and_query: &str) -> Result<(u16, Vec<u8>), String> {
    // Longer than a POST's: a page of a thousand statements is a megabyte to gather.
    let mut stream = connect(endpoint, 60)?;
    let head = format!(
        "GET {path_and_query} HTTP/1.1\r\nHost: {}\r\nAuthorization: Basic {}\r\nX-Experience-API-Version: 1.0.3\r\nAccept: application/json\r\nConnection: close\r\n\r\n",
        endpoint.host,
        base64(endpoint.auth.as_bytes()),
    );
    stream
        .write_all(head.as_bytes())
        .map_err(|e| format!("asking the LRS failed: {e}"))?;
    let mut response = Vec::new();
    stream
        .take(MAX_PAGE_BYTES)
        .read_to_end(&mut response)
        .map_err(|e| format!("reading the LRS's answer failed: {e}"))?;
    if response.len() as u64 >= MAX_PAGE_BYTES {
        return Err(format!(
            "the LRS's answer to GET {path_and_query} is over {} MB; ask it for smaller pages",
            MAX_PAGE_BYTES / (1024 * 1024)
        ));
    }
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| "the LRS's answer has no end of headers".to_string())?;
    let headers = String::from_utf8_lossy(&response[..split]).to_lowercase();
    let body = &response[split + 4..];
    let code: u16 = headers
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| "the LRS sent no HTTP status".to_string())?;
    let chunked = headers
        .lines()
        .any(|l| l.starts_with("transfer-encoding:") && l.contains("chunked"));
    Ok((
        code,
        if chunked {
            dechunk(body)?
        } else {
            body.to_vec()
        },
    ))
}

/// The body of a `Transfer-Encoding: chunked` response.
fn dechunk(mut body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("a chunked answer was cut short")?;
        let size_text = String::from_utf8_lossy(&body[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| format!("a chunk size is not hexadecimal: {size_text:?}"))?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if body.len() < size {
            return Err("a chunked answer was cut short".into());
        }
        out.extend_from_slice(&body[..size]);
        body = body.get(size + 2..).unwrap_or_default();
    }
}

fn clip(text: &str) -> String {
    text.chars().take(300).collect()
}

/// Standard base64 with padding, for the Authorization header.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The ids in the ledger at `path` (none if it does not exist). A line cut short by a crash
/// is not a whole id and is skipped.
pub fn acknowledged(path: &Path) -> Result<HashSet<String>, String> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(text
            .lines()
            .map(str::trim)
            .filter(|l| l.len() == 36)
            .map(String::from)
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(HashSet::new()),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Appends `ids` to the ledger and flushes it to disk.
pub fn record_acknowledged(path: &Path, ids: &[&str]) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    // A line torn by an earlier crash gets its own line ended first.
    let mut text = String::from("\n");
    for id in ids {
        text.push_str(id);
        text.push('\n');
    }
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// What a push did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PushReport {
    /// Statements the LRS acknowledged in this push.
    pub sent: usize,
    /// Statements it already had (acknowledged before, or held when this push began).
    pub already: usize,
    /// Statements still to send, because the push stopped at an error.
    pub queued: usize,
    /// The error it stopped at.
    pub error: Option<String>,
}

/// Sends every statement not yet in the ledger at `ledger`, in batches, recording each batch
/// once the LRS has acknowledged it. A batch the LRS refuses as a conflict (it holds one of
/// the ids) is sent one statement at a time, and a single conflict counts as held.
pub fn push(endpoint: &Endpoint, statements: &[Value], ledger: &Path) -> PushReport {
    let mut report = PushReport::default();
    let done = match acknowledged(ledger) {
        Ok(done) => done,
        Err(e) => {
            report.queued = statements.len();
            report.error = Some(e);
            return report;
        }
    };
    let id_of = |s: &Value| s["id"].as_str().unwrap_or_default().to_string();
    let pending: Vec<&Value> = statements
        .iter()
        .filter(|s| !done.contains(&id_of(s)))
        .collect();
    report.already = statements.len() - pending.len();
    for (n, batch) in pending.chunks(BATCH).enumerate() {
        let owned: Vec<Value> = batch.iter().map(|s| (*s).clone()).collect();
        let outcome = match post(endpoint, &owned) {
            Ok(Posted::Conflict) => one_by_one(endpoint, &owned, &mut report),
            Ok(Posted::Stored) => {
                report.sent += owned.len();
                Ok(())
            }
            Ok(Posted::Refused(why)) => Err(format!("the LRS refused the statements: {why}")),
            Err(e) => Err(e),
        };
        let ids: Vec<String> = owned.iter().map(id_of).collect();
        let outcome = outcome.and_then(|()| {
            record_acknowledged(ledger, &ids.iter().map(String::as_str).collect::<Vec<_>>())
        });
        if let Err(e) = outcome {
            report.queued = pending.len() - n * BATCH;
            report.error = Some(e);
            return report;
        }
    }
    report
}

fn one_by_one(endpoint: &Endpoint, batch: &[Value], report: &mut PushReport) -> Result<(), String> {
    for statement in batch {
        match post(endpoint, std::slice::from_ref(statement))? {
            Posted::Stored => report.sent += 1,
            Posted::Conflict => report.already += 1,
            Posted::Refused(why) => return Err(format!("the LRS refused a statement: {why}")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_are_joined() {
        assert_eq!(
            dechunk(b"4\r\nWiki\r\n6;x=y\r\npedia \r\n0\r\n\r\n").unwrap(),
            b"Wikipedia "
        );
        assert!(dechunk(b"ff\r\nshort").is_err());
    }

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b"trainer:secret"), "dHJhaW5lcjpzZWNyZXQ=");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
    }

    #[test]
    fn endpoints_take_the_statements_resource_under_the_url() {
        let e = Endpoint::parse("http://127.0.0.1:8100/xAPI/", "u:p").unwrap();
        assert_eq!(
            (e.host.as_str(), e.path.as_str()),
            ("127.0.0.1:8100", "/xAPI/statements")
        );
        let e = Endpoint::parse("http://lrs/xAPI/statements", "u:p").unwrap();
        assert_eq!(
            (e.host.as_str(), e.path.as_str()),
            ("lrs:80", "/xAPI/statements")
        );
        assert!(
            Endpoint::parse("https://lrs/xAPI", "u:p")
                .unwrap_err()
                .contains("export")
        );
        assert!(Endpoint::parse("http://lrs/xAPI", "nopass").is_err());
    }

    #[test]
    fn a_torn_ledger_line_is_skipped_and_the_next_append_starts_clean() {
        let dir = std::env::temp_dir().join(format!("holdline-ledger-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let ledger = dir.join("acked.log");
        let id = "0e6b3f0e-1c2d-8a4b-9c3d-0123456789ab";
        fs::create_dir_all(&dir).unwrap();
        fs::write(&ledger, format!("{id}\n0e6b3f0e-1c2d")).unwrap();
        assert_eq!(acknowledged(&ledger).unwrap().len(), 1);
        let other = "1e6b3f0e-1c2d-8a4b-9c3d-0123456789ab";
        record_acknowledged(&ledger, &[other]).unwrap();
        let done = acknowledged(&ledger).unwrap();
        assert!(done.contains(id) && done.contains(other) && done.len() == 2);
        let _ = fs::remove_dir_all(&dir);
    }
}
