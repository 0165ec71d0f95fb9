//! Onboarding in bulk: organizations, tenants, contracts, users and their ticket permissions
//! from one CSV file (the format: `docs/IMPORT.md`). Every row is checked with the rules of the
//! single creates, against the file and against what is stored; every problem is reported with
//! its line and column, and then nothing is written. A file without problems is written in one
//! transaction: all or nothing. A dry run only reports.

use std::collections::{HashMap, HashSet};

use madoguchi_core::model::User;
use madoguchi_core::values::{ContractNumber, Email, Name};
use madoguchi_core::{Invalid, PermissionLevel, Problem, Role};
use madoguchi_store::{ImportBatch, ImportCounts, NewOrganization, NewPermission, Store};

use crate::ServiceResult;
use crate::admin::{
    ContractInput, TenantInput, UserInput, admin_only, parse_contract, parse_new_user, parse_tenant,
};

/// The largest file an import takes: 10 MiB hold tens of thousands of rows.
pub const FILE_MAX_BYTES: usize = 10 * 1024 * 1024;

/// The columns a file may have, in the order the documentation lists them. Only `record` is
/// required; a missing column reads as empty.
pub const COLUMNS: [&str; 14] = [
    "record",
    "organization",
    "tenant_id",
    "contract_number",
    "email",
    "name",
    "product_line",
    "contracting_corporation",
    "plan",
    "channel",
    "partner_name",
    "role",
    "locale",
    "level",
];

/// The kinds of row, by their `record` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Record {
    Organization,
    Tenant,
    Contract,
    User,
    Permission,
}

impl Record {
    const CODES: [&'static str; 5] = ["organization", "tenant", "contract", "user", "permission"];

    fn parse(code: &str) -> Option<Record> {
        match code.trim().to_ascii_lowercase().as_str() {
            "organization" => Some(Record::Organization),
            "tenant" => Some(Record::Tenant),
            "contract" => Some(Record::Contract),
            "user" => Some(Record::User),
            "permission" => Some(Record::Permission),
            _ => None,
        }
    }

    /// The columns this kind of row reads besides `record`: a value anywhere else is a mistake
    /// (a `level` on a user row grants nothing), so it is refused rather than ignored.
    fn columns(self) -> &'static [&'static str] {
        match self {
            Record::Organization => &["organization"],
            Record::Tenant => &["organization", "tenant_id", "name"],
            Record::Contract => &[
                "organization",
                "contract_number",
                "product_line",
                "contracting_corporation",
                "plan",
                "channel",
                "partner_name",
            ],
            Record::User => &["organization", "email", "name", "role", "locale"],
            Record::Permission => &["email", "contract_number", "level"],
        }
    }
}

/// One problem of a file: the line it is on (1 is the header), the column, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub field: String,
    pub problem: Problem,
}

/// What an import did, or with `dry_run` or errors, would have done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub dry_run: bool,
    /// True only when the file was written.
    pub imported: bool,
    /// The records written, or that the file's valid rows would write.
    pub counts: ImportCounts,
    /// Every problem, by line; when there is one, nothing was written.
    pub errors: Vec<RowError>,
}

/// Checks `file` (CSV, UTF-8 with or without a BOM) and, unless `dry_run` or a row has a
/// problem, writes it in one transaction. Admins only.
pub async fn import(
    store: &Store,
    actor: &User,
    file: &[u8],
    dry_run: bool,
) -> ServiceResult<ImportReport> {
    admin_only(actor)?;
    let (batch, errors) = read(store, file).await?;
    let mut report = ImportReport {
        dry_run,
        imported: false,
        counts: batch.counts(),
        errors,
    };
    if dry_run || !report.errors.is_empty() {
        return Ok(report);
    }
    report.counts = store.import(Some(&actor.id), &batch).await?;
    report.imported = true;
    Ok(report)
}

/// One data row: its line and its values by column (blank when the column is absent).
struct Row {
    line: u64,
    record: Option<Record>,
    values: HashMap<String, String>,
}

impl Row {
    fn get(&self, column: &str) -> &str {
        self.values.get(column).map(|v| v.trim()).unwrap_or("")
    }

