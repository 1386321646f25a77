//! The `# envmint:` record line: no panic, and a record that reads renders to text that reads
//! back as the same record.
#![no_main]

use envmint::plan::record::Record;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(record) = Record::parse(text) {
        let rendered = record.to_string();
        let again = Record::parse(&rendered).expect("a rendered record reads back");
        assert_eq!(again, record, "record changed through render: {rendered}");
        let _ = record.made_at();
    }
});
