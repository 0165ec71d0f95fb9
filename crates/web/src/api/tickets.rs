//! Tickets in the API: categories, service menus, filing, lists, one ticket, replies, close,
//! the agent's PATCH, and attachments.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use madoguchi_core::catalog::TicketType;
use madoguchi_core::model::User;
use madoguchi_core::ticket::{Message, Ticket};
use madoguchi_store::{Cursor, HistoryEntry, PageRequest, Person};

use crate::api::ApiQuery;
use crate::api::views::{
    AttachmentView, CallbackView, CategoriesView, IncidentView, List, LogEventView, MessageView,
    OrganizationRef, SatisfactionView, ServiceMenuView, SlaView, SnippetView, TicketListView,
    TicketTypeView, TicketView, UserRef, rfc3339, unseen_codes,
};
use crate::auth::ApiCaller;
use crate::error::{ApiError, ApiJson, ApiMultipart, Problem};
use crate::i18n;
use crate::state::AppState;
use madoguchi_app::attachments::{self, Upload, UploadError};
use madoguchi_app::tickets::{
    self, LogItem, ReplyInput, TicketDetail, TicketInput, TicketPatch, TicketQuery,
};

pub(crate) fn user_ref(person: Option<&Person>, id: &str, viewer: &User) -> UserRef {
    match person {
        Some(p) => UserRef {
            id: p.id.clone(),
            name: p.name.clone(),
            // Customers see their colleagues' addresses, not support staff's.
            email: (!viewer.role.is_customer() || p.role.is_customer()).then(|| p.email.clone()),
        },
        None => UserRef {
            id: id.to_owned(),
            name: String::new(),
            email: None,
        },
    }
}

/// A ticket as `viewer` sees it; `people` names everyone it mentions.
pub(crate) fn ticket_view(
    t: &Ticket,
    types: &[TicketType],
    people: &[Person],
    viewer: &User,
) -> TicketView {
    let find = |id: &str| people.iter().find(|p| p.id == id);
    let locale = viewer.locale;
    let ticket_type = match types.iter().find(|ty| ty.code == t.ticket_type) {
        Some(ty) => TicketTypeView::new(ty, locale),
        None => TicketTypeView {
            code: t.ticket_type.clone(),
            name: t.ticket_type.clone(),
            description: String::new(),
            kind: String::new(),
            channel: String::new(),
            desk: t.desk.code().to_owned(),
        },
    };
    TicketView {
        key: t.key.to_string(),
        status: t.status.code().to_owned(),
        status_name: i18n::text(locale, &format!("status.{}", t.status.code())).to_owned(),
        ticket_type,
        summary: t.summary.clone(),
        service_menu: t.service_menu.clone(),
        tenant_id: t.tenant_id.clone(),
        contract_number: t.contract_number.clone(),
        details: t.details.clone(),
        menu_fields: t.menu_fields.clone(),
        incident: t.incident.as_ref().map(|i| IncidentView {
            occurred_at: rfc3339(i.occurred_at),
            operation_history: i.operation_history.clone(),
            current_status: i.current_status.clone(),
        }),
        callback: t.callback.as_ref().map(|c| CallbackView {
            phone: c.phone.clone(),
            contact_name: c.contact_name.clone(),
            preferred_window: c.preferred_window.clone(),
            due_at: None,
            attempts: None,
        }),
        participants: Some(
            t.participant_ids
                .iter()
                .map(|id| user_ref(find(id), id, viewer))
                .collect(),
        ),
        desk: t.desk.code().to_owned(),
        priority: Some(t.priority.code().to_owned()),
        // A desk field: customers see `priority` and the public part (SPEC §8), not who works
        // the ticket.
        assignee: t
            .assignee_id
            .as_deref()
            .filter(|_| !viewer.role.is_customer())
            .map(|id| user_ref(find(id), id, viewer)),
        created_by: user_ref(find(&t.created_by), &t.created_by, viewer),
        created_at: rfc3339(t.created_at),
        updated_at: rfc3339(t.updated_at),
        follow_up_of: t.follow_up_of.map(|k| k.to_string()),
        merged_into: t.merged_into.map(|k| k.to_string()),
        organization: OrganizationRef {
            id: t.organization_id.clone(),
            name: t.organization_name.clone(),
        },
        plan: t.plan.code().to_owned(),
        satisfaction: t
            .satisfaction
            .as_ref()
            .filter(|_| madoguchi_app::satisfaction::shows(viewer, t))
            .map(|s| SatisfactionView {
                rating: s.rating,
                comment: s.comment.clone(),
                rated_at: rfc3339(s.rated_at),
            }),
        sla: (!viewer.role.is_customer()).then(|| SlaView::of(t, jiff::Timestamp::now())),
        messages: None,
        attachments: None,
        snippets: None,
        unseen: None,
    }
}

