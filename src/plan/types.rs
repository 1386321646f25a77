//! A plan as data: what happens to each declared key and why, without values.

use super::record::Record;
use crate::generate::Spec;

/// What a plan does with one declared key (and, once applied, what was done).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// The key is missing: a new value is appended.
    Added,
    /// The key is there with an empty value, which is filled in place.
    Filled,
    /// The key is there and its value passed the check; it is left untouched.
    Kept,
    /// The key is there and its value failed the check; it is left untouched.
    Weak,
    /// The key's value failed the check and is replaced in place (`--replace-weak`).
    Replaced,
    /// An `external = true` secret without a value: envmint never makes one; the person who
    /// has it gives it with `envmint set ENV KEY`.
    Missing,
}

impl Action {
    /// `added`, `filled`, `kept`, `weak`, `replaced` or `missing`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Added => "added",
            Action::Filled => "filled",
            Action::Kept => "kept",
            Action::Weak => "weak",
            Action::Replaced => "replaced",
            Action::Missing => "missing",
        }
    }

    /// Whether envmint writes a new value for the key.
    pub fn wrote(self) -> bool {
        matches!(self, Action::Added | Action::Filled | Action::Replaced)
    }
}

/// One line of the bootstrap summary. Holds no value.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyReport {
    /// The key.
    pub key: String,
    /// What was done.
    pub action: Action,
    /// The declared kind's name.
    pub kind: &'static str,
    /// The declared entropy in bits: of the new value, or what a kept value that passed the
    /// check would have if it was made randomly.
    pub bits: f64,
    /// For a weak or replaced value: what was wrong with the old value and what was declared
    /// (`placeholder, not a 32-byte hex secret`). Never the value.
    pub problem: Option<String>,
    /// Whether the secret is `external = true` (its kind and bits then describe nothing).
    pub external: bool,
}

/// One declared key of a [`Plan`]: what happens to it, and the declaration a new value is made
/// from. Holds no value.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// The key.
    pub key: String,
    /// What happens to it.
    pub action: Action,
    /// The declared kind and size.
    pub spec: Spec,
    /// For a weak or replaced value: what is wrong with the old one (see [`KeyReport::problem`]).
    pub problem: Option<String>,
    /// Whether the secret is `external = true`: never given a value by a plan.
    pub external: bool,
    /// Whether the secret is an encryption key (its record then says so: `role=encryption`).
    pub encryption: bool,
}

impl Item {
    /// The summary line of this item.
    pub fn report(&self) -> KeyReport {
        KeyReport {
            key: self.key.clone(),
            action: self.action,
            kind: self.spec.kind().name(),
            bits: self.spec.bits(),
            problem: self.problem.clone(),
            external: self.external,
        }
    }
}

/// The changes to one environment's document, in declaration order, without values: safe to
/// print, log or show in a dry run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// One item per declared key, kept and weak ones included.
    pub items: Vec<Item>,
    /// Retired values that came from `.env.example`: [`apply()`](super::apply()) marks them expired.
    pub foreign: Vec<Foreign>,
}

impl Plan {
    /// The items that write a new value.
    pub fn changes(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| i.action.wrote())
    }

    /// Whether applying the plan changes the document.
    pub fn is_empty(&self) -> bool {
        self.changes().next().is_none() && self.foreign.iter().all(|f| f.marked)
    }

    /// The summary lines, one per item.
    pub fn report(&self) -> Vec<KeyReport> {
        self.items.iter().map(Item::report).collect()
    }
}

/// Why a retired value in the file is the template's, not envmint's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForeignWhy {
    /// The template carries a `# envmint: previous-of=` record on the same variable: the
    /// file was copied from it (`cp .env.example .env.production.local`), record and all.
    ExampleRecord,
    /// The variable holds the template's own value: a fallback everyone with the repository
    /// knows.
    ExampleValue,
}

/// A retired value (`KEY_PREVIOUS`, a fallback list...) that came from `.env.example`:
/// whatever its record says, apps must not go on accepting it. Bootstrap marks it expired
/// (`retired=NOW expires=NOW`), so `status` shows it expired, `audit` reports it and the next
/// `rotate` removes it. Holds no value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Foreign {
    /// The variable.
    pub key: String,
    /// The secret whose retired value it poses as.
    pub of: String,
    /// How it was told.
    pub why: ForeignWhy,
    /// How many values it holds (a list holds several).
    pub count: usize,
    /// Whether its record already marks it expired (an earlier bootstrap did): nothing to
    /// write.
    pub marked: bool,
}

impl Foreign {
    /// The record that marks it expired at `now`.
    pub fn record(&self, now: jiff::Timestamp) -> String {
        Record::previous(&self.of, &vec![(now, now); self.count.max(1)]).to_string()
    }
}