    /// The value of `column`, `None` when blank (as the single creates' inputs take it).
    fn input(&self, column: &str) -> Option<String> {
        Some(self.get(column).to_owned()).filter(|v| !v.is_empty())
    }
}

/// The problems found so far, each (line, column) once: the first problem of a cell is the one
/// to fix first.
#[derive(Default)]
struct Problems(Vec<RowError>);

impl Problems {
    fn push(&mut self, line: u64, field: &str, problem: Problem) {
        if !self.0.iter().any(|e| e.line == line && e.field == field) {
            self.0.push(RowError {
                line,
                field: field.to_owned(),
                problem,
            });
        }
    }

    /// The problems of a single create's input, named by this file's columns.
    fn extend(&mut self, line: u64, invalid: Invalid) {
        for e in invalid.0 {
            let field = match e.field.as_str() {
                "organization_id" => "organization",
                other => other,
            };
            self.push(line, field, e.problem);
        }
    }
}

/// What the file creates, by the values other rows refer to them with, and where.
#[derive(Default)]
struct Created {
    /// Organization name → (line, id).
    organizations: HashMap<String, (u64, String)>,
    tenant_ids: HashMap<String, u64>,
    /// Contract number → (line, organization id).
    contracts: HashMap<String, (u64, String)>,
    /// Email → (line, organization id).
    users: HashMap<String, (u64, String)>,
    /// (email, contract number) → line.
    permissions: HashMap<(String, String), u64>,
    /// The names, contract numbers and emails of rows with problems: rows that refer to them
    /// are not also told that they do not exist (the first problem is the one to fix).
    broken: HashSet<String>,
}

