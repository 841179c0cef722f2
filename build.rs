//! Prepares the admin page (`assets/`) at build time, so no developer runs a
//! build step by hand: drops the source's whole-line comments from scripts
//! and style sheets (the browser needs none of them) into
//! `$OUT_DIR/assets/<name>`, and precompresses each with gzip, so the server
//! sends the compressed bytes without compressing per request, into
//! `$OUT_DIR/assets_gz/<name>.gz` and `$OUT_DIR/assets_gz.rs`, a table
//! `src/assets.rs` includes.

use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::Write;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=assets");
    let out = std::env::var("OUT_DIR").expect("OUT_DIR");
    let dir = Path::new(&out).join("assets_gz");
    std::fs::create_dir_all(&dir).expect("create OUT_DIR/assets_gz");
    let served = Path::new(&out).join("assets");
    // A file renamed or removed in assets/ must not linger in the binary.
    let _ = std::fs::remove_dir_all(&served);
    std::fs::create_dir_all(&served).expect("create OUT_DIR/assets");
    let mut names: Vec<String> = std::fs::read_dir("assets")
        .expect("read assets/")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let mut table = String::from("&[\n");
    for name in &names {
        let mut raw = std::fs::read(Path::new("assets").join(name)).expect("read an asset");
        if name.ends_with(".js") || name.ends_with(".css") {
            let text = String::from_utf8(raw).expect("a script or style sheet in UTF-8");
            raw = without_comment_lines(&text, name.ends_with(".js")).into_bytes();
        }
        std::fs::write(served.join(name), &raw).expect("write a served asset");
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        gz.write_all(&raw).expect("gzip");
        let packed = gz.finish().expect("gzip");
        // Only where it pays: an already compressed file (a PNG) would grow.
        if packed.len() >= raw.len() {
            continue;
        }
        let path = dir.join(format!("{name}.gz"));
        std::fs::write(&path, packed).expect("write a .gz");
        table.push_str(&format!(
            "    ({name:?}, include_bytes!({:?}) as &[u8]),\n",
            path.display().to_string()
        ));
    }
    table.push(']');
    std::fs::write(Path::new(&out).join("assets_gz.rs"), table).expect("write assets_gz.rs");
}

/// The text without its blank lines and the lines that are wholly comment: a
/// `//` line (scripts), or a `/* ... */` block that begins and ends lines.
/// Every other line stays exactly as written, so no statement, string or
/// regular expression changes; lines inside a script's multi-line template
/// literal (an odd number of backticks opens or closes one) are kept as they
/// are too. Removing whole lines keeps every line break between the lines
/// left, so automatic semicolon insertion reads the code as before.
fn without_comment_lines(text: &str, script: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_block = false;
    let mut in_template = false;
    for line in text.lines() {
        let code = line.trim();
        if in_block {
            in_block = !code.ends_with("*/");
            continue;
        }
        if !in_template {
            if code.is_empty() || (script && code.starts_with("//")) {
                continue;
            }
            if let Some(rest) = code.strip_prefix("/*") {
                match rest.find("*/") {
                    None => {
                        in_block = true;
                        continue;
                    }
                    Some(end) if end + 2 == rest.len() => continue,
                    // Code after the comment: keep the line whole.
                    Some(_) => {}
                }
            }
        }
        if script && line.matches('`').count() % 2 == 1 {
            in_template = !in_template;
        }
        out.push_str(line);
        out.push('\n');
    }
    assert!(
        !in_block && !in_template,
        "an unclosed comment or template literal"
    );
    out
}
