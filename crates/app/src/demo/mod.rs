//! The demo data (`madoguchi serve --demo`, `madoguchi demo`): every case of SPEC §2–3, in
//! Japanese and English, loaded through the same services as the admin API.

use madoguchi_core::model::{NewUser, User};
use madoguchi_core::values::{Email, Name};
use madoguchi_core::{Desk, Locale, Role};
use madoguchi_store::{PageRequest, Store};

mod desk;
mod desk_tickets;

use crate::admin::{self, ContractInput, OrganizationInput, PermissionInput, TenantInput};
use crate::knowledge::{self, ArticleInput};
use crate::password;
use crate::{ServiceError, ServiceResult};

/// The password of every demo login.
pub const DEMO_PASSWORD: &str = "madoguchi-demo";

/// One login the demo prints.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub email: &'static str,
    pub role: Role,
    /// What this login shows.
    pub shows: &'static str,
}

/// What loading did.
#[derive(Debug)]
pub enum DemoOutcome {
    /// The demo was loaded (or an interrupted load was completed).
    Loaded(Vec<DemoLogin>),
    /// The demo was already there; nothing was changed.
    AlreadyPresent(Vec<DemoLogin>),
    /// The database holds other organizations: the demo goes into empty databases only.
    NotEmpty,
}

/// A demo person: their ticket permissions as (contract number, level), their desks if staff.
struct Person {
    email: &'static str,
    name: &'static str,
    role: Role,
    locale: &'static str,
    grants: &'static [(&'static str, &'static str)],
    desks: &'static [Desk],
    shows: &'static str,
}

/// A demo contract.
struct DemoContract {
    number: &'static str,
    product_line: &'static str,
    corporation: &'static str,
    plan: &'static str,
    partner: Option<&'static str>,
}

struct Org {
    name: &'static str,
    tenants: &'static [&'static str],
    contracts: &'static [DemoContract],
    people: &'static [Person],
}

const EC_CORP: &str = "Example Communications Corp.";
const EC_AMERICA: &str = "Example Communications America Inc.";
const ECL: &str = "Enterprise Cloud 2.0";

const fn contract(
    number: &'static str,
    product_line: &'static str,
    corporation: &'static str,
    plan: &'static str,
) -> DemoContract {
    DemoContract {
        number,
        product_line,
        corporation,
        plan,
        partner: None,
    }
}

const fn customer(
    email: &'static str,
    name: &'static str,
    role: Role,
    locale: &'static str,
    grants: &'static [(&'static str, &'static str)],
    shows: &'static str,
) -> Person {
    Person {
        email,
        name,
        role,
        locale,
        grants,
        desks: &[],
        shows,
    }
}

const fn staff(
    email: &'static str,
    name: &'static str,
    role: Role,
    locale: &'static str,
    desks: &'static [Desk],
    shows: &'static str,
) -> Person {
    Person {
        email,
        name,
        role,
        locale,
        grants: &[],
        desks,
        shows,
    }
}