/// Reads and checks the whole file: the batch its valid rows make, and every problem.
async fn read(store: &Store, file: &[u8]) -> ServiceResult<(ImportBatch, Vec<RowError>)> {
    let mut problems = Problems::default();
    let rows = match rows(file, &mut problems) {
        Some(rows) => rows,
        None => return Ok((ImportBatch::default(), problems.0)),
    };
    let mut batch = ImportBatch::default();
    let mut created = Created::default();
    let mut stored_organizations: HashMap<String, Option<String>> = HashMap::new();

    // Organizations first, so that rows above their organization's row may name it.
    for row in rows
        .iter()
        .filter(|r| r.record == Some(Record::Organization))
    {
        let Some(name) = check(&mut problems, row.line, "organization", name(row)) else {
            continue;
        };
        if let Some((line, _)) = created.organizations.get(name.as_str()) {
            problems.push(row.line, "organization", Problem::Repeated { line: *line });
            continue;
        }
        if store.organization_id_named(&name).await?.is_some() {
            problems.push(row.line, "organization", Problem::Taken);
            continue;
        }
        let new = NewOrganization::new(name);
        created
            .organizations
            .insert(new.name.as_str().to_owned(), (row.line, new.id.clone()));
        batch.organizations.push(new);
    }

    for row in &rows {
        let kind = match row.record {
            Some(Record::Organization) | Some(Record::Permission) | None => continue,
            Some(kind) => kind,
        };
        // The organization: of this file, or stored. A placeholder keeps the single create's
        // checks from reporting the same column twice.
        let organization_id =
            match organization(store, &created, &mut stored_organizations, row).await? {
                Ok(id) => id,
                Err(problem) => {
                    if let Some(problem) = problem {
                        problems.push(row.line, "organization", problem);
                    }
                    "-".to_owned()
                }
            };
        match kind {
            Record::Tenant => {
                let input = TenantInput {
                    organization_id: Some(organization_id),
                    tenant_id: row.input("tenant_id"),
                    name: row.input("name"),
                };
                let new = match parse_tenant(&input) {
                    Ok(new) => new,
                    Err(invalid) => {
                        problems.extend(row.line, invalid);
                        continue;
                    }
                };
                let key = new.tenant_id.as_str().to_owned();
                if let Some(line) = created.tenant_ids.get(&key) {
                    problems.push(row.line, "tenant_id", Problem::Repeated { line: *line });
                } else if store.tenant_id_exists(&new.tenant_id).await? {
                    problems.push(row.line, "tenant_id", Problem::Taken);
                } else {
                    created.tenant_ids.insert(key, row.line);
                    batch.tenants.push(new);
                }
            }
            Record::Contract => {
                let input = ContractInput {
                    organization_id: Some(organization_id),
                    contract_number: row.input("contract_number"),
                    product_line: row.input("product_line"),
                    contracting_corporation: row.input("contracting_corporation"),
                    plan: row.input("plan"),
                    channel: row.input("channel"),
                    partner_name: row.input("partner_name"),
                };
                let new = match parse_contract(&input) {
                    Ok(new) => new,
                    Err(invalid) => {
                        problems.extend(row.line, invalid);
                        created.broken.insert(row.get("contract_number").to_owned());
                        continue;
                    }
                };
                let key = new.contract_number.as_str().to_owned();
                if let Some((line, _)) = created.contracts.get(&key) {
                    problems.push(
                        row.line,
                        "contract_number",
                        Problem::Repeated { line: *line },
                    );
                } else if exists(store.contract_by_number(&key).await)? {
                    problems.push(row.line, "contract_number", Problem::Taken);
                } else {
                    let org = new.organization_id.clone();
                    created.contracts.insert(key, (row.line, org));
                    batch.contracts.push(new);
                }
            }
            Record::User => {
                let role = row.get("role").replace('-', "_");
                if Role::parse(&role).is_ok_and(|r| !r.is_customer()) {
                    let reason = "problem.import_customers_only";
                    problems.push(row.line, "role", Problem::Conflicts { reason });
                    created.broken.insert(row.get("email").to_ascii_lowercase());
                    continue;
                }
                // Passwords never travel in files: imported users sign in through the portal
                // or set a password when the operator sends them a reset.
                let input = UserInput {
                    email: row.input("email"),
                    name: row.input("name"),
                    role: Some(role).filter(|r| !r.is_empty()),
                    organization_id: Some(organization_id),
                    locale: row.input("locale"),
                    ..UserInput::default()
                };
                let new = match parse_new_user(&input) {
                    Ok((new, _)) => new,
                    Err(invalid) => {
                        problems.extend(row.line, invalid);
                        created.broken.insert(row.get("email").to_ascii_lowercase());
                        continue;
                    }
                };
                let key = new.email.as_str().to_owned();
                if let Some((line, _)) = created.users.get(&key) {
                    problems.push(row.line, "email", Problem::Repeated { line: *line });
                } else if exists(store.user_by_email(&new.email).await)? {
                    problems.push(row.line, "email", Problem::Taken);
                } else {
                    let org = new.organization_id.clone().unwrap_or_default();
                    created.users.insert(key, (row.line, org));
                    batch.users.push(new);
                }
            }
            Record::Organization | Record::Permission => unreachable!("skipped above"),
        }
    }

    for row in rows.iter().filter(|r| r.record == Some(Record::Permission)) {
        if let Some(new) = permission(store, &created, &mut problems, row).await? {
            let key = (
                new.email.as_str().to_owned(),
                new.contract_number.as_str().to_owned(),
            );
            match created.permissions.get(&key) {
                Some(line) => problems.push(
                    row.line,
                    "contract_number",
                    Problem::Repeated { line: *line },
                ),
                None => {
                    created.permissions.insert(key, row.line);
                    batch.permissions.push(new);
                }
            }
        }
    }

    let mut errors = problems.0;
    errors.sort_by_key(|e| e.line);
    Ok((batch, errors))
}

