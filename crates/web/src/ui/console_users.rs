//! The console's people (issue 13): the list of users by role (the staff by default), one page
//! per user (name, role, language, desks, a new password, disable and enable, their API
//! tokens), and the desks with their agents. Admins only; works without JavaScript; a refused
//! form comes back as typed with its errors.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use madoguchi_app::admin::{self, UserInput};
use madoguchi_app::{ServiceError, desk_members, identity};
use madoguchi_core::{Desk, Role};
use madoguchi_store::{Cursor, PageRequest, Session};
use serde::Deserialize;

use crate::auth::{Browser, check_csrf};
use crate::error::{PageError, PageForm};
use crate::i18n::{self, Words};
use crate::state::AppState;
use crate::ui::console::{CsrfForm, Refused, blank_is_none, field_errors};
use crate::ui::tokens::{TokenRow, token_rows};
use crate::ui::{Nav, csrf_failed, format_time, render, unless_admin};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list))
        .route("/admin/users/{id}", get(show).post(save))
        .route("/admin/users/{id}/password", post(set_password))
        .route(
            "/admin/users/{id}/disable",
            get(confirm_disable).post(disable),
        )
        .route("/admin/users/{id}/enable", post(enable))
        .route(
            "/admin/users/{id}/tokens/{token}/revoke",
            get(confirm_revoke).post(revoke),
        )
        .route("/admin/desks", get(desks))
        .route("/admin/desks/{desk}/members", post(add_member))
        .route(
            "/admin/desks/{desk}/members/{user}/remove",
            post(remove_member),
        )
}

fn fail(session: &Session, e: ServiceError) -> Response {
    PageError::from_service(session.user.locale, e).into_response()
}

/// The banner of a `?done=` code, when the code is one of the console's.
fn done_banner(session: &Session, done: Option<&str>) -> Option<String> {
    let key = format!("users.done_{}", done?);
    let text = i18n::text(session.user.locale, &key);
    (text != key).then(|| text.to_owned())
}

// ---- the list ----

struct ListedUser {
    id: String,
    name: String,
    email: String,
    role_name: String,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "console_users.html")]
