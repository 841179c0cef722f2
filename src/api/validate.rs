//! Reading a JSON body field by field, with Laravel's rules and messages:
//! strings are trimmed and an empty string counts as null (Laravel's
//! TrimStrings and ConvertEmptyStringsToNull), and a field the route does
//! not know is an error under its own name.

use super::error::{ApiError, FieldErrors};
use serde_json::{Map, Value};

/// A field as given: absent, explicitly null, or a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Patch<T> {
    /// Not in the body: leave as is.
    Absent,
    /// `null` (or an empty string): clear.
    Null,
    /// A valid value.
    Set(T),
}

impl<T> Patch<T> {
    /// The value if set.
    pub fn set(self) -> Option<T> {
        match self {
            Patch::Set(v) => Some(v),
            _ => None,
        }
    }

    /// `None` when absent, `Some(None)` when null, `Some(Some(v))` when set.
    pub fn change(self) -> Option<Option<T>> {
        match self {
            Patch::Absent => None,
            Patch::Null => Some(None),
            Patch::Set(v) => Some(Some(v)),
        }
    }
}

/// The rules for a text field.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    /// Absent or null is an error.
    pub required: bool,
    /// No control characters (line breaks, tabs): names and emails are
    /// one line, which also keeps searches from matching across fields.
    pub single_line: bool,
    /// Null is allowed (clears the field).
    pub nullable: bool,
    /// Fewest characters.
    pub min: usize,
    /// Most characters.
    pub max: usize,
    /// Trim (everything but passwords).
    pub trim: bool,
    /// Must be an email address.
    pub email: bool,
}

impl Text {
    /// A required name-like field, 1..=max characters.
    pub const fn required(max: usize) -> Text {
        Text {
            required: true,
            single_line: true,
            nullable: false,
            min: 1,
            max,
            trim: true,
            email: false,
        }
    }
    /// A field that may be absent but not null when present.
    pub const fn sometimes(max: usize) -> Text {
        Text {
            required: false,
            ..Text::required(max)
        }
    }
    /// The same rules, allowing line breaks (a description).
    pub const fn multiline(self) -> Text {
        Text {
            single_line: false,
            ..self
        }
    }

    /// A field that may be absent or null.
    pub const fn nullable(max: usize) -> Text {
        Text {
            required: false,
            nullable: true,
            ..Text::required(max)
        }
    }
    /// The same rules, and it must be an email address.
    pub const fn email(self) -> Text {
        Text {
            email: true,
            ..self
        }
    }
    /// A password: required, untrimmed, at least `min` and at most 1024
    /// bytes.
    pub const fn password(min: usize) -> Text {
        Text {
            required: true,
            single_line: false,
            nullable: false,
            min,
            max: 1024,
            trim: false,
            email: false,
        }
    }
}

/// A JSON object body being read.
pub struct Input {
    fields: Map<String, Value>,
    /// What is wrong so far.
    pub errors: FieldErrors,
}

/// Most characters of a client's own text repeated in a message.
const ECHO_LIMIT: usize = 64;

/// A client's text as a message repeats it: cut to [`ECHO_LIMIT`]
/// characters, so a megabyte of column name is not answered twice.
pub fn echo(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(ECHO_LIMIT) {
        None => text.into(),
        Some((end, _)) => format!("{}…", &text[..end]).into(),
    }
}

/// "first_name" reads as "first name" in messages, as Laravel writes it.
pub fn attribute(name: &str) -> String {
    name.replace('_', " ")
}

impl Input {
    /// Starts reading a body.
    pub fn new(fields: Map<String, Value>) -> Input {
        Input {
            fields,
            errors: FieldErrors::default(),
        }
    }

    fn fail(&mut self, name: &str, message: String) {
        self.errors.add(name, message);
    }

