//! Which categories a customer may file under (SPEC §2), and why there are none.

use crate::catalog::{TicketType, ticket_types_for};
use crate::codes::{Channel, PermissionLevel, SupportPlan};
use crate::model::{Contract, TicketPermission, User};

/// One category: a direct contract the user may file under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// The contract's id; a category is its contract as the filing form sees it.
    pub id: String,
    /// `Enterprise Cloud 2.0 (Example Communications Corp.)`
    pub name: String,
    pub product_line: String,
    pub contracting_corporation: String,
    pub contract_number: String,
    pub plan: SupportPlan,
    pub ticket_types: Vec<TicketType>,
}

/// Why a user has no category to file under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoCategory {
    /// The user lacks "edit" ticket permission on every direct contract; the organization's
    /// customer admins can grant it.
    NoPermission,
    /// The user's contracts are resold by partners, who take their tickets.
    PartnerContract { partners: Vec<String> },
}

/// The categories a user may file under, or why there are none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Categories {
    Some(Vec<Category>),
    None(NoCategory),
}

/// The categories `user` may file under, given their organization's contracts and their own
/// ticket permissions.
///
/// A category is a direct contract on which the user holds "edit". With none: when partner
/// contracts are all the user could file under (they hold edit on one, or the organization
/// has no direct contract at all), the answer names the partners, since granting permission
/// would not help; otherwise the user lacks permission.
pub fn categories_for(
    user: &User,
    org_contracts: &[Contract],
    permissions: &[TicketPermission],
    ticket_types: &[TicketType],
) -> Categories {
    let own_contracts = || {
        org_contracts
            .iter()
            .filter(|c| Some(&c.organization_id) == user.organization_id.as_ref())
    };
    let may_edit = |contract: &Contract| {
        permissions.iter().any(|p| {
            p.user_id == user.id && p.contract_id == contract.id && p.level == PermissionLevel::Edit
        })
    };

    let mut categories: Vec<Category> = own_contracts()
        .filter(|c| c.channel == Channel::Direct && may_edit(c))
        .map(|c| Category {
            id: c.id.clone(),
            name: format!("{} ({})", c.product_line, c.contracting_corporation),
            product_line: c.product_line.clone(),
            contracting_corporation: c.contracting_corporation.clone(),
            contract_number: c.contract_number.clone(),
            plan: c.plan,
            ticket_types: ticket_types_for(c.plan, ticket_types),
        })
        .collect();
    if !categories.is_empty() {
        categories.sort_by(|a, b| {
            a.name
                .cmp(&b.name)
                .then(a.contract_number.cmp(&b.contract_number))
        });
        return Categories::Some(categories);
    }

    let partner_contracts: Vec<&Contract> = own_contracts()
        .filter(|c| c.channel == Channel::Partner)
        .collect();
    let has_direct = own_contracts().any(|c| c.channel == Channel::Direct);
    let edits_partner = partner_contracts.iter().any(|c| may_edit(c));
    if !partner_contracts.is_empty() && (edits_partner || !has_direct) {
        let mut partners: Vec<String> = partner_contracts
            .iter()
            .filter(|c| !edits_partner || may_edit(c))
            .filter_map(|c| c.partner_name.clone())
            .collect();
        partners.sort();
        partners.dedup();
        return Categories::None(NoCategory::PartnerContract { partners });
    }
    Categories::None(NoCategory::NoPermission)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::seed_ticket_types;
    use crate::codes::{Locale, Role};
    use jiff::Timestamp;

    fn user(org: &str) -> User {
        User {
            id: "u1".into(),
            email: "taro@example.com".into(),
            name: "Taro".into(),
            role: Role::Customer,
            organization_id: Some(org.into()),
            locale: Locale::Ja,
            time_zone: "Asia/Tokyo".into(),
            created_at: Timestamp::UNIX_EPOCH,
            disabled_at: None,
        }
    }

    fn contract(
        id: &str,
        org: &str,
        corp: &str,
        plan: SupportPlan,
        partner: Option<&str>,
    ) -> Contract {
        Contract {
            id: id.into(),
            organization_id: org.into(),
            contract_number: format!("ECL-{id}"),
            product_line: "Enterprise Cloud 2.0".into(),
            contracting_corporation: corp.into(),
            plan,
            channel: if partner.is_some() {
                Channel::Partner
            } else {
                Channel::Direct
            },
            partner_name: partner.map(Into::into),
            created_at: Timestamp::UNIX_EPOCH,
        }
    }

    fn grant(contract: &str, level: PermissionLevel) -> TicketPermission {
        TicketPermission {
            user_id: "u1".into(),
            contract_id: contract.into(),
            contract_number: format!("ECL-{contract}"),
            level,
        }
    }

    fn categories(contracts: &[Contract], permissions: &[TicketPermission]) -> Categories {
        categories_for(&user("o1"), contracts, permissions, &seed_ticket_types())
    }

    #[test]
    fn one_category_per_direct_contract_with_edit() {
        let contracts = [contract(
            "c1",
            "o1",
            "Example Communications Corp.",
            SupportPlan::Basic,
            None,
        )];
        let Categories::Some(cats) = categories(&contracts, &[grant("c1", PermissionLevel::Edit)])
        else {
            panic!("expected a category");
        };
        assert_eq!(cats.len(), 1);
        assert_eq!(
            cats[0].name,
            "Enterprise Cloud 2.0 (Example Communications Corp.)"
        );
        assert_eq!(cats[0].contract_number, "ECL-c1");
        let types: Vec<_> = cats[0]
            .ticket_types
            .iter()
            .map(|t| t.code.as_str())
            .collect();
        assert_eq!(types, ["general_inquiry", "incident_submission"]);
    }

    #[test]
    fn two_corporations_give_two_categories_with_their_own_plans() {
        let contracts = [
            contract(
                "c1",
                "o1",
                "Example Communications Corp.",
                SupportPlan::Advanced,
                None,
            ),
            contract(
                "c2",
                "o1",
                "Example Communications America Inc.",
                SupportPlan::Premium,
                None,
            ),
        ];
        let perms = [
            grant("c1", PermissionLevel::Edit),
            grant("c2", PermissionLevel::Edit),
        ];
        let Categories::Some(cats) = categories(&contracts, &perms) else {
            panic!("expected categories");
        };
        assert_eq!(cats.len(), 2);
        let plans: Vec<_> = cats
            .iter()
            .map(|c| (c.contracting_corporation.as_str(), c.plan))
            .collect();
        assert!(plans.contains(&("Example Communications Corp.", SupportPlan::Advanced)));
        assert!(plans.contains(&("Example Communications America Inc.", SupportPlan::Premium)));
    }

    #[test]
    fn view_only_or_no_permission_gives_no_category() {
        let contracts = [contract("c1", "o1", "Corp", SupportPlan::Basic, None)];
        assert_eq!(
            categories(&contracts, &[grant("c1", PermissionLevel::View)]),
            Categories::None(NoCategory::NoPermission)
        );
        assert_eq!(
            categories(&contracts, &[]),
            Categories::None(NoCategory::NoPermission)
        );
    }

    #[test]
    fn partner_contract_names_the_partner() {
        let contracts = [contract(
            "c1",
            "o1",
            "Corp",
            SupportPlan::Basic,
            Some("Partner Systems K.K."),
        )];
        let expected = Categories::None(NoCategory::PartnerContract {
            partners: vec!["Partner Systems K.K.".into()],
        });
        assert_eq!(
            categories(&contracts, &[grant("c1", PermissionLevel::Edit)]),
            expected
        );
        // Granting permission would not help: the partner takes the tickets.
        assert_eq!(categories(&contracts, &[]), expected);
    }

    #[test]
    fn permissions_on_another_organizations_contract_count_for_nothing() {
        let contracts = [contract("c9", "o2", "Corp", SupportPlan::Premium, None)];
        assert_eq!(
            categories(&contracts, &[grant("c9", PermissionLevel::Edit)]),
            Categories::None(NoCategory::NoPermission)
        );
    }
}
