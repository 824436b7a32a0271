//! Reads back the Prometheus text format our recorder renders, so the counts
//! logged at shutdown and sent as systemd's STATUS= are the very numbers
//! `/metrics` shows (the exporter keeps no other way to read a value).
//! Samples only: `# HELP` and `# TYPE` lines are skipped, as is anything
//! that is not a well-formed sample line.

use std::collections::BTreeMap;

/// One sample line: `name{label="value",...} value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

impl Sample {
    /// Is this the series `name` with exactly `labels`?
    pub fn is(&self, name: &str, labels: &[(&str, &str)]) -> bool {
        self.name == name && self.labels.len() == labels.len() && self.has(labels)
    }

    /// Does it carry every one of `labels`?
    pub fn has(&self, labels: &[(&str, &str)]) -> bool {
        labels
            .iter()
            .all(|(k, v)| self.labels.get(*k).is_some_and(|have| have == v))
    }

    /// `name{a="x",b="y"}`, labels sorted and escaped as in the text format.
    pub fn series(&self) -> String {
        if self.labels.is_empty() {
            return self.name.clone();
        }
        let labels: Vec<String> = self
            .labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
            .collect();
        format!("{}{{{}}}", self.name, labels.join(","))
    }
}

/// The samples of a text exposition, in order.
pub fn parse(text: &str) -> Vec<Sample> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(sample)
        .collect()
}

fn sample(line: &str) -> Option<Sample> {
    let name_end = line.find(['{', ' ', '\t']).unwrap_or(line.len());
    let (name, mut rest) = line.split_at(name_end);
    if name.is_empty() {
        return None;
    }
    let mut labels = BTreeMap::new();
    if let Some(inner) = rest.strip_prefix('{') {
        rest = read_labels(inner, &mut labels)?;
    }
    // The value, then an optional timestamp.
    let value = rest.split_whitespace().next()?.parse::<f64>().ok()?;
    Some(Sample {
        name: name.to_string(),
        labels,
        value,
    })
}

/// Reads `a="x",b="y"}` into `labels`; returns what follows the `}`.
fn read_labels<'a>(mut rest: &'a str, labels: &mut BTreeMap<String, String>) -> Option<&'a str> {
    loop {
        rest = rest.trim_start_matches([' ', ',']);
        if let Some(after) = rest.strip_prefix('}') {
            return Some(after);
        }
        let (key, after_key) = rest.split_once('=')?;
        let quoted = after_key.trim_start().strip_prefix('"')?;
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        let end = loop {
            match chars.next()? {
                (i, '"') => break i,
                (_, '\\') => match chars.next()?.1 {
                    'n' => value.push('\n'),
                    other => value.push(other),
                },
                (_, c) => value.push(c),
            }
        };
        labels.insert(key.trim().to_string(), value);
        rest = quoted.get(end + 1..)?;
    }
}

/// A label value escaped for the text format.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_labels_values_and_escapes() {
        let text = "# HELP x_total Things.\n# TYPE x_total counter\n\
                    x_total{a=\"1\",b=\"say \\\"hi\\\"\\\\n\"} 3\n\
                    up 1 1700000000\n\
                    h_bucket{le=\"+Inf\"} 4\n\
                    broken{a=\"1\" 2\n";
        let samples = parse(text);
        assert_eq!(samples.len(), 3, "{samples:?}");
        assert_eq!(samples[0].name, "x_total");
        assert_eq!(samples[0].value, 3.0);
        assert_eq!(
            samples[0].labels.get("b").map(String::as_str),
            Some("say \"hi\"\\n")
        );
        assert!(samples[0].is("x_total", &[("b", "say \"hi\"\\n"), ("a", "1")]));
        assert!(!samples[0].is("x_total", &[("a", "1")]));
        assert!(samples[0].has(&[("a", "1")]));
        assert_eq!(samples[1].name, "up");
        assert_eq!(
            samples[2].labels.get("le").map(String::as_str),
            Some("+Inf")
        );
        // Written back as it was read.
        assert_eq!(samples[0].series(), r#"x_total{a="1",b="say \"hi\"\\n"}"#);
        assert_eq!(
            parse(&format!("{} 3", samples[0].series())),
            vec![samples[0].clone()]
        );
    }
}