    /// Reads a text field by its rules; an invalid value is recorded and
    /// read as absent.
    pub fn text(&mut self, name: &str, rule: Text) -> Patch<String> {
        let attr = attribute(name);
        let given = self.fields.remove(name);
        let present = given.is_some();
        let value = match given {
            None => None,
            Some(Value::Null) => None,
            Some(Value::String(s)) => {
                // Trimmed and NFC: text that looks the same is the same.
                let s = if rule.trim {
                    crate::db::nfc(s.trim()).into_owned()
                } else {
                    s
                };
                (!s.is_empty()).then_some(s)
            }
            Some(_) => {
                self.fail(name, format!("The {attr} field must be a string."));
                return Patch::Absent;
            }
        };
        let Some(s) = value else {
            if rule.required || (present && !rule.nullable) {
                self.fail(name, format!("The {attr} field is required."));
                return Patch::Absent;
            }
            return if present { Patch::Null } else { Patch::Absent };
        };
        // A password's length is counted in bytes: argon2 hashes bytes, and
        // a megabyte of password would be a denial of service.
        let chars = if rule.trim {
            s.chars().count()
        } else {
            s.len()
        };
        if chars > rule.max {
            self.fail(
                name,
                format!(
                    "The {attr} field must not be greater than {} characters.",
                    rule.max
                ),
            );
        } else if chars < rule.min {
            self.fail(
                name,
                format!("The {attr} field must be at least {} characters.", rule.min),
            );
        } else if rule.single_line && s.chars().any(char::is_control) {
            self.fail(
                name,
                format!("The {attr} field must be a single line of text."),
            );
        } else if s.contains('\0') {
            self.fail(
                name,
                format!("The {attr} field must not contain NUL characters."),
            );
        } else if rule.email && !is_email(&s) {
            self.fail(
                name,
                format!("The {attr} field must be a valid email address."),
            );
        } else {
            return Patch::Set(s);
        }
        Patch::Absent
    }

    /// Reads a required positive integer id.
    pub fn id(&mut self, name: &str) -> Option<i64> {
        let attr = attribute(name);
        match self.fields.remove(name) {
            None | Some(Value::Null) => self.fail(name, format!("The {attr} field is required.")),
            Some(v) => match v.as_i64() {
                Some(n) if n >= 1 => return Some(n),
                Some(_) => self.fail(name, format!("The selected {attr} is invalid.")),
                None => self.fail(name, format!("The {attr} field must be an integer.")),
            },
        }
        None
    }

    /// Reads an optional boolean: absent is `None`, anything but `true` or
    /// `false` an error.
    pub fn boolean(&mut self, name: &str) -> Option<bool> {
        match self.fields.remove(name)? {
            Value::Bool(b) => Some(b),
            _ => {
                let attr = attribute(name);
                self.fail(name, format!("The {attr} field must be true or false."));
                None
            }
        }
    }

    /// Reads a required array; its items are checked by the caller.
    pub fn array(&mut self, name: &str) -> Option<Vec<Value>> {
        let attr = attribute(name);
        match self.fields.remove(name) {
            Some(Value::Array(items)) => return Some(items),
            None | Some(Value::Null) => self.fail(name, format!("The {attr} field is required.")),
            Some(_) => self.fail(name, format!("The {attr} field must be an array.")),
        }
        None
    }

    /// Reads an optional array of positive integer ids; items that are not
    /// are reported as `name.N`.
    pub fn optional_ids(&mut self, name: &str) -> Option<Vec<i64>> {
        if !self.fields.contains_key(name) {
            return None;
        }
        let items = self.array(name)?;
        let mut ids = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item.as_i64() {
                Some(n) if n >= 1 => ids.push(n),
                _ => self.errors.add_new(
                    || format!("{name}.{i}"),
                    || format!("The {name}.{i} field must be an integer."),
                ),
            }
        }
        Some(ids)
    }

    /// Ends reading: a field nobody asked for is an error under its own name.
    pub fn finish(mut self) -> Result<(), ApiError> {
        for name in self.fields.keys() {
            self.errors.add_new(
                || name.clone(),
                || format!("The {} field is prohibited.", attribute(&echo(name))),
            );
        }
        self.errors.into_result()
    }
}

/// A pragmatic address check: one `@`, a plausible local part and a domain
/// of dot-separated labels (`admin@localhost` is fine, as Laravel's `email`
/// rule allows it).
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"\"(),:;<>@[\\]".contains(c));
    let domain_ok = !domain.is_empty()
        && domain.len() <= 253
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    local_ok && domain_ok && s.len() <= 254
}
