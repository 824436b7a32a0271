//! Message templates (minijinja) for the sinks that send text people read
//! (slack, discord, ntfy, email): one alert, or a digest of several. Templates
//! see the alert JSON fields plus `current_value`, `previous_value` (values in
//! words), `outlet` and `link`; a digest sees `alerts` (a list of those) and
//! `count`. Compiled once at build so a bad template is a config error.

use minijinja::Environment;
use serde::Serialize;

use super::message::format_value;
use crate::model::Alert;

/// The text of one alert, unless the sink sets `template`.
pub const DEFAULT_ALERT: &str = "\
{{ kind | upper }}: {{ message }}
\"{{ current.quote }}\"{% if current.attributed_to %} ({{ current.attributed_to }}){% endif %}
Source: {{ outlet }}, {{ current.article.published }}{% if link %} {{ link }}{% endif %}
{%- if previous %}
Before: {{ previous_value }} ({{ previous.article.source or \"unknown outlet\" }}, {{ previous.article.published }}){% if previous.article.url %} {{ previous.article.url }}{% endif %}
{%- endif %}";

/// The text of a digest, unless the sink sets `digest_template`.
pub const DEFAULT_DIGEST: &str = "\
{{ count }} withdrawal alert{% if count != 1 %}s{% endif %}:
{% for a in alerts %}- {{ a.kind | upper }}: {{ a.message }}{% if a.link %} {{ a.link }}{% endif %}
{% endfor %}";

/// What a template sees for one alert.
#[derive(Debug, Serialize)]
pub struct AlertContext<'a> {
    #[serde(flatten)]
    alert: &'a Alert,
    /// The new value in words ("September 2026").
    current_value: String,
    /// The known value in words, if any.
    previous_value: Option<String>,
    /// The outlet of the current article ("unknown outlet" if none).
    outlet: &'a str,
    /// The current article's URL, if any.
    link: Option<&'a str>,
}

impl<'a> AlertContext<'a> {
    /// The context of `alert`.
    pub fn new(alert: &'a Alert) -> AlertContext<'a> {
        AlertContext {
            alert,
            current_value: format_value(&alert.current.value),
            previous_value: alert.previous.as_ref().map(|p| format_value(&p.value)),
            outlet: alert.current.article.outlet(),
            link: alert.current.article.url.as_deref(),
        }
    }
}

/// A sink's two templates, checked at build.
#[derive(Debug, Clone)]
pub struct MessageTemplate {
    alert: String,
    digest: String,
}

impl MessageTemplate {
    /// The given templates, or the defaults. Errors say which one is broken.
    pub fn new(
        alert: Option<&str>,
        digest: Option<&str>,
    ) -> Result<MessageTemplate, (&'static str, minijinja::Error)> {
        let template = MessageTemplate {
            alert: alert.unwrap_or(DEFAULT_ALERT).to_string(),
            digest: digest.unwrap_or(DEFAULT_DIGEST).to_string(),
        };
        let env = environment();
        env.template_from_str(&template.alert)
            .map_err(|e| ("template", e))?;
        env.template_from_str(&template.digest)
            .map_err(|e| ("digest_template", e))?;
        Ok(template)
    }

    /// The text for one alert.
    pub fn render(&self, alert: &Alert) -> Result<String, minijinja::Error> {
        environment().render_str(
            &self.alert,
            minijinja::Value::from(minijinja::value::Serde(AlertContext::new(alert))),
        )
    }

    /// The text for a digest of `alerts`.
    pub fn render_digest(&self, alerts: &[Alert]) -> Result<String, minijinja::Error> {
        let contexts: Vec<AlertContext<'_>> = alerts.iter().map(AlertContext::new).collect();
        environment().render_str(
            &self.digest,
            minijinja::context! {
                alerts => minijinja::Value::from(minijinja::value::Serde(&contexts)),
                count => alerts.len(),
            },
        )
    }
}

/// Templates render plain text: no HTML escaping (sinks escape for their format).
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Lenient);
    env
}

/// Validation of an optional template key, for `validate`.
pub fn check(key: &str, alert: Option<&str>, digest: Option<&str>) -> Vec<String> {
    match MessageTemplate::new(alert, digest) {
        Ok(_) => Vec::new(),
        Err((which, err)) => vec![format!("{key}.{which}: {err}")],
    }
}