struct UsersPage {
    w: Words,
    nav: Nav,
    role: String,
    roles: Vec<(&'static str, String)>,
    rows: Vec<ListedUser>,
    next_url: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    role: Option<String>,
    cursor: Option<String>,
}

/// `GET /admin/users?role=agent`: the users of one role, 50 to a page (agents by default;
/// customers are also on their organization's page).
async fn list(
    State(state): State<AppState>,
    Browser(session): Browser,
    Query(query): Query<ListQuery>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let w = Words(session.user.locale);
    let role = query.role.clone().unwrap_or_else(|| "agent".to_owned());
    let after = query.cursor.as_deref().and_then(Cursor::parse);
    let page = PageRequest::new(Some(50), after).expect("50 is a valid limit");
    let found = match admin::users(&state.store, &session.user, None, Some(&role), &page).await {
        Ok(found) => found,
        Err(e) => return fail(&session, e),
    };
    let next_url = found.next_cursor.as_ref().map(|c| {
        let pairs = [("role", role.as_str()), ("cursor", &c.as_str())];
        format!(
            "/admin/users?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    });
    let page = UsersPage {
        w,
        nav: Nav::of(&session),
        roles: Role::ALL
            .iter()
            .map(|r| (r.code(), i18n::role(w.0, *r).to_owned()))
            .collect(),
        role,
        rows: found
            .items
            .into_iter()
            .map(|u| ListedUser {
                role_name: i18n::role(w.0, u.role).to_owned(),
                disabled: u.disabled_at.is_some(),
                id: u.id,
                name: u.name,
                email: u.email,
            })
            .collect(),
        next_url,
    };
    render(w.0, page)
}

// ---- one user ----

#[derive(Template)]
#[template(path = "console_user.html")]
struct UserPage {
    w: Words,
    nav: Nav,
    csrf: String,
    id: String,
    name: String,
    email: String,
    role: String,
    role_name: String,
    locale: String,
    organization: Option<(String, String)>,
    /// The roles this user may take: those of their side (customers stay customers).
    roles: Vec<(&'static str, String)>,
    is_agent: bool,
    /// Every desk: (code, name, whether the user works it).
    desks: Vec<(&'static str, String, bool)>,
    disabled_since: Option<String>,
    is_self: bool,
    tokens: Vec<TokenRow>,
    banner: Option<String>,
    refused: Refused,
}

impl UserPage {
    fn err(&self, form: &str, field: &str) -> &str {
        self.refused.err(form, field)
    }

    fn aria(&self, form: &str, field: &str) -> String {
        self.refused.aria(form, field)
    }

    /// Whether a desk's box is ticked: as sent after a refusal, else as stored.
    fn desk_ticked(&self, code: &str, stored: &bool) -> bool {
        if self.refused.form == "profile" {
            self.refused.typed("profile", &format!("desk_{code}")) == "on"
        } else {
            *stored
        }
    }

    fn tokens_rows(&self) -> &[TokenRow] {
        &self.tokens
    }

    /// The value a field of the profile form shows: as typed after a refusal, else stored.
    fn shown<'a>(&'a self, field: &str, stored: &'a str) -> &'a str {
        if self.refused.form == "profile" {
            self.refused.typed("profile", field)
        } else {
            stored
        }
    }
}

async fn user_page(
    state: &AppState,
    session: &Session,
    id: &str,
    banner: Option<String>,
    refused: Refused,
) -> Response {
    let actor = &session.user;
    let w = Words(actor.locale);
    let loaded = async {
        let user = admin::user(&state.store, actor, id).await?;
        let profile = identity::profile(&state.store, &user).await?;
        let tokens = admin::tokens(&state.store, actor, id).await?;
        Ok::<_, ServiceError>((profile, tokens))
    };
    let (profile, tokens) = match loaded.await {
        Ok(loaded) => loaded,
        Err(e) => return fail(session, e),
    };
    let user = profile.user;
    let status = if refused.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let side = user.role.is_customer();
    let page = UserPage {
        w,
        nav: Nav::of(session),
        csrf: session.csrf_token.clone(),
        roles: Role::ALL
            .iter()
            .filter(|r| r.is_customer() == side)
            .map(|r| (r.code(), i18n::role(w.0, *r).to_owned()))
            .collect(),
        is_agent: user.role == Role::Agent,
        desks: Desk::ALL
            .iter()
            .map(|d| {
                let name = w.t(&format!("desk.{}", d.code())).to_owned();
                (d.code(), name, profile.desks.contains(d))
            })
            .collect(),
        disabled_since: user.disabled_at.map(|t| format_time(actor, t)),
        is_self: user.id == actor.id,
        tokens: token_rows(actor, tokens, |t| {
            format!("/admin/users/{}/tokens/{t}/revoke", user.id)
        }),
        organization: profile.organization.map(|o| (o.id, o.name)),
        role: user.role.code().to_owned(),
        role_name: i18n::role(w.0, user.role).to_owned(),
        locale: user.locale.code().to_owned(),
        id: user.id,
        name: user.name,
        email: user.email,
        banner,
        refused,
    };
    (status, render(w.0, page)).into_response()
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

/// `GET /admin/users/{id}`.
async fn show(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let banner = done_banner(&session, q.done.as_deref());
    user_page(&state, &session, &id, banner, Refused::default()).await
}

/// After a change on the user's page: back to it with what happened, or the page again with
/// the refused form as typed.
async fn after_change<T>(
    state: &AppState,
    session: &Session,
    id: &str,
    form: &'static str,
    values: BTreeMap<String, String>,
    result: Result<T, ServiceError>,
    done: &str,
) -> Response {
    match result {
        Ok(_) => Redirect::to(&format!("/admin/users/{id}?done={done}")).into_response(),
        Err(e) => match field_errors(session.user.locale, &e) {
            Some(errors) => {
                let refused = Refused {
                    form,
                    values,
                    errors,
                };
                user_page(state, session, id, None, refused).await
            }
            None => fail(session, e),
        },
    }
}

#[derive(Deserialize)]
pub struct ProfileForm {
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    locale: String,
    /// Present when the form showed the desks (for agents).
    desks_shown: Option<String>,
    desk_general: Option<String>,
    desk_premium: Option<String>,
}

impl ProfileForm {
    /// The desks ticked, when the form showed them.
    fn desks(&self) -> Option<Vec<String>> {
        self.desks_shown.as_ref()?;
        let ticked = [
            (Desk::General, &self.desk_general),
            (Desk::Premium, &self.desk_premium),
        ];
        Some(
            ticked
                .into_iter()
                .filter(|(_, on)| on.is_some())
                .map(|(d, _)| d.code().to_owned())
                .collect(),
        )
    }
}

/// `POST /admin/users/{id}`: name, role, language and desks.
async fn save(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    PageForm(form): PageForm<ProfileForm>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(session.user.locale);
    }
    let desks = form.desks();
    let input = UserInput {
        name: Some(form.name.clone()),
        role: blank_is_none(&form.role),
        locale: blank_is_none(&form.locale),
        desks: desks.clone(),
        ..Default::default()
    };
    let result = admin::update_user(&state.store, &session.user, &id, &input).await;
    let mut values = BTreeMap::from([
        ("name".to_owned(), form.name),
        ("role".to_owned(), form.role),
        ("locale".to_owned(), form.locale),
    ]);
    for desk in desks.unwrap_or_default() {
        values.insert(format!("desk_{desk}"), "on".to_owned());
    }
    after_change(&state, &session, &id, "profile", values, result, "saved").await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: String,
    #[serde(default)]
    password: String,
}

/// `POST /admin/users/{id}/password`: a new password (the rules of every password); the
/// user's sessions end.
async fn set_password(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    PageForm(form): PageForm<PasswordForm>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(session.user.locale);
    }
    let input = UserInput {
        password: Some(form.password),
        ..Default::default()
    };
    let result = admin::update_user(&state.store, &session.user, &id, &input).await;
    // The password is never sent back into the page.
    let values = BTreeMap::new();
    after_change(
        &state,
        &session,
        &id,
        "password",
        values,
        result,
        "password_set",
    )
    .await
}

// ---- disabling, after a confirmation; enabling ----

#[derive(Template)]
#[template(path = "console_confirm.html")]
struct ConfirmPage {
    w: Words,
    nav: Nav,
    csrf: String,
    title: String,
    question: String,
    action: String,
    button: String,
    back: String,
}

/// A confirmation page: `title` is a locale key, and `{title}_yes` words its button.
pub(crate) fn confirm_page(
    session: &Session,
    title: &str,
    question: String,
    action: String,
    back: String,
) -> Response {
    let w = Words(session.user.locale);
    render(
        w.0,
        ConfirmPage {
            w,
            nav: Nav::of(session),
            csrf: session.csrf_token.clone(),
            title: w.t(title).to_owned(),
            question,
            button: w.t(&format!("{title}_yes")).to_owned(),
            action,
            back,
        },
    )
}

/// `GET /admin/users/{id}/disable`: asks first, naming the user and what follows.
async fn confirm_disable(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let user = match admin::user(&state.store, &session.user, &id).await {
        Ok(user) => user,
        Err(e) => return fail(&session, e),
    };
    let question = i18n::text_with(
        session.user.locale,
        "users.disable_question",
        &[("name", user.name), ("email", user.email)],
    );
    let action = format!("/admin/users/{id}/disable");
    confirm_page(
        &session,
        "users.disable",
        question,
        action,
        format!("/admin/users/{id}"),
    )
}

async fn set_disabled(
    state: AppState,
    session: Session,
    id: String,
    form: CsrfForm,
    disabled: bool,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(session.user.locale);
    }
    let input = UserInput {
        disabled: Some(disabled),
        ..Default::default()
    };
    let result = admin::update_user(&state.store, &session.user, &id, &input).await;
    let done = if disabled { "disabled" } else { "enabled" };
    after_change(
        &state,
        &session,
        &id,
        "disable",
        BTreeMap::new(),
        result,
        done,
    )
    .await
}

/// `POST /admin/users/{id}/disable`.
async fn disable(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    PageForm(form): PageForm<CsrfForm>,
) -> Response {
    set_disabled(state, session, id, form, true).await
}

/// `POST /admin/users/{id}/enable`: undoes a disable, so it needs no confirmation.
async fn enable(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(id): Path<String>,
    PageForm(form): PageForm<CsrfForm>,
) -> Response {
    set_disabled(state, session, id, form, false).await
}

// ---- a user's tokens ----

/// `GET /admin/users/{id}/tokens/{token}/revoke`.
async fn confirm_revoke(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path((id, token)): Path<(String, String)>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let found = match admin::tokens(&state.store, &session.user, &id).await {
        Ok(tokens) => tokens.into_iter().find(|t| t.id == token),
        Err(e) => return fail(&session, e),
    };
    let Some(found) = found else {
        return fail(&session, ServiceError::NotFound);
    };
    let question = crate::ui::tokens::revoke_question(&session, &found);
    confirm_page(
        &session,
        "users.revoke",
        question,
        format!("/admin/users/{id}/tokens/{token}/revoke"),
        format!("/admin/users/{id}"),
    )
}

/// `POST /admin/users/{id}/tokens/{token}/revoke`.
async fn revoke(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path((id, token)): Path<(String, String)>,
    PageForm(form): PageForm<CsrfForm>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(session.user.locale);
    }
    match admin::revoke_token(&state.store, &session.user, &id, &token).await {
        Ok(()) => Redirect::to(&format!("/admin/users/{id}?done=token_revoked")).into_response(),
        Err(e) => fail(&session, e),
    }
}

// ---- the desks ----

struct DeskCard {
    code: &'static str,
    name: String,
    email: Option<String>,
    members: Vec<(String, String, String)>,
    /// Agents not on the desk yet: (id, name, email).
    candidates: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "console_desks.html")]
struct DesksPage {
    w: Words,
    nav: Nav,
    csrf: String,
    desks: Vec<DeskCard>,
    banner: Option<String>,
    refused: Refused,
}

impl DesksPage {
    fn err(&self, form: &str, field: &str) -> &str {
        self.refused.err(form, field)
    }

    fn aria(&self, form: &str, field: &str) -> String {
        self.refused.aria(form, field)
    }
}

async fn desks_page(
    state: &AppState,
    session: &Session,
    banner: Option<String>,
    refused: Refused,
) -> Response {
    let actor = &session.user;
    let w = Words(actor.locale);
    let all = PageRequest::new(Some(200), None).expect("200 is a valid limit");
    let agents = match admin::users(&state.store, actor, None, Some("agent"), &all).await {
        Ok(agents) => agents.items,
        Err(e) => return fail(session, e),
    };
    let mut desks = Vec::new();
    for desk in Desk::ALL {
        let loaded = async {
            let members = desk_members::members(&state.store, actor, *desk).await?;
            let email = state.store.desk_email(*desk).await?;
            Ok::<_, ServiceError>((members, email))
        };
        let (members, email) = match loaded.await {
            Ok(loaded) => loaded,
            Err(e) => return fail(session, e),
        };
        let candidates = agents
            .iter()
            .filter(|a| a.disabled_at.is_none() && !members.iter().any(|m| m.id == a.id))
            .map(|a| (a.id.clone(), a.name.clone(), a.email.clone()))
            .collect();
        desks.push(DeskCard {
            code: desk.code(),
            name: w.t(&format!("desk.{}", desk.code())).to_owned(),
            email,
            members: members
                .into_iter()
                .map(|m| (m.id, m.name, m.email))
                .collect(),
            candidates,
        });
    }
    let status = if refused.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = DesksPage {
        w,
        nav: Nav::of(session),
        csrf: session.csrf_token.clone(),
        desks,
        banner,
        refused,
    };
    (status, render(w.0, page)).into_response()
}

/// `GET /admin/desks`: each desk with its agents and its notification address.
async fn desks(
    State(state): State<AppState>,
    Browser(session): Browser,
    Query(q): Query<DoneQuery>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    let banner = done_banner(&session, q.done.as_deref());
    desks_page(&state, &session, banner, Refused::default()).await
}

#[derive(Deserialize)]
pub struct MemberForm {
    csrf: String,
    #[serde(default)]
    user_id: String,
}

/// `POST /admin/desks/{desk}/members`: adds the agent chosen.
async fn add_member(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path(code): Path<String>,
    PageForm(form): PageForm<MemberForm>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(session.user.locale);
    }
    // A desk that does not exist is a page that does not exist.
    let Ok(desk) = Desk::parse(&code) else {
        return fail(&session, ServiceError::NotFound);
    };
    let result = if form.user_id.trim().is_empty() {
        Err(madoguchi_core::Invalid::one("user_id", madoguchi_core::Problem::NotChosen).into())
    } else {
        desk_members::add(&state.store, &session.user, desk, form.user_id.trim()).await
    };
    match result {
        Ok(()) => Redirect::to("/admin/desks?done=member_added").into_response(),
        Err(e) => match field_errors(session.user.locale, &e) {
            Some(errors) => {
                let refused = Refused {
                    form: desk.code(),
                    values: BTreeMap::new(),
                    errors,
                };
                desks_page(&state, &session, None, refused).await
            }
            None => fail(&session, e),
        },
    }
}

/// `POST /admin/desks/{desk}/members/{user}/remove`: taking an agent off a desk is undone by
/// adding them again, so it needs no confirmation.
async fn remove_member(
    State(state): State<AppState>,
    Browser(session): Browser,
    Path((code, user)): Path<(String, String)>,
    PageForm(form): PageForm<CsrfForm>,
) -> Response {
    if let Some(r) = unless_admin(&session) {
        return r;
    }
    if !check_csrf(&session, &form.csrf) {
        return csrf_failed(session.user.locale);
    }
    // A desk that does not exist is a page that does not exist.
    let Ok(desk) = Desk::parse(&code) else {
        return fail(&session, ServiceError::NotFound);
    };
    match desk_members::remove(&state.store, &session.user, desk, &user).await {
        Ok(()) => Redirect::to("/admin/desks?done=member_removed").into_response(),
        Err(e) => fail(&session, e),
    }
}
