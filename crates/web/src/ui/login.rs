use askama::Template;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use madoguchi_core::Locale;
use serde::Deserialize;

use crate::auth::{LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::error::{PageError, PageForm};
use crate::i18n::Words;
use crate::state::AppState;
use crate::ui::render;
use madoguchi_app::{ServiceError, identity};

/// The cookie that remembers the language picked on the login page.
const LANG_COOKIE: &str = "madoguchi_lang";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    w: Words,
    csrf: String,
    next: String,
    next_query: String,
    email: String,
    error: Option<String>,
    /// Only a demo server hints at its logins.
    demo: bool,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    lang: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    csrf: String,
    email: String,
    password: String,
    next: Option<String>,
}

/// Only same-site paths: a login link must not send people elsewhere.
///
/// A path of this site only: `/` then URL path and query characters, never `//` or `/\` (which
/// browsers read as another host), never whitespace or control characters (which browsers
/// strip, turning `/\t/evil` into `//evil`).
fn safe_next(next: Option<&str>) -> String {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/?%".contains(c);
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && n.chars().all(allowed) => {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

pub(crate) fn locale_of(jar: &CookieJar) -> Locale {
    jar.get(LANG_COOKIE)
        .and_then(|c| Locale::parse(c.value()).ok())
        .unwrap_or(Locale::DEFAULT)
}

fn cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies)
        .build()
}

fn login_page(
    jar: CookieJar,
    state: &AppState,
    locale: Locale,
    next: String,
    email: String,
    error: Option<String>,
) -> Result<(CookieJar, LoginPage), PageError> {
    // The login form has no session yet: a random cookie and the same value in the form
    // (double submit) keep other sites from logging people in as someone else.
    let csrf = match jar.get(LOGIN_CSRF_COOKIE) {
        Some(c) if !c.value().is_empty() => c.value().to_owned(),
        _ => madoguchi_store::random_secret().map_err(|_| PageError::internal(locale))?,
    };
    let next_query = serde_urlencoded::to_string([("", next.as_str())])
        .unwrap_or_default()
        .trim_start_matches('=')
        .to_owned();
    let jar = jar.add(cookie(state, LOGIN_CSRF_COOKIE, csrf.clone()));
    Ok((
        jar,
        LoginPage {
            w: Words(locale),
            csrf,
            next,
            next_query,
            email,
            error,
            demo: state.config.demo,
        },
    ))
}

pub async fn page(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<LoginQuery>,
) -> Response {
    let mut jar = jar;
    let mut locale = locale_of(&jar);
    if let Some(lang) = q.lang.as_deref().and_then(|l| Locale::parse(l).ok()) {
        locale = lang;
        jar = jar.add(cookie(&state, LANG_COOKIE, lang.code().to_owned()));
    }
    match login_page(
        jar,
        &state,
        locale,
        safe_next(q.next.as_deref()),
        String::new(),
        None,
    ) {
        Ok((jar, page)) => (jar, render(locale, page)).into_response(),
        Err(e) => e.into_response(),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    PageForm(form): PageForm<LoginForm>,
) -> Response {
    let locale = locale_of(&jar);
    let next = safe_next(form.next.as_deref());
    let csrf_ok = !form.csrf.is_empty()
        && jar.get(LOGIN_CSRF_COOKIE).is_some_and(|c| {
            use subtle::ConstantTimeEq;
            bool::from(c.value().as_bytes().ct_eq(form.csrf.as_bytes()))
        });
    let failure = |jar: CookieJar, key: &str, status: StatusCode| {
        let message = Words(locale).t(key).to_owned();
        match login_page(
            jar,
            &state,
            locale,
            next.clone(),
            form.email.clone(),
            Some(message),
        ) {
            Ok((jar, page)) => (status, jar, render(locale, page)).into_response(),
            Err(e) => e.into_response(),
        }
    };
    if !csrf_ok {
        return failure(jar, "login.expired", StatusCode::FORBIDDEN);
    }
    match identity::log_in(
        &state.store,
        state.config.session_lifetime,
        &form.email,
        &form.password,
    )
    .await
    {
        Ok(session) => {
            // A new login replaces the browser's previous session, which ends.
            if let Some(previous) = jar.get(SESSION_COOKIE)
                && let Err(e) = identity::log_out(&state.store, previous.value()).await
            {
                tracing::warn!(error = %e, "ending the previous session");
            }
            let jar = jar
                .remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/"))
                .add(cookie(&state, SESSION_COOKIE, session.token));
            (jar, Redirect::to(&next)).into_response()
        }
        Err(ServiceError::Invalid(_)) => failure(jar, "login.failed", StatusCode::UNAUTHORIZED),
        Err(ServiceError::AccountDisabled) => failure(jar, "login.disabled", StatusCode::FORBIDDEN),
        Err(e) => PageError::from_service(locale, e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    pub csrf: String,
}

pub async fn log_out(
    State(state): State<AppState>,
    jar: CookieJar,
    PageForm(form): PageForm<CsrfForm>,
) -> Response {
    let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) else {
        return Redirect::to("/login").into_response();
    };
    // Logging out needs the form's token too, or any site could log people out.
    match state.store.session(&token).await {
        Ok(session) if crate::auth::check_csrf(&session, &form.csrf) => {}
        Ok(session) => {
            return PageError {
                status: StatusCode::FORBIDDEN,
                locale: session.user.locale,
                message_key: "error.csrf",
            }
            .into_response();
        }
        Err(_) => {
            return (
                jar.remove(Cookie::build(SESSION_COOKIE).path("/")),
                Redirect::to("/login"),
            )
                .into_response();
        }
    }
    if let Err(e) = identity::log_out(&state.store, &token).await {
        return PageError::from_service(locale_of(&jar), e).into_response();
    }
    (
        // Drafts of tickets and replies live in the browser's storage; the next person to use
        // this browser must not find them (app.js clears them too, for browsers that ignore
        // this header).
        [(
            axum::http::HeaderName::from_static("clear-site-data"),
            "\"storage\"",
        )],
        jar.remove(Cookie::build(SESSION_COOKIE).path("/")),
        Redirect::to("/login"),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_paths_of_this_site_are_followed() {
        assert_eq!(
            safe_next(Some("/tickets?status=new")),
            "/tickets?status=new"
        );
        for bad in [
            "//evil.example/",
            "/\\evil.example",
            "/\t/evil.example/",
            "https://evil.example",
            "/a\nb",
            "evil",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
