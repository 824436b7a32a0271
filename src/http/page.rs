//! The web page a person reads: `GET /` is the timeline per withdrawal (each
//! value with its sources, superseded values struck through, open
//! contradictions with both sides) and the latest alerts; `GET /alerts/{id}`
//! explains one alert. Server-rendered with minijinja from templates built into
//! the binary; it works without JavaScript, and `live.js` adds new alerts from
//! the stream. With a token set, the page asks for it once per tab.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{Environment, context};
use serde::Serialize;

use super::AppState;
use super::auth::{Access, gate};
use crate::alert::message::{event_label, format_value};
use crate::extract::Lexicon;
use crate::model::{AlertSide, ArticleRef, ChangeKind, Milestone, Observation};
use crate::store::{AlertQuery, StoredAlert};
use crate::timeline::Entry;

/// Alerts listed on the timeline page.
const LATEST_ALERTS: i64 = 20;

/// The stylesheet and the live script, served as they are.
pub const STYLE: &str = include_str!("assets/style.css");
pub const LIVE_JS: &str = include_str!("assets/live.js");

/// The templates, parsed once.
static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    let templates = [
        ("base.html", include_str!("assets/base.html")),
        ("timeline.html", include_str!("assets/timeline.html")),
        ("alert.html", include_str!("assets/alert.html")),
        ("token.html", include_str!("assets/token.html")),
        ("error.html", include_str!("assets/error.html")),
        ("macros.html", include_str!("assets/macros.html")),
    ];
    for (name, source) in templates {
        if let Err(err) = env.add_template(name, source) {
            tracing::error!(template = name, error = %err, "a built-in page template does not parse");
        }
    }
    env
});

/// Renders `name`; a template error is a 500 page naming it.
fn render(status: StatusCode, name: &str, ctx: minijinja::Value) -> Response {
    let rendered = TEMPLATES
        .get_template(name)
        .and_then(|template| template.render(ctx));
    match rendered {
        Ok(html) => (status, Html(html)).into_response(),
        Err(err) => {
            tracing::error!(template = name, error = %err, "cannot render the page");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html(format!(
                    "<!doctype html><title>drawdown</title><p>cannot render {name}</p>"
                )),
            )
                .into_response()
        }
    }
}

fn error_page(status: StatusCode, message: &str) -> Response {
    render(
        status,
        "error.html",
        context! { status => status.as_u16(), message => message },
    )
}

/// Middleware on the page routes: with a token set and none sent, the page
/// that asks for it (401); it keeps it in `sessionStorage` and loads again.
pub async fn require_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    gate(&state, request, next, |denied| {
        render(
            StatusCode::UNAUTHORIZED,
            "token.html",
            context! { wrong => denied == Access::Wrong },
        )
    })
    .await
}

/// `GET /assets/style.css`.
pub async fn style() -> Response {
    asset("text/css; charset=utf-8", STYLE)
}

/// `GET /assets/live.js`.
pub async fn live_js() -> Response {
    asset("text/javascript; charset=utf-8", LIVE_JS)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

// ---------------------------------------------------------------------------
// What the templates see.

/// One value's source: outlet, date, the sentence and who said it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SourceView {
    pub outlet: String,
    pub published: String,
    pub title: String,
    pub link: Option<String>,
    pub words: String,
    pub quote: String,
    pub attributed_to: Option<String>,
    pub modality: String,
}

impl SourceView {
    fn new(
        article: &ArticleRef,
        words: &str,
        quote: &str,
        who: Option<&str>,
        modality: &str,
    ) -> Self {
        SourceView {
            outlet: article.outlet().to_string(),
            published: article.published.to_string(),
            title: article.title.clone(),
            // Only web links: a path on the daemon's disk means nothing to a reader.
            link: article
                .url
                .clone()
                .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
            words: words.to_string(),
            quote: quote.to_string(),
            attributed_to: who.map(str::to_string),
            modality: modality.to_string(),
        }
    }
}

fn modality_word(modality: crate::model::Modality) -> String {
    serde_json::to_value(modality)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn observation_source(obs: &Observation) -> SourceView {
    SourceView::new(
        &obs.article,
        &obs.claim.text,
        &obs.claim.quote,
        obs.claim.attributed_to.as_deref(),
        &modality_word(obs.claim.modality),
    )
}

/// One value on a row's time axis.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ValueView {
    pub text: String,
    /// `superseded`, `current` or `contested`.
    pub state: &'static str,
    pub source: SourceView,
}