const ORGS: &[Org] = &[
    Org {
        name: "株式会社サンプル商事",
        tenants: &["tenant-5a1e0001", "tenant-5a1e0002"],
        contracts: &[contract("ECL-1001", ECL, EC_CORP, "basic")],
        people: &[
            customer(
                "hanako@sample.example",
                "山田 花子",
                Role::CustomerAdmin,
                "ja",
                &[("ECL-1001", "edit")],
                "customer admin; basic plan; grants ticket permission",
            ),
            customer(
                "taro@sample.example",
                "佐藤 太郎",
                Role::Customer,
                "ja",
                &[("ECL-1001", "edit")],
                "customer with edit on a basic contract",
            ),
            customer(
                "ichiro@sample.example",
                "鈴木 一郎",
                Role::Customer,
                "ja",
                &[("ECL-1001", "view")],
                "view-only customer: sees tickets, cannot file or reply",
            ),
            customer(
                "jiro@sample.example",
                "田中 次郎",
                Role::Customer,
                "ja",
                &[],
                "customer without ticket permission: no category, names the admins",
            ),
        ],
    },
    Org {
        name: "Global Manufacturing K.K.",
        tenants: &["tenant-9b0a0001", "tenant-9b0a0002", "tenant-9b0a0003"],
        contracts: &[
            contract("ECL-2001", ECL, EC_CORP, "advanced"),
            contract("ECL-2002", ECL, EC_AMERICA, "premium"),
            contract("DC-2003", "Data Center", EC_CORP, "basic"),
        ],
        people: &[
            customer(
                "olivia@global.example",
                "Olivia Carter",
                Role::CustomerAdmin,
                "en",
                &[
                    ("ECL-2001", "edit"),
                    ("ECL-2002", "edit"),
                    ("DC-2003", "edit"),
                ],
                "customer admin; contracts through two corporations (advanced, premium)",
            ),
            customer(
                "mary@global.example",
                "Mary Jones",
                Role::Customer,
                "en",
                &[("ECL-2001", "edit"), ("ECL-2002", "edit")],
                "customer with two categories: advanced (callbacks) and premium",
            ),
            customer(
                "kenji@global.example",
                "高橋 健二",
                Role::Customer,
                "ja",
                &[("ECL-2002", "edit"), ("ECL-2001", "view")],
                "premium customer (edit) who may only view the advanced contract",
            ),
        ],
    },
    Org {
        name: "リセール小売株式会社",
        tenants: &["tenant-7c3d0001"],
        contracts: &[DemoContract {
            number: "ECL-3001",
            product_line: ECL,
            corporation: EC_CORP,
            plan: "advanced",
            partner: Some("パートナーシステムズ株式会社"),
        }],
        people: &[
            customer(
                "sachiko@resold.example",
                "伊藤 幸子",
                Role::CustomerAdmin,
                "ja",
                &[("ECL-3001", "edit")],
                "customer admin of a partner-resold contract",
            ),
            customer(
                "ken@resold.example",
                "渡辺 健",
                Role::Customer,
                "ja",
                &[("ECL-3001", "edit")],
                "partner-resold customer: told to contact the partner",
            ),
        ],
    },
];

const STAFF: &[Person] = &[
    staff(
        "admin@madoguchi.example",
        "運用管理者",
        Role::Admin,
        "ja",
        &[],
        "admin: organizations, contracts, users",
    ),
    staff(
        "agent.general@madoguchi.example",
        "窓口 一般",
        Role::Agent,
        "ja",
        &[Desk::General],
        "agent of the general desk",
    ),
    staff(
        "agent.premium@madoguchi.example",
        "窓口 特別",
        Role::Agent,
        "ja",
        &[Desk::Premium],
        "agent of the premium special desk",
    ),
    staff(
        "lead@madoguchi.example",
        "Alex Kim",
        Role::Agent,
        "en",
        &[Desk::General, Desk::Premium],
        "agent on both desks",
    ),
];

fn logins() -> Vec<DemoLogin> {
    let customers = ORGS.iter().flat_map(|o| o.people.iter());
    STAFF
        .iter()
        .chain(customers)
        .map(|p| DemoLogin {
            email: p.email,
            role: p.role,
            shows: p.shows,
        })
        .collect()
}

fn new_user(
    person: &Person,
    organization_id: Option<String>,
    password_hash: &str,
) -> ServiceResult<NewUser> {
    Ok(NewUser {
        email: Email::parse(person.email).map_err(invalid)?,
        name: Name::parse(person.name).map_err(invalid)?,
        role: person.role,
        organization_id,
        locale: Locale::parse(person.locale).map_err(|e| invalid(e.into()))?,
        password_hash: Some(password_hash.to_owned()),
        time_zone: None,
        desks: person.desks.to_vec(),
    })
}

