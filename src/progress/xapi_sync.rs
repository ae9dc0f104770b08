//! Sending a trainee's statements to the learning record store a desktop is set up for:
//! `xapi.ron` in the data folder names the LRS, and both `holdline xapi push` and the app's
//! background push go through [`push_trainee`]. The statements are made afresh from the saved
//! attempts each time, and the per-LRS ledger says which the LRS has acknowledged, so a push
//! that fails (the LRS down, the machine shut) loses nothing and a repeat sends nothing twice.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::lrs::{self, Endpoint, PushReport};
use super::xapi::{Actor, XapiIdentity, statements};
use super::{ProgressError, ProgressStore, Trainee};
use crate::scenario::load::{MAX_FILE_BYTES, read_input_file};
use crate::scenario::model::Scenario;

/// Where and why an `xapi.ron` does not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// 1-based; 0 for the file as a whole.
    pub line: usize,
    /// 1-based; 0 for the file as a whole.
    pub col: usize,
    /// What is wrong.
    pub message: String,
}

/// What an `xapi.ron` looks like, for the help line of every error about one.
pub const CONFIG_HELP: &str = "xapi.ron reads like XapiConfig(endpoint: \"http://host:port/xAPI\", auth: \"USER:PASS\") (see the README, xAPI)";

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {}; {CONFIG_HELP}",
            self.line, self.col, self.message
        )
    }
}

/// The file's name in the data folder.
pub const CONFIG_FILE: &str = "xapi.ron";

/// What `xapi.ron` holds.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XapiConfig {
    /// The LRS's xAPI endpoint, e.g. `http://lrs.example.internal:8100/xAPI`.
    pub endpoint: String,
    /// `USER:PASS` for basic authentication.
    pub auth: String,
    /// The home page of the trainees' accounts (the account name is the trainee's id).
    #[serde(default = "default_home_page")]
    pub home_page: String,
    /// The IRI activity ids start with.
    #[serde(default = "default_activity_base")]
    pub activity_base: String,
}

fn default_home_page() -> String {
    "https://holdline.local".into()
}

fn default_activity_base() -> String {
    "https://holdline.local/xapi".into()
}

impl XapiConfig {
    /// The configuration in `data_dir`: `None` when there is no `xapi.ron`, else the file
    /// parsed and its endpoint checked, or an error that says where and what to do.
    pub fn load(data_dir: &Path) -> Result<Option<(XapiConfig, Endpoint)>, String> {
        let path = data_dir.join(CONFIG_FILE);
        if !path.exists() {
            return Ok(None);
        }
        let label = path.display().to_string();
        let bytes = read_input_file(&path, MAX_FILE_BYTES)
            .map_err(|e| format!("{label}: cannot read it ({e})"))?;
        let config = XapiConfig::parse(&label, &bytes)?;
        let endpoint =
            Endpoint::parse(&config.endpoint, &config.auth).map_err(|e| format!("{label}: {e}"))?;
        Ok(Some((config, endpoint)))
    }

    /// `bytes` as an `xapi.ron`, errors located as `label:line:col`.
    pub fn parse(label: &str, bytes: &[u8]) -> Result<XapiConfig, String> {
        XapiConfig::parse_located(bytes).map_err(|e| format!("{label}:{e}"))
    }

    /// `bytes` as an `xapi.ron`, with where it went wrong (1-based line and column; 0 for the
    /// file as a whole), for `holdline validate`.
    pub fn parse_located(bytes: &[u8]) -> Result<XapiConfig, ConfigError> {
        let text = std::str::from_utf8(bytes).map_err(|e| ConfigError {
            line: 0,
            col: 0,
            message: format!("not UTF-8 text ({e})"),
        })?;
        ron::from_str::<XapiConfig>(text).map_err(|e| ConfigError {
            line: e.span.start.line,
            col: e.span.start.col,
            message: e.code.to_string(),
        })
    }

