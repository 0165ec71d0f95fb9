//! What the store tests share: building valid inputs, reading the event log, following pages.
//!
//! Each test file includes this module and uses only part of it.
#![allow(dead_code)]

use madoguchi_core::event::EventKind;
use madoguchi_core::model::{
    Contract, NewContract, NewTenant, NewUser, Organization, Tenant, User,
};
use madoguchi_core::values::{ContractNumber, Email, Name, TenantId};
use madoguchi_core::{Channel, Locale, Role, SupportPlan};
use madoguchi_store::{Cursor, Event, EventFilter, Page, PageRequest, Store};

pub fn name(text: &str) -> Name {
    Name::parse(text).expect("a valid name")
}

pub fn email(text: &str) -> Email {
    Email::parse(text).expect("a valid email")
}

pub async fn organization(store: &Store, org_name: &str) -> Organization {
    store
        .create_organization(None, &name(org_name))
        .await
        .expect("create organization")
}

/// A direct contract for Enterprise Cloud 2.0.
pub fn direct_contract(organization_id: &str, number: &str, plan: SupportPlan) -> NewContract {
    NewContract {
        organization_id: organization_id.to_owned(),
        contract_number: ContractNumber::parse(number).expect("a valid contract number"),
        product_line: name("Enterprise Cloud 2.0"),
        contracting_corporation: name("Example Communications Corp."),
        plan,
        channel: Channel::Direct,
        partner_name: None,
    }
}

/// A contract resold by `partner`.
pub fn partner_contract(organization_id: &str, number: &str, partner: &str) -> NewContract {
    NewContract {
        channel: Channel::Partner,
        partner_name: Some(name(partner)),
        ..direct_contract(organization_id, number, SupportPlan::Basic)
    }
}

pub async fn contract(store: &Store, organization_id: &str, number: &str) -> Contract {
    store
        .create_contract(
            None,
            &direct_contract(organization_id, number, SupportPlan::Advanced),
        )
        .await
        .expect("create contract")
}

pub fn new_tenant(organization_id: &str, tenant_id: &str) -> NewTenant {
    NewTenant {
        organization_id: organization_id.to_owned(),
        tenant_id: TenantId::parse(tenant_id).expect("a valid tenant id"),
        name: None,
    }
}

pub async fn tenant(store: &Store, organization_id: &str, tenant_id: &str) -> Tenant {
    store
        .create_tenant(None, &new_tenant(organization_id, tenant_id))
        .await
        .expect("create tenant")
}

/// A new user of `role`; customers need an organization, staff must have none.
pub fn new_user(address: &str, role: Role, organization_id: Option<&str>) -> NewUser {
    NewUser {
        email: email(address),
        name: name(address.split('@').next().unwrap_or(address)),
        role,
        organization_id: organization_id.map(str::to_owned),
        locale: Locale::Ja,
        password_hash: None,
        time_zone: None,
        desks: Vec::new(),
    }
}

pub async fn customer(store: &Store, organization_id: &str, address: &str) -> User {
    store
        .create_user(
            None,
            &new_user(address, Role::Customer, Some(organization_id)),
        )
        .await
        .expect("create customer")
}

pub async fn staff(store: &Store, address: &str, role: Role) -> User {
    store
        .create_user(None, &new_user(address, role, None))
        .await
        .expect("create staff user")
}

/// The operator whose id the tests pass as the actor of their writes.
pub async fn admin(store: &Store) -> User {
    staff(store, "admin@madoguchi.example", Role::Admin).await
}

/// Every event in the log, oldest first.
pub async fn all_events(store: &Store) -> Vec<Event> {
    store
        .events(EventFilter::default())
        .await
        .expect("read events")
}

/// The id of the newest event (0 in an empty log): read before a write, then pass to
/// [`events_since`] to see what the write appended.
pub async fn last_event_id(store: &Store) -> i64 {
    all_events(store).await.last().map_or(0, |e| e.id)
}

pub async fn events_since(store: &Store, after_id: i64) -> Vec<Event> {
    store
        .events(EventFilter {
            after_id: Some(after_id),
            ..EventFilter::default()
        })
        .await
        .expect("read events")
}

/// What a write is expected to have logged.
pub struct Expected<'a> {
    pub kind: EventKind,
    pub actor: Option<&'a str>,
    pub subject: &'a str,
    pub organization: Option<&'a str>,
}

/// Asserts that exactly one event was appended after `after_id`, as `expected` says, and
/// returns it for further checks of its data.
pub async fn assert_one_event(store: &Store, after_id: i64, expected: Expected<'_>) -> Event {
    let mut appended = events_since(store, after_id).await;
    assert_eq!(
        appended.len(),
        1,
        "expected exactly one `{}` event, the write appended {:?}",
        expected.kind.code(),
        appended.iter().map(|e| &e.kind).collect::<Vec<_>>()
    );
    let event = appended.remove(0);
    assert_eq!(event.kind, expected.kind.code(), "event kind");
    assert_eq!(event.actor_id.as_deref(), expected.actor, "event actor_id");
    assert_eq!(event.subject_id, expected.subject, "event subject_id");
    assert_eq!(
        event.organization_id.as_deref(),
        expected.organization,
        "organization_id of the `{}` event",
        expected.kind.code()
    );
    event
}

/// Asserts that nothing was appended to the log after `after_id`.
pub async fn assert_no_event_since(store: &Store, after_id: i64) {
    let appended = events_since(store, after_id).await;
    assert!(
        appended.is_empty(),
        "a failed write must log nothing, but the log got {:?}",
        appended.iter().map(|e| &e.kind).collect::<Vec<_>>()
    );
}

/// Reads every page of a list, `limit` rows at a time, passing each cursor back as a client
/// would (through its text form). Returns the pages' items.
pub async fn all_pages<T>(
    limit: u32,
    mut read: impl AsyncFnMut(PageRequest) -> Page<T>,
) -> Vec<Vec<T>> {
    let mut pages = Vec::new();
    let mut after = None;
    loop {
        let request = PageRequest::new(Some(limit), after).expect("a valid page size");
        let page = read(request).await;
        pages.push(page.items);
        match page.next_cursor {
            Some(cursor) => {
                after = Some(Cursor::parse(&cursor.as_str()).expect("a cursor reads back"));
            }
            None => break,
        }
        assert!(pages.len() < 100, "paging does not end");
    }
    pages
}

/// The sizes of pages, to compare with the expected `[2, 2, 1]`.
pub fn sizes<T>(pages: &[Vec<T>]) -> Vec<usize> {
    pages.iter().map(Vec::len).collect()
}

/// Ids sorted, to compare lists whatever their order.
pub fn sorted(ids: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut ids: Vec<String> = ids.into_iter().collect();
    ids.sort();
    ids
}