/// Every organization, by name.
async fn organizations_by_name(
    store: &Store,
) -> ServiceResult<Vec<madoguchi_core::model::Organization>> {
    let mut page = PageRequest::new(Some(200), None).expect("200 is a valid page size");
    let mut all = Vec::new();
    loop {
        let found = store.organizations(&page).await?;
        all.extend(found.items);
        match found.next_cursor {
            Some(next) => page.after = Some(next),
            None => return Ok(all),
        }
    }
}

/// The user with this email, created if missing.
async fn person_user(
    store: &Store,
    actor: Option<&str>,
    person: &Person,
    organization_id: Option<String>,
    hash: &str,
) -> ServiceResult<User> {
    match store
        .user_by_email(&Email::parse(person.email).map_err(invalid)?)
        .await
    {
        Ok(user) => {
            // A staff login added by hand works the demo's desks too, or the desk's tickets
            // could not be worked.
            if user.role == Role::Agent {
                for desk in person.desks {
                    store.add_desk_member(actor, *desk, &user.id).await?;
                }
            }
            Ok(user)
        }
        Err(madoguchi_store::StoreError::NotFound) => Ok(store
            .create_user(actor, &new_user(person, organization_id, hash)?)
            .await?),
        Err(e) => Err(e.into()),
    }
}