    /// Who the statements are about: the trainee's account on [`Self::home_page`].
    pub fn identity(&self) -> XapiIdentity {
        XapiIdentity {
            actor: Actor::Account {
                home_page: self.home_page.clone(),
            },
            activity_base: self.activity_base.trim_end_matches('/').to_string(),
        }
    }
}

/// The ledger of what `endpoint` has acknowledged for `trainee_id`.
pub fn ledger(store: &ProgressStore, trainee_id: &str, endpoint: &Endpoint) -> PathBuf {
    store.xapi_ledger(trainee_id, &format!("{}{}", endpoint.host, endpoint.path))
}

/// Finds a scenario by id, for the choices a `choice` interaction lists (an attempt at a
/// scenario that is gone is still sent, without them).
pub type FindScenario<'a> = &'a dyn Fn(&str) -> Option<std::sync::Arc<Scenario>>;

/// Every statement of every attempt of `trainee` the store can read, oldest first, with the
/// notices about attempts it could not.
pub fn trainee_statements(
    store: &ProgressStore,
    trainee: &Trainee,
    identity: &XapiIdentity,
    scenario: FindScenario<'_>,
) -> Result<(Vec<serde_json::Value>, Vec<String>), ProgressError> {
    let history = store.history(&trainee.id)?;
    let mut all: Vec<serde_json::Value> = history
        .attempts
        .iter()
        .flat_map(|attempt| {
            let found = scenario(&attempt.scenario_id);
            statements(
                identity,
                &trainee.id,
                &trainee.name,
                attempt,
                found.as_deref(),
            )
        })
        .collect();
    let (certificates, mut notices) = super::certification::all_certificates(store, &trainee.id);
    all.extend(
        certificates
            .iter()
            .map(|c| super::xapi::certificate_statement(identity, &trainee.id, &trainee.name, c)),
    );
    notices.splice(0..0, history.notices);
    Ok((all, notices))
}

/// Sends `trainee`'s statements that `endpoint` has not acknowledged yet, and returns what the
/// push did with the notices of [`trainee_statements`].
pub fn push_trainee(
    store: &ProgressStore,
    trainee: &Trainee,
    identity: &XapiIdentity,
    endpoint: &Endpoint,
    scenario: FindScenario<'_>,
) -> Result<(PushReport, Vec<String>), ProgressError> {
    let (all, notices) = trainee_statements(store, trainee, identity, scenario)?;
    let report = lrs::push(endpoint, &all, &ledger(store, &trainee.id, endpoint));
    Ok((report, notices))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_needs_only_the_endpoint_and_the_account() {
        let config = XapiConfig::parse(
            "xapi.ron",
            br#"XapiConfig(endpoint: "http://127.0.0.1:8100/xAPI", auth: "trainer:secret")"#,
        )
        .unwrap();
        assert_eq!(config.home_page, "https://holdline.local");
        assert!(matches!(
            config.identity().actor,
            Actor::Account { home_page } if home_page == "https://holdline.local"
        ));
    }

    #[test]
    fn a_broken_config_says_where_and_what_it_should_look_like() {
        let err = XapiConfig::parse(
            "data/xapi.ron",
            b"XapiConfig(\n  endpoint: \"http://x\",\n  auht: \"a:b\",\n)",
        )
        .unwrap_err();
        assert!(err.starts_with("data/xapi.ron:3:"), "{err}");
        assert!(err.contains("auth: \"USER:PASS\""), "{err}");
    }

    #[test]
    fn no_file_is_no_push_and_an_https_endpoint_is_refused_with_the_way_round() {
        let dir = super::super::store_tests::temp_dir("xapi-config");
        std::fs::create_dir_all(&dir).unwrap();
        assert!(XapiConfig::load(&dir).unwrap().is_none());
        std::fs::write(
            dir.join(CONFIG_FILE),
            r#"XapiConfig(endpoint: "https://lrs.example.com/xAPI", auth: "a:b")"#,
        )
        .unwrap();
        let err = XapiConfig::load(&dir).unwrap_err();
        assert!(err.contains("xapi.ron") && err.contains("proxy"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