/// The file's data rows, or `None` when it cannot be read as a table at all (the problem is
/// recorded). Checks the header and each row's `record` and unused columns.
fn rows(file: &[u8], problems: &mut Problems) -> Option<Vec<Row>> {
    let file = file.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(file);
    if let Err(e) = std::str::from_utf8(file) {
        // Spreadsheets in Japan often save Shift_JIS: say on which line the file stops being
        // UTF-8 and how to save it.
        let line = file[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64
            + 1;
        let reason = "problem.import_not_utf8";
        problems.push(line, "file", Problem::Conflicts { reason });
        return None;
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(file);
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_ascii_lowercase()).collect(),
        Err(e) => {
            let line = e.position().map(|p| p.line()).unwrap_or(1);
            let reason = "problem.import_unreadable";
            problems.push(line, "file", Problem::Conflicts { reason });
            return None;
        }
    };
    let header_line = reader
        .headers()
        .ok()
        .and_then(|h| h.position())
        .map(|p| p.line())
        .unwrap_or(1);
    let mut usable = true;
    for (i, column) in header.iter().enumerate() {
        if !COLUMNS.contains(&column.as_str()) {
            let allowed = COLUMNS.iter().map(|c| (*c).to_owned()).collect();
            problems.push(header_line, column, Problem::NotAChoice { allowed });
            usable = false;
        } else if header[..i].contains(column) {
            let line = header_line;
            problems.push(line, column, Problem::Repeated { line });
            usable = false;
        }
    }
    if !header.iter().any(|c| c == "record") {
        problems.push(header_line, "record", Problem::Required);
        usable = false;
    }
    if !usable {
        return None;
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                let reason = "problem.import_unreadable";
                problems.push(line, "file", Problem::Conflicts { reason });
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        // Spreadsheets write empty rows at the end; they mean nothing.
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        if record.len() > header.len() && record.iter().skip(header.len()).any(|v| !v.is_empty()) {
            let reason = "problem.import_too_many_values";
            problems.push(line, "record", Problem::Conflicts { reason });
            continue;
        }
        let values: HashMap<String, String> = header
            .iter()
            .cloned()
            .zip(record.iter().map(str::to_owned))
            .collect();
        let mut row = Row {
            line,
            record: None,
            values,
        };
        row.record = Record::parse(row.get("record"));
        match row.record {
            None if row.get("record").is_empty() => {
                problems.push(line, "record", Problem::Required);
            }
            None => problems.push(
                line,
                "record",
                Problem::NotAChoice {
                    allowed: Record::CODES.iter().map(|c| (*c).to_owned()).collect(),
                },
            ),
            Some(kind) => {
                for column in &header {
                    if column != "record"
                        && !kind.columns().contains(&column.as_str())
                        && !row.get(column).is_empty()
                    {
                        let reason = "problem.import_column_unused";
                        problems.push(line, column, Problem::Conflicts { reason });
                    }
                }
            }
        }
        rows.push(row);
    }
    if rows.is_empty() && problems.0.is_empty() {
        let reason = "problem.import_empty";
        problems.push(header_line, "file", Problem::Conflicts { reason });
    }
    Some(rows)
}

fn check<T>(
    problems: &mut Problems,
    line: u64,
    field: &str,
    parsed: Result<T, Problem>,
) -> Option<T> {
    match parsed {
        Ok(v) => Some(v),
        Err(p) => {
            problems.push(line, field, p);
            None
        }
    }
}

fn name(row: &Row) -> Result<Name, Problem> {
    Name::parse(row.get("organization"))
}

