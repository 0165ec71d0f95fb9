//! What an admin may make of the catalog (issue 13): the checks a ticket type, a service menu
//! and a menu item must pass before they are stored. Every problem is named by the field of
//! the admin API it comes from, so the console and the API say the same thing.

use crate::catalog::{MenuItem, ServiceMenu, TicketType};
use crate::codes::MenuInput;
use crate::validation::{Invalid, Problem};

/// Names and labels: one line, at most this many characters.
pub const NAME_MAX: usize = 100;
/// Descriptions of ticket types.
pub const DESCRIPTION_MAX: usize = 500;
/// Choices of one `select` item, and the length of each.
pub const OPTIONS_MAX: usize = 100;
pub const OPTION_MAX: usize = 100;
/// Codes and keys: the API and old tickets carry them, so they are plain and short.
pub const KEY_MAX: usize = 50;
const KEY_CHARACTERS: &str = "a-z 0-9 _ (starting with a letter)";

/// A code of a ticket type, a key of a menu or an item: lower-case ASCII letters, digits and
/// underscores, starting with a letter, as the seeded ones (`virtual_server`).
pub fn check_key(text: &str) -> Result<String, Problem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Problem::Required);
    }
    if text.chars().count() > KEY_MAX {
        return Err(Problem::TooLong { max: KEY_MAX });
    }
    let fits = text.starts_with(|c: char| c.is_ascii_lowercase())
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if fits {
        Ok(text.to_owned())
    } else {
        Err(Problem::BadCharacters {
            allowed: KEY_CHARACTERS,
        })
    }
}

/// A required line of text of at most `max` characters.
fn check_line(text: &str, max: usize) -> Result<(), Problem> {
    let text = text.trim();
    if text.is_empty() {
        Err(Problem::Required)
    } else if text.chars().count() > max {
        Err(Problem::TooLong { max })
    } else if text.contains(['\n', '\r']) {
        Err(Problem::Conflicts {
            reason: "problem.one_line",
        })
    } else {
        Ok(())
    }
}

/// Every problem of a ticket type as an admin wrote it.
pub fn check_ticket_type(t: &TicketType) -> Result<(), Invalid> {
    let mut errors = Invalid::new();
    errors.check("code", check_key(&t.code));
    errors.check("name_ja", check_line(&t.name_ja, NAME_MAX));
    errors.check("name_en", check_line(&t.name, NAME_MAX));
    for (field, text) in [
        ("description_ja", &t.description_ja),
        ("description_en", &t.description_en),
    ] {
        let text = text.trim();
        if text.is_empty() {
            errors.push(field, Problem::Required);
        } else if text.chars().count() > DESCRIPTION_MAX {
            errors.push(
                field,
                Problem::TooLong {
                    max: DESCRIPTION_MAX,
                },
            );
        }
    }
    errors.into_result()
}

/// Every problem of a service menu's own fields, and items sharing a key (each item's own
/// fields are `check_menu_item`'s).
pub fn check_service_menu(m: &ServiceMenu) -> Result<(), Invalid> {
    let mut errors = Invalid::new();
    errors.check("key", check_key(&m.key));
    errors.check("name_ja", check_line(&m.name_ja, NAME_MAX));
    errors.check("name_en", check_line(&m.name_en, NAME_MAX));
    for (i, item) in m.items.iter().enumerate() {
        if m.items[..i].iter().any(|other| other.key == item.key) {
            errors.push(format!("items[{i}].key"), Problem::Taken);
        }
    }
    errors.into_result()
}

/// Every problem of one item; `prefix` is where it sits in the input (`items[2].`, or "").
/// Only a `select` has options, and it needs at least one, each once.
pub fn check_menu_item(prefix: &str, item: &MenuItem) -> Result<(), Invalid> {
    let mut errors = Invalid::new();
    let at = |name: &str| format!("{prefix}{name}");
    errors.check(&at("key"), check_key(&item.key));
    errors.check(&at("label_ja"), check_line(&item.label_ja, NAME_MAX));
    errors.check(&at("label_en"), check_line(&item.label_en, NAME_MAX));
    let options = at("options");
    match (item.input, item.options.is_empty()) {
        (MenuInput::Select, true) => errors.push(options, Problem::Required),
        (MenuInput::Select, false) => {
            if item.options.len() > OPTIONS_MAX {
                errors.push(options.clone(), Problem::TooMany { max: OPTIONS_MAX });
            }
            for (i, option) in item.options.iter().enumerate() {
                let field = format!("{options}[{i}]");
                if let Err(p) = check_line(option, OPTION_MAX) {
                    errors.push(field, p);
                } else if item.options[..i].contains(option) {
                    errors.push(field, Problem::Taken);
                }
            }
        }
        (_, true) => {}
        (_, false) => errors.push(
            options,
            Problem::Conflicts {
                reason: "problem.options_only_for_select",
            },
        ),
    }
    errors.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{seed_service_menus, seed_ticket_types};

    fn fields(e: Invalid) -> Vec<String> {
        e.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn the_seeded_catalog_passes_its_own_checks() {
        for t in seed_ticket_types() {
            check_ticket_type(&t).unwrap();
        }
        for m in seed_service_menus() {
            check_service_menu(&m).unwrap();
            for item in &m.items {
                check_menu_item("", item).unwrap();
            }
        }
    }

    #[test]
    fn keys_are_plain_lower_case_words() {
        assert_eq!(check_key(" gpu_server2 "), Ok("gpu_server2".into()));
        for bad in ["GPU", "2gpu", "gpu-server", "サーバー", "a b"] {
            assert!(
                matches!(check_key(bad), Err(Problem::BadCharacters { .. })),
                "{bad}"
            );
        }
        assert_eq!(check_key("  "), Err(Problem::Required));
        assert_eq!(
            check_key(&"a".repeat(51)),
            Err(Problem::TooLong { max: KEY_MAX })
        );
    }

    #[test]
    fn a_select_needs_options_and_nothing_else_takes_them() {
        let mut item = seed_service_menus()[0].items[0].clone();
        item.input = MenuInput::Select;
        item.options = vec![];
        assert_eq!(fields(check_menu_item("", &item).unwrap_err()), ["options"]);
        item.options = vec!["A".into(), "A".into(), " ".into()];
        assert_eq!(
            fields(check_menu_item("items[0].", &item).unwrap_err()),
            ["items[0].options[1]", "items[0].options[2]"]
        );
        item.input = MenuInput::Text;
        item.options = vec!["A".into()];
        assert_eq!(fields(check_menu_item("", &item).unwrap_err()), ["options"]);
    }

    #[test]
    fn a_ticket_type_needs_both_names_and_descriptions() {
        let mut t = seed_ticket_types()[0].clone();
        t.name_ja = " ".into();
        t.description_en = String::new();
        t.code = "Bad Code".into();
        assert_eq!(
            fields(check_ticket_type(&t).unwrap_err()),
            ["code", "name_ja", "description_en"]
        );
    }
}