/// Ignores "already there": loading resumes where an interrupted load stopped.
fn existing_is_fine<T>(result: ServiceResult<T>) -> ServiceResult<()> {
    match result {
        Ok(_) | Err(ServiceError::Conflict(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Loads the demo into an empty database, or completes an interrupted load.
pub async fn load(store: &Store) -> ServiceResult<DemoOutcome> {
    let existing = organizations_by_name(store).await?;
    let is_demo = |name: &str| ORGS.iter().any(|o| o.name == name);
    if existing.iter().any(|o| !is_demo(&o.name)) {
        return Ok(DemoOutcome::NotEmpty);
    }
    if ORGS
        .iter()
        .all(|o| existing.iter().any(|e| e.name == o.name))
    {
        return Ok(DemoOutcome::AlreadyPresent(logins()));
    }
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
    let mut admin: Option<User> = None;
    for person in STAFF {
        let actor = admin.as_ref().map(|a| a.id.clone());
        let user = person_user(store, actor.as_deref(), person, None, &hash).await?;
        if user.role == Role::Admin && admin.is_none() {
            admin = Some(user);
        }
    }
    let admin = admin.unwrap_or_else(User::system);

    for org in ORGS {
        let created = match existing.iter().find(|e| e.name == org.name) {
            Some(found) => found.clone(),
            None => {
                let input = OrganizationInput {
                    name: Some(org.name.into()),
                };
                admin::create_organization(store, &admin, &input).await?
            }
        };
        for tenant in org.tenants {
            let input = TenantInput {
                organization_id: Some(created.id.clone()),
                tenant_id: Some((*tenant).into()),
                name: None,
            };
            existing_is_fine(admin::create_tenant(store, &admin, &input).await)?;
        }
        for c in org.contracts {
            let input = ContractInput {
                organization_id: Some(created.id.clone()),
                contract_number: Some(c.number.into()),
                product_line: Some(c.product_line.into()),
                contracting_corporation: Some(c.corporation.into()),
                plan: Some(c.plan.into()),
                channel: Some(
                    if c.partner.is_some() {
                        "partner"
                    } else {
                        "direct"
                    }
                    .into(),
                ),
                partner_name: c.partner.map(Into::into),
            };
            existing_is_fine(admin::create_contract(store, &admin, &input).await)?;
        }
        for person in org.people {
            let user = person_user(
                store,
                Some(&admin.id),
                person,
                Some(created.id.clone()),
                &hash,
            )
            .await?;
            for (contract, level) in person.grants {
                let input = PermissionInput {
                    user_id: Some(user.id.clone()),
                    contract_number: Some((*contract).into()),
                    level: Some((*level).into()),
                };
                admin::grant_permission(store, &admin, &input).await?;
            }
        }
    }
    for article in articles() {
        let input = ArticleInput {
            kind: Some(article.kind.into()),
            title: Some(article.title.into()),
            body: Some(article.body.clone()),
            service_menus: article
                .service_menus
                .iter()
                .map(|m| (*m).to_owned())
                .collect(),
            issue_status: article.issue_status().map(str::to_owned),
            language: Some(article.language().into()),
            published: true,
        };
        let filter = madoguchi_store::ArticleFilter {
            q: Some(article.title.into()),
            with_drafts: true,
            ..Default::default()
        };
        let one = PageRequest::new(Some(1), None).expect("1 is a valid page size");
        if store.articles(&filter, &one).await?.items.is_empty() {
            knowledge::create(store, &admin, &input).await?;
        }
    }
    // Canned replies in Japanese and English, shared by the desks and kept by the lead.
    let staff = |email: &'static str| async move {
        store
            .user_by_email(&Email::parse(email).map_err(invalid)?)
            .await
            .map_err(ServiceError::from)
    };
    let desk_agent = staff("agent.general@madoguchi.example").await?;
    let lead = staff("lead@madoguchi.example").await?;
    crate::canned_replies::seed_demo(store, &desk_agent, &lead).await?;
    desk::load(store).await?;
    // The demo's tickets are made to look days old; what happened on them is news to everyone.
    store.mark_from_filing().await?;
    Ok(DemoOutcome::Loaded(logins()))
}

/// A demo knowledge article, as `articles.txt` writes it.
#[derive(Debug, Clone)]
pub struct DemoArticle {
    pub kind: &'static str,
    pub service_menus: Vec<&'static str>,
    /// The article's name in the search query set.
    pub slug: &'static str,
    pub title: &'static str,
    pub body: String,
}

impl DemoArticle {
    /// The language it is written in: `en` for the English articles, whose slugs start
    /// with `en-` (a test checks that they and only they have no Japanese in them).
    pub fn language(&self) -> &'static str {
        if self.slug.starts_with("en-") {
            "en"
        } else {
            "ja"
        }
    }

    /// A known issue's status, as its title says (【調査中】, 【対応中】, 【解決済み】).
    pub fn issue_status(&self) -> Option<&'static str> {
        (self.kind == "known_issue").then(|| {
            if self.title.contains("解決済み") || self.title.contains("[Resolved]") {
                "resolved"
            } else if self.title.contains("調査中") || self.title.contains("[Investigating]") {
                "investigating"
            } else {
                "in_progress"
            }
        })
    }
}

/// The demo knowledge center (`articles.txt`): FAQs, known issues and error messages of a
/// cloud provider, in Japanese and English.
pub fn articles() -> Vec<DemoArticle> {
    let text: &'static str = include_str!("articles.txt");
    let mut out: Vec<DemoArticle> = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(header) = line.strip_prefix("=== ") else {
            continue;
        };
        let mut parts = header.split('|').map(str::trim);
        let (Some(kind), Some(menus), Some(slug)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let title = lines.next().unwrap_or_default().trim();
        let mut body = Vec::new();
        while let Some(next) = lines.peek() {
            if next.starts_with("=== ") {
                break;
            }
            body.push(*next);
            lines.next();
        }
        out.push(DemoArticle {
            kind,
            service_menus: menus
                .split(',')
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .collect(),
            slug,
            title,
            body: body.join("\n").trim().to_owned(),
        });
    }
    out
}

fn invalid(problem: madoguchi_core::Problem) -> ServiceError {
    ServiceError::Invalid(madoguchi_core::Invalid::one("demo", problem))
}

#[cfg(test)]
mod tests {
    use super::articles;
    use madoguchi_search::analysis::is_cjk;

    #[test]
    fn english_demo_articles_are_those_without_japanese() {
        for a in articles() {
            let japanese = a.title.chars().chain(a.body.chars()).any(is_cjk);
            let expected = if japanese { "ja" } else { "en" };
            assert_eq!(a.language(), expected, "{}: {}", a.slug, a.title);
        }
        assert!(articles().iter().filter(|a| a.language() == "en").count() >= 20);
    }
}