/// One milestone's attribute: its values along time.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RowView {
    pub milestone: String,
    pub attribute: String,
    /// Superseded values, oldest first, then the current one.
    pub axis: Vec<ValueView>,
    /// Values that contradict the current one (an open contradiction).
    pub contested: Vec<ValueView>,
    pub confirmations: u64,
    pub older_values: u64,
}

/// One withdrawal: a force leaving a country.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WithdrawalView {
    pub anchor: String,
    pub country: String,
    pub country_name: String,
    pub actor: String,
    pub rows: Vec<RowView>,
    pub open_contradictions: usize,
}

fn milestone_label(entry: &Entry) -> String {
    let event = &entry.event;
    match event.milestone {
        Milestone::Final => "Final withdrawal".to_string(),
        Milestone::Phase => match event.phase {
            Some(n) => format!("Phase {n}"),
            None => "A phase".to_string(),
        },
        Milestone::Base => match &event.location {
            Some(place) => format!("Leaving {place}"),
            None => "Leaving a base".to_string(),
        },
        Milestone::Drawdown => "Troops present".to_string(),
        Milestone::Agreement => "Agreement".to_string(),
    }
}

fn row(entry: &Entry) -> RowView {
    let value = |obs: &Observation, state| ValueView {
        text: format_value(&obs.claim.value),
        state,
        source: observation_source(obs),
    };
    let mut axis: Vec<ValueView> = entry
        .history
        .iter()
        .map(|obs| value(obs, "superseded"))
        .collect();
    axis.push(value(&entry.current, "current"));
    RowView {
        milestone: milestone_label(entry),
        attribute: entry.attribute.as_str().replace('_', " "),
        axis,
        contested: entry
            .contested
            .iter()
            .map(|obs| value(obs, "contested"))
            .collect(),
        confirmations: entry.confirmation_count,
        older_values: entry.history_dropped,
    }
}

/// The timeline grouped per withdrawal (country, then force), milestones in
/// the order agreement, final, phases, bases, troops.
pub fn withdrawals(entries: &[Entry], lexicon: &Lexicon) -> Vec<WithdrawalView> {
    let mut groups: BTreeMap<(String, String), Vec<&Entry>> = BTreeMap::new();
    for entry in entries {
        groups
            .entry((entry.event.country.clone(), entry.event.actor.clone()))
            .or_default()
            .push(entry);
    }
    groups
        .into_iter()
        .map(|((country, actor), mut entries)| {
            entries.sort_by_key(|e| {
                let order = match e.event.milestone {
                    Milestone::Agreement => 0,
                    Milestone::Final => 1,
                    Milestone::Phase => 2,
                    Milestone::Base => 3,
                    Milestone::Drawdown => 4,
                };
                (order, e.event.phase, e.event.location.clone(), e.attribute)
            });
            let rows: Vec<RowView> = entries.iter().map(|e| row(e)).collect();
            WithdrawalView {
                anchor: crate::model::slug(&format!("{country} {actor}")),
                country_name: lexicon.country_name(&country).to_string(),
                open_contradictions: rows.iter().filter(|r| !r.contested.is_empty()).count(),
                country,
                actor,
                rows,
            }
        })
        .collect()
}

/// One side of an alert.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SideView {
    pub value: String,
    pub source: SourceView,
}

impl From<&AlertSide> for SideView {
    fn from(side: &AlertSide) -> SideView {
        SideView {
            value: format_value(&side.value),
            source: SourceView::new(
                &side.article,
                &side.text,
                &side.quote,
                side.attributed_to.as_deref(),
                &modality_word(side.modality),
            ),
        }
    }
}

/// An alert as the page shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AlertView {
    pub id: String,
    pub seq: i64,
    pub kind: String,
    pub event: String,
    pub attribute: String,
    pub message: String,
    pub raised_at: String,
    pub current: SideView,
    pub previous: Option<SideView>,
    /// The diff's rule for this kind, in words.
    pub rule: &'static str,
}