fn message_view(m: &Message, people: &[Person], viewer: &User) -> MessageView {
    let author = people.iter().find(|p| p.id == m.author_id);
    MessageView {
        id: m.id.clone(),
        author: user_ref(author, &m.author_id, viewer),
        from_support: author.is_some_and(|a| !a.role.is_customer()),
        body: m.body.clone(),
        internal: m.internal,
        kind: if m.internal { "note" } else { "reply" }.to_owned(),
        via: Some(m.via.code().to_owned()),
        event: None,
        created_at: rfc3339(m.created_at),
        attachments: m.attachments.iter().map(AttachmentView::from).collect(),
    }
}

/// A public change as an entry of the response log, worded for the caller.
fn event_view(e: &HistoryEntry, people: &[Person], viewer: &User) -> MessageView {
    let author = e
        .actor_id
        .as_deref()
        .map(|id| (id, people.iter().find(|p| p.id == id)));
    MessageView {
        id: format!("event-{}", e.id),
        author: match author {
            Some((id, person)) => user_ref(person, id, viewer),
            None => UserRef {
                id: "system".to_owned(),
                name: i18n::text(viewer.locale, "workflow.system").to_owned(),
                email: None,
            },
        },
        from_support: author.is_some_and(|(_, p)| p.is_some_and(|p| !p.role.is_customer())),
        body: crate::history_words::log_sentence(viewer.locale, e, people),
        internal: false,
        kind: "event".to_owned(),
        via: None,
        event: Some(LogEventView {
            kind: e.kind.clone(),
            changes: e.changes.clone(),
        }),
        created_at: rfc3339(e.at),
        attachments: Vec::new(),
    }
}

pub(crate) fn detail_view(d: &TicketDetail, types: &[TicketType], viewer: &User) -> TicketView {
    let mut view = ticket_view(&d.ticket, types, &d.people, viewer);
    view.messages = Some(
        d.log()
            .into_iter()
            .map(|item| match item {
                LogItem::Message(m) => message_view(m, &d.people, viewer),
                LogItem::Event(e) => event_view(e, &d.people, viewer),
            })
            .collect(),
    );
    view.attachments = Some(d.attachments.iter().map(AttachmentView::from).collect());
    if let (Some(callback), Some(log)) = (view.callback.as_mut(), d.callback_log.as_ref()) {
        crate::api::merge_callbacks_satisfaction::fill_callback(callback, log, &d.people, viewer);
    }
    view
}

/// The categories the caller may file under; when there are none, why, and whom to ask.
#[utoipa::path(get, path = "/api/v1/categories", tag = "tickets",
    responses((status = 200, body = CategoriesView), (status = 401, body = Problem)))]
pub async fn categories(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
) -> Result<Json<CategoriesView>, ApiError> {
    let choice = tickets::categories(&state.store, &user).await?;
    Ok(Json(CategoriesView::new(choice, user.locale)))
}

/// The service menus a new ticket may be about, with the items it must contain (retired ones
/// are left out).
#[utoipa::path(get, path = "/api/v1/service-menus", tag = "tickets",
    responses((status = 200, body = List<ServiceMenuView>), (status = 401, body = Problem)))]
pub async fn service_menus(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
) -> Result<Json<List<ServiceMenuView>>, ApiError> {
    let menus = state
        .store
        .service_menus()
        .await
        .map_err(madoguchi_app::ServiceError::from)?;
    Ok(Json(List::all(
        madoguchi_core::catalog::offered_menus(&menus)
            .iter()
            .map(|m| ServiceMenuView::new(m, user.locale))
            .collect(),
    )))
}

