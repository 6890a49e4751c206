//! Feeds arbitrary text to the rule-text reader: it must answer with commands or a
//! structured error, never panic; and whatever table it reads must save and read back
//! to the same text.

#![no_main]

use libfuzzer_sys::fuzz_target;
use lvs_core::rules::{parse, save, table_from_rules};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = parse(text) {
        let line = text.split('\n').nth(e.line - 1).expect("error line exists");
        assert!(e.column >= 1 && e.column <= line.chars().count() + 1);
        let _ = e.to_string();
    }
    if let Ok(table) = table_from_rules(text) {
        let saved = save(&table).expect("a parsed table saves");
        let again = table_from_rules(&saved).expect("saved text reads back");
        assert_eq!(save(&again).expect("it saves again"), saved);
    }
});
