//! The dotenv parser: no input panics it, `render(parse(x)) == x` for every input (it accepts
//! all text), and an edit lands where a reader finds it again.
#![no_main]

use envmint::dotenv::Document;
use envmint::plan::record::Record;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The store refuses bytes that are not UTF-8 before parsing (exit 65).
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let doc = Document::parse(text);
    assert_eq!(doc.render().as_str(), text, "render(parse(x)) != x");
    for key in doc.keys() {
        let _ = doc.get(key);
        let _ = doc.line_of_key(key);
        if let Some(record) = doc.record(key) {
            let _ = Record::parse(record);
        }
    }
    // An edit: a key set (or refused with a typed error) reads back with its value.
    let mut edited = Document::parse(text);
    if edited.set("FUZZ_KEY", "v4lue-with $ and 'quotes'").is_ok() {
        let again = Document::parse(&edited.render());
        assert_eq!(
            again.get("FUZZ_KEY"),
            Some("v4lue-with $ and 'quotes'"),
            "a value set does not read back"
        );
    }
});