/// Files a ticket. Every invalid field is listed at once (422); a view-only or partner
/// contract is 403.
#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", request_body = TicketInput,
    responses((status = 201, body = TicketView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn file(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    ApiJson(input): ApiJson<TicketInput>,
) -> Result<(StatusCode, Json<TicketView>), ApiError> {
    let ticket = tickets::file(
        &state.store,
        &user,
        &input,
        state.config.attachment_max_count,
    )
    .await?;
    let detail = tickets::detail(&state.store, &user, ticket.key).await?;
    let types = state
        .store
        .ticket_types()
        .await
        .map_err(madoguchi_app::ServiceError::from)?;
    Ok((
        StatusCode::CREATED,
        Json(detail_view(&detail, &types, &user)),
    ))
}

/// The tickets the caller may see, newest first, with counts per status.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets", params(TicketQuery),
    responses((status = 200, body = TicketListView), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    query: ApiQuery<TicketQuery>,
) -> Result<Json<TicketListView>, ApiError> {
    let filter = query.filter()?;
    let page = page(query.limit, query.cursor.as_deref())?;
    let listed = tickets::list(
        &state.store,
        &state.search,
        &user,
        &filter,
        query.sort.as_deref(),
        &page,
    )
    .await?;
    let found = listed.list;
    let types = state
        .store
        .ticket_types()
        .await
        .map_err(madoguchi_app::ServiceError::from)?;
    let mut ids: Vec<String> = found
        .page
        .items
        .iter()
        .map(|t| t.created_by.clone())
        .collect();
    ids.extend(
        found
            .page
            .items
            .iter()
            .filter_map(|t| t.assignee_id.clone()),
    );
    ids.extend(
        found
            .page
            .items
            .iter()
            .flat_map(|t| t.participant_ids.iter().cloned()),
    );
    ids.sort();
    ids.dedup();
    let people = state
        .store
        .people(&ids)
        .await
        .map_err(madoguchi_app::ServiceError::from)?;
    Ok(Json(TicketListView {
        items: found
            .page
            .items
            .iter()
            .map(|t| {
                let mut view = ticket_view(t, &types, &people, &user);
                view.snippets = listed.snippets.get(&t.id).map(|parts| {
                    parts
                        .iter()
                        .map(|(field, fragments)| SnippetView::new(field, fragments))
                        .collect()
                });
                view.unseen = Some(unseen_codes(listed.unseen.get(&t.id)));
                view
            })
            .collect(),
        next_cursor: found.page.next_cursor.as_ref().map(Cursor::as_str),
        total: found.total,
        counts: found
            .by_status
            .iter()
            .map(|(s, n)| (s.code().to_owned(), *n))
            .collect(),
    }))
}

pub(crate) fn page(limit: Option<u32>, cursor: Option<&str>) -> Result<PageRequest, ApiError> {
    crate::api::ListQuery {
        limit,
        cursor: cursor.map(str::to_owned),
        ..Default::default()
    }
    .page()
}

/// One ticket with its response log (`messages`, oldest first).
#[utoipa::path(get, path = "/api/v1/tickets/{key}", tag = "tickets", params(("key" = String, Path, example = "SD-1042")),
    responses((status = 200, body = TicketView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    Path(key): Path<String>,
) -> Result<Json<TicketView>, ApiError> {
    let detail = tickets::open(&state.store, &user, tickets::parse_key(&key)?).await?;
    let types = state
        .store
        .ticket_types()
        .await
        .map_err(madoguchi_app::ServiceError::from)?;
    Ok(Json(detail_view(&detail, &types, &user)))
}

/// Adds a reply (追加更新情報) to the response log. Agents may set the `status` it leaves the
/// ticket in, or add an internal note (`internal: true`); customers asking for either get 403.
#[utoipa::path(post, path = "/api/v1/tickets/{key}/messages", tag = "tickets", params(("key" = String, Path)),
    request_body = ReplyInput,
    responses((status = 201, body = MessageView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reply(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    Path(key): Path<String>,
    ApiJson(mut input): ApiJson<ReplyInput>,
) -> Result<(StatusCode, Json<MessageView>), ApiError> {
    input.via = madoguchi_core::Via::Api;
    let (message, _) = tickets::reply(
        &state.store,
        &user,
        tickets::parse_key(&key)?,
        &input,
        state.config.attachment_max_count,
    )
    .await?;
    let people = state
        .store
        .people(std::slice::from_ref(&user.id))
        .await
        .map_err(madoguchi_app::ServiceError::from)?;
    Ok((
        StatusCode::CREATED,
        Json(message_view(&message, &people, &user)),
    ))
}

/// The customer closes the ticket.
#[utoipa::path(post, path = "/api/v1/tickets/{key}/close", tag = "tickets", params(("key" = String, Path)),
    responses((status = 200, body = TicketView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn close(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    Path(key): Path<String>,
) -> Result<Json<TicketView>, ApiError> {
    let key = tickets::parse_key(&key)?;
    tickets::close(&state.store, &user, key).await?;
    get_view(&state, &user, key).await
}

async fn get_view(
    state: &AppState,
    user: &User,
    key: madoguchi_core::values::TicketKey,
) -> Result<Json<TicketView>, ApiError> {
    let detail = tickets::detail(&state.store, user, key).await?;
    let types = state
        .store
        .ticket_types()
        .await
        .map_err(madoguchi_app::ServiceError::from)?;
    Ok(Json(detail_view(&detail, &types, user)))
}

/// Agents: `status` (alone, without text, is fine), `assignee` (an agent of the desk by id or
/// email; `null` unassigns), `priority` (`p1`–`p4`), `desk` (agents on both desks). Each change
/// is an event of the ticket's history; a change that changes nothing writes nothing.
#[utoipa::path(patch, path = "/api/v1/tickets/{key}", tag = "tickets", params(("key" = String, Path)),
    request_body = TicketPatch,
    responses((status = 200, body = TicketView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    Path(key): Path<String>,
    ApiJson(patch): ApiJson<TicketPatch>,
) -> Result<Json<TicketView>, ApiError> {
    let key = tickets::parse_key(&key)?;
    tickets::update(&state.store, &user, key, &patch).await?;
    get_view(&state, &user, key).await
}

/// Uploads one file (multipart field `file`); answers its id, to pass in `attachments`.
#[utoipa::path(post, path = "/api/v1/attachments", tag = "tickets",
    request_body(content_type = "multipart/form-data", description = "one field `file`"),
    responses((status = 201, body = AttachmentView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
pub async fn upload(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    ApiMultipart(mut multipart): ApiMultipart,
) -> Result<(StatusCode, Json<AttachmentView>), ApiError> {
    // Before the body is read: who may not upload, or has used the day's quota, stores nothing.
    let admitted = match attachments::admit(&state.store, &user).await {
        Ok(a) => a,
        Err(e) => {
            // The body is read and dropped (it is bounded by the body limit) so that the
            // client, still sending, gets this answer rather than a broken connection.
            while let Ok(Some(mut field)) = multipart.next_field().await {
                while let Ok(Some(_)) = field.chunk().await {}
            }
            return Err(upload_error(e));
        }
    };
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| ApiError::Malformed(e.body_text()))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let filename = field.file_name().unwrap_or("file").to_owned();
        let content_type = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_owned();
        let mut upload = Upload::start(
            &state.config.data_dir,
            state.config.attachment_max_bytes,
            admitted,
        )
        .await
        .map_err(upload_error)?;
        while let Some(chunk) = field
            .chunk()
            .await
            .map_err(|e| ApiError::Malformed(e.body_text()))?
        {
            upload.chunk(&chunk).await.map_err(upload_error)?;
        }
        let attachment = upload
            .finish(
                &state.store,
                &state.config.data_dir,
                &user,
                &filename,
                &content_type,
            )
            .await
            .map_err(upload_error)?;
        return Ok((StatusCode::CREATED, Json(AttachmentView::from(&attachment))));
    }
    Err(attachments::no_file().into())
}

pub(crate) fn upload_error(e: UploadError) -> ApiError {
    match e {
        UploadError::TooLarge { max } => ApiError::TooLarge(format!(
            "The file is larger than {} MiB; attach a smaller one (compress logs, crop screenshots).",
            max / (1024 * 1024)
        )),
        UploadError::Quota(why) => ApiError::QuotaExceeded(why.to_string()),
        UploadError::Service(e) => e.into(),
    }
}

/// Downloads an attachment, for those who may see its ticket.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "tickets", params(("id" = String, Path)),
    responses((status = 200, description = "the file, as an attachment"), (status = 404, body = Problem)))]
pub async fn download(
    State(state): State<AppState>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (attachment, path) =
        attachments::download(&state.store, &state.config.data_dir, &user, &id).await?;
    file_response(&attachment, &path).await
}

/// The file as a download: never shown inline, never sniffed.
pub(crate) async fn file_response(
    attachment: &madoguchi_core::ticket::Attachment,
    path: &std::path::Path,
) -> Result<Response, ApiError> {
    let file = tokio::fs::File::open(path).await.map_err(|e| {
        tracing::error!(error = %e, path = %path.display(), "attachment file missing");
        ApiError::Internal
    })?;
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        attachment
            .filename
            .chars()
            .map(|c| if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            })
            .collect::<String>(),
        utf8_percent(&attachment.filename)
    );
    let mut response = body.into_response();
    let headers = response.headers_mut();
    // Only a short allow-list keeps its type; anything else (HTML, SVG…) is bytes to save,
    // and the sandbox keeps even a mislabelled file from running as this origin.
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(madoguchi_core::uploads::served_content_type(
            &attachment.content_type,
        ))
        .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox"),
    );
    headers.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(attachment.size as u64),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

fn utf8_percent(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .unwrap_or_default()
        .trim_start_matches('=')
        .replace('+', "%20")
        .replace('*', "%2A")
}
