//! Records a digest of the crate's sources in the extension (`SOURCES`), so the Python side can tell a build
//! of other sources (an older checkout, a stale install) and run the Python engine instead of it. FNV-1a over
//! each source's file name and bytes, in name order: `sources_digest` in native.py computes the same.

use std::{env, fs, path::Path};

fn main() {
    let sources = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("set by cargo")).join("src");
    println!("cargo:rerun-if-changed=src");
    let mut names: Vec<String> = fs::read_dir(&sources)
        .expect("the crate has a src directory")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".rs"))
        .collect();
    names.sort();
    let mut digest: u64 = 0xcbf2_9ce4_8422_2325;
    for name in &names {
        let content = fs::read(sources.join(name)).expect("a readable source");
        for byte in name.bytes().chain(content) {
            digest ^= u64::from(byte);
            digest = digest.wrapping_mul(0x0100_0000_01b3);
        }
    }
    println!("cargo:rustc-env=NEWSMON_ENGINE_SOURCES={digest:016x}");
}