/// Why the diff chose `kind` (docs/design.md, "Comparing two values").
pub fn rule_text(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Contradiction => {
            "Contradiction: the two values cannot both hold, and the newer report uses no change wording (\"pushed back\", \"now expected\", a new decision). It stays open until a later update settles it."
        }
        ChangeKind::Update => {
            "Update: a later report changes the value with change wording or a new official decision, or the status moves on (agreed, signed, under way, completed)."
        }
        ChangeKind::Refinement => {
            "Refinement: the new value lies inside the old one and is more precise."
        }
        ChangeKind::Confirmation => {
            "Confirmation: the same value, or a less precise one consistent with it."
        }
        ChangeKind::New => "New: the first value known for this milestone.",
    }
}

pub fn alert_view(stored: &StoredAlert, lexicon: &Lexicon) -> AlertView {
    let alert = &stored.alert;
    let country = lexicon.country_name(&alert.event.country);
    let mut event = event_label(&alert.event, country);
    if let Some(first) = event.get(..1) {
        event = format!(
            "{}{}",
            first.to_uppercase(),
            event.get(1..).unwrap_or_default()
        );
    }
    AlertView {
        id: alert.id.clone(),
        seq: stored.seq,
        kind: alert.kind.as_str().to_string(),
        event,
        attribute: alert.attribute.as_str().replace('_', " "),
        message: alert.message.clone(),
        raised_at: stored.raised_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        current: SideView::from(&alert.current),
        previous: alert.previous.as_ref().map(SideView::from),
        rule: rule_text(alert.kind),
    }
}

// ---------------------------------------------------------------------------
// Handlers.

/// `GET /`: the timeline and the latest alerts.
pub async fn timeline_page(State(state): State<AppState>) -> Response {
    match timeline_context(&state).await {
        Ok(ctx) => render(StatusCode::OK, "timeline.html", ctx),
        Err(err) => error_page(StatusCode::SERVICE_UNAVAILABLE, &err.to_string()),
    }
}

async fn timeline_context(state: &AppState) -> Result<minijinja::Value, crate::store::StoreError> {
    // The stream starts after the last alert listed, so none falls between.
    let last_seq = state.store.last_alert_seq().await?;
    let entries = state.store.load_timeline().await?;
    let latest = state
        .store
        .alerts_page(&AlertQuery {
            after_seq: Some((last_seq - LATEST_ALERTS).max(0)),
            limit: u32::try_from(LATEST_ALERTS).unwrap_or(20),
            ..AlertQuery::default()
        })
        .await?;
    let lexicon: &Arc<Lexicon> = &state.lexicon;
    let alerts: Vec<AlertView> = latest
        .iter()
        .rev()
        .filter(|a| a.seq <= last_seq)
        .map(|a| alert_view(a, lexicon))
        .collect();
    Ok(context! {
        withdrawals => minijinja::Value::from(minijinja::value::Serde(withdrawals(&entries, lexicon))),
        alerts => minijinja::Value::from(minijinja::value::Serde(alerts)),
        last_seq => last_seq,
    })
}

/// `GET /alerts/{id}`: one alert, its two claims side by side.
pub async fn alert_page(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match state.store.alert(&id).await {
        Ok(Some(stored)) => render(
            StatusCode::OK,
            "alert.html",
            context! { alert => minijinja::Value::from(minijinja::value::Serde(alert_view(&stored, &state.lexicon))) },
        ),
        Ok(None) => error_page(StatusCode::NOT_FOUND, &format!("no alert with id {id}")),
        Err(err) => error_page(StatusCode::SERVICE_UNAVAILABLE, &err.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        for name in [
            "base.html",
            "timeline.html",
            "alert.html",
            "token.html",
            "error.html",
            "macros.html",
        ] {
            if let Err(e) = TEMPLATES.get_template(name) {
                panic!("{name}: {e}");
            }
        }
    }

    #[test]
    fn an_empty_timeline_renders_and_escapes() {
        let html = TEMPLATES
            .get_template("error.html")
            .and_then(|t| t.render(context! { status => 404, message => "<b>no</b>" }))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            html.contains("&lt;b&gt;no") && !html.contains("<b>no"),
            "{html}"
        );
        let html = TEMPLATES
            .get_template("timeline.html")
            .and_then(|t| {
                t.render(context! { withdrawals => Vec::<String>::new(), alerts => Vec::<String>::new(), last_seq => 0 })
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(html.contains("No withdrawal known yet"), "{html}");
    }
}
