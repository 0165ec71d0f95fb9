//! The morphological dictionary: IPADIC, built by lindera's own dictionary builder from the
//! sources Debian's `mecab-ipadic` package installs (EUC-JP CSVs, `matrix.def`, `char.def`,
//! `unk.def`). Nothing is downloaded: lindera's `embed-*` features would fetch their
//! dictionaries at build time, which fails offline. The build takes a few seconds, once per
//! machine; the built dictionary is kept and loaded in milliseconds afterwards.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use lindera::dictionary::{Dictionary, DictionaryBuilder, Metadata, load_fs_dictionary};

/// Where Debian's `mecab-ipadic` installs the dictionary sources.
pub const DEBIAN_IPADIC: &str = "/usr/share/mecab/dic/ipadic";

/// Why no dictionary could be had.
#[derive(Debug, thiserror::Error)]
pub enum DictionaryError {
    #[error("the IPADIC sources are not at {0} (install Debian's mecab-ipadic)")]
    NoSources(PathBuf),
    #[error("building the dictionary: {0}")]
    Build(String),
    #[error("loading the dictionary: {0}")]
    Load(String),
}

/// Dictionaries loaded by this process, by their directory: tests start many servers, which
/// share one.
static LOADED: Mutex<Vec<(PathBuf, Arc<Dictionary>)>> = Mutex::new(Vec::new());

/// The IPADIC dictionary kept in `dir`, built there from `sources` first if it is not yet.
/// Several processes may call this at once: each builds into its own temporary directory and
/// the first rename wins.
pub fn ipadic(sources: &Path, dir: &Path) -> Result<Arc<Dictionary>, DictionaryError> {
    let mut loaded = LOADED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, dictionary)) = loaded.iter().find(|(d, _)| d == dir) {
        return Ok(dictionary.clone());
    }
    let built = dir.join("metadata.json");
    if !built.exists() {
        build(sources, dir)?;
    }
    let dictionary = load_fs_dictionary(dir).map_err(|e| DictionaryError::Load(e.to_string()))?;
    let dictionary = Arc::new(dictionary);
    loaded.push((dir.to_owned(), dictionary.clone()));
    Ok(dictionary)
}

fn build(sources: &Path, dir: &Path) -> Result<(), DictionaryError> {
    if !sources.join("matrix.def").exists() {
        return Err(DictionaryError::NoSources(sources.to_owned()));
    }
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| DictionaryError::Build(e.to_string()))?;
    let staging = parent.join(format!(
        ".{}-{}",
        dir.file_name().and_then(|n| n.to_str()).unwrap_or("ipadic"),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&staging);
    let metadata = Metadata {
        name: "ipadic".into(),
        encoding: "EUC-JP".into(),
        ..Default::default()
    };
    DictionaryBuilder::new(metadata)
        .build_dictionary(sources, &staging)
        .map_err(|e| DictionaryError::Build(e.to_string()))?;
    if std::fs::rename(&staging, dir).is_err() {
        // Another process got there first: theirs is as good as ours.
        let _ = std::fs::remove_dir_all(&staging);
        if !dir.join("metadata.json").exists() {
            return Err(DictionaryError::Build(format!(
                "could not move the dictionary into {}",
                dir.display()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Analyzer, normalize};

    #[test]
    fn ipadic_from_debian_splits_japanese_into_words() {
        if !Path::new(DEBIAN_IPADIC).exists() {
            eprintln!("skipping: mecab-ipadic is not installed");
            return;
        }
        let dir = std::env::temp_dir().join("madoguchi-test-ipadic");
        let dictionary = ipadic(Path::new(DEBIAN_IPADIC), &dir).unwrap();
        let analyzer = Analyzer::with_dictionary((*dictionary).clone());
        let words: Vec<String> = analyzer
            .morphemes(&normalize("仮想サーバーが起動しません"))
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(words, ["仮想", "さば", "起動"]);
    }
}
