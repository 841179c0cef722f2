//! Precompresses the admin page (`assets/`) with gzip at build time, so the
//! server sends the compressed bytes without compressing per request and no
//! developer runs a build step by hand. Writes `$OUT_DIR/assets_gz/<name>.gz`
//! and `$OUT_DIR/assets_gz.rs`, a table `src/assets.rs` includes.

use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::Write;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=assets");
    let out = std::env::var("OUT_DIR").expect("OUT_DIR");
    let dir = Path::new(&out).join("assets_gz");
    std::fs::create_dir_all(&dir).expect("create OUT_DIR/assets_gz");
    let mut names: Vec<String> = std::fs::read_dir("assets")
        .expect("read assets/")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let mut table = String::from("&[\n");
    for name in &names {
        let raw = std::fs::read(Path::new("assets").join(name)).expect("read an asset");
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