/// `Ok(true)` when the store found the record, `Ok(false)` when it does not exist.
fn exists<T>(found: madoguchi_store::Result<T>) -> ServiceResult<bool> {
    match found {
        Ok(_) => Ok(true),
        Err(madoguchi_store::StoreError::NotFound) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The id of the organization a row names: one of the file's, or a stored one (looked up once
/// per name). `Err(None)` when it names an organization row with problems of its own.
async fn organization(
    store: &Store,
    created: &Created,
    stored: &mut HashMap<String, Option<String>>,
    row: &Row,
) -> ServiceResult<Result<String, Option<Problem>>> {
    let name = match name(row) {
        Ok(name) => name,
        Err(problem) => return Ok(Err(Some(problem))),
    };
    if let Some((_, id)) = created.organizations.get(name.as_str()) {
        return Ok(Ok(id.clone()));
    }
    if created.broken.contains(row.get("organization")) {
        return Ok(Err(None));
    }
    if !stored.contains_key(name.as_str()) {
        let id = store.organization_id_named(&name).await?;
        stored.insert(name.as_str().to_owned(), id);
    }
    Ok(stored[name.as_str()]
        .clone()
        .ok_or(Some(Problem::Conflicts {
            reason: "problem.import_no_organization",
        })))
}

/// A permission row checked: its user and contract exist (in the file or stored) and belong
/// to the same organization.
async fn permission(
    store: &Store,
    created: &Created,
    problems: &mut Problems,
    row: &Row,
) -> ServiceResult<Option<NewPermission>> {
    let line = row.line;
    let email = check(problems, line, "email", Email::parse(row.get("email")));
    let number = check(
        problems,
        line,
        "contract_number",
        ContractNumber::parse(row.get("contract_number")),
    );
    let level = match row.get("level") {
        "" => check(problems, line, "level", Err(Problem::Required)),
        code => check(
            problems,
            line,
            "level",
            PermissionLevel::parse(code).map_err(Problem::from),
        ),
    };
    let user_org = match &email {
        Some(email) => match created.users.get(email.as_str()) {
            Some((_, org)) => Some(Some(org.clone())),
            None if created.broken.contains(email.as_str()) => None,
            None => match store.user_by_email(email).await {
                Ok(user) => Some(user.organization_id),
                Err(madoguchi_store::StoreError::NotFound) => {
                    problems.push(line, "email", Problem::NotFound);
                    None
                }
                Err(e) => return Err(e.into()),
            },
        },
        None => None,
    };
    let contract_org = match &number {
        Some(number) => match created.contracts.get(number.as_str()) {
            Some((_, org)) => Some(org.clone()),
            None if created.broken.contains(number.as_str()) => None,
            None => match store.contract_by_number(number.as_str()).await {
                Ok(contract) => Some(contract.organization_id),
                Err(madoguchi_store::StoreError::NotFound) => {
                    problems.push(line, "contract_number", Problem::NotFound);
                    None
                }
                Err(e) => return Err(e.into()),
            },
        },
        None => None,
    };
    if let (Some(user_org), Some(contract_org)) = (&user_org, &contract_org)
        && user_org.as_deref() != Some(contract_org.as_str())
    {
        let reason = "problem.user_of_other_organization";
        problems.push(line, "email", Problem::Conflicts { reason });
        return Ok(None);
    }
    match (email, number, level, user_org, contract_org) {
        (Some(email), Some(contract_number), Some(level), Some(_), Some(_)) => {
            Ok(Some(NewPermission {
                email,
                contract_number,
                level,
            }))
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems_of(file: &str) -> Vec<(u64, String)> {
        let mut problems = Problems::default();
        rows(file.as_bytes(), &mut problems);
        problems.0.into_iter().map(|e| (e.line, e.field)).collect()
    }

    #[test]
    fn a_bom_and_comments_are_read_past() {
        let mut problems = Problems::default();
        let file = "\u{feff}# 例\nrecord,organization\norganization,株式会社サンプル\n";
        let rows = rows(file.as_bytes(), &mut problems).unwrap();
        assert!(problems.0.is_empty(), "{:?}", problems.0);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 3);
        assert_eq!(rows[0].get("organization"), "株式会社サンプル");
    }

    #[test]
    fn a_shift_jis_file_is_refused_at_its_first_line_of_japanese() {
        let mut file = b"record,organization\norganization,".to_vec();
        file.extend_from_slice(&[0x83, 0x54, 0x83, 0x93]); // サン in Shift_JIS
        assert_eq!(problems_of_bytes(&file), vec![(2, "file".to_owned())]);
    }

    fn problems_of_bytes(file: &[u8]) -> Vec<(u64, String)> {
        let mut problems = Problems::default();
        rows(file, &mut problems);
        problems.0.into_iter().map(|e| (e.line, e.field)).collect()
    }

    #[test]
    fn header_and_row_mistakes_name_their_line_and_column() {
        assert_eq!(
            problems_of("record,organisation\n"),
            vec![(1, "organisation".to_owned())]
        );
        assert_eq!(
            problems_of("organization\nX\n"),
            vec![(1, "record".to_owned())]
        );
        assert_eq!(
            problems_of("record,organization,level\norg,A,\nuser,B,edit\n"),
            vec![(2, "record".to_owned()), (3, "level".to_owned())]
        );
    }
}
