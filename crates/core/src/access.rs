//! Who may see and do what (SPEC §1). Every surface asks these functions; none decides alone.

use crate::codes::{Desk, PermissionLevel, Role};
use crate::model::{Contract, TicketPermission, User};

/// The facts about one ticket that decide who may see it. Its participants are not among
/// them: a participant is picked from the contract's viewers and sees the ticket through that
/// permission, so revoking it hides the ticket from them at once (SPEC §1).
#[derive(Debug, Clone, Copy)]
pub struct TicketScope<'a> {
    pub organization_id: &'a str,
    pub contract_id: &'a str,
    pub desk: Desk,
}

fn level_on(
    user: &User,
    permissions: &[TicketPermission],
    contract_id: &str,
) -> Option<PermissionLevel> {
    permissions
        .iter()
        .filter(|p| p.user_id == user.id && p.contract_id == contract_id)
        .map(|p| p.level)
        .max()
}

fn same_organization(user: &User, organization_id: &str) -> bool {
    user.role.is_customer() && user.organization_id.as_deref() == Some(organization_id)
}

/// May `user` see the ticket? Customers of its organization: a live view or edit permission
/// on its contract, whether they filed it, take part in it, or neither. Agents: membership of
/// its desk. Admins: always. The store's `visible_to_customer!` is this rule in SQL, and the
/// ticket index's `Visibility::Customer` the same rule as a query.
pub fn may_view_ticket(
    user: &User,
    desks: &[Desk],
    permissions: &[TicketPermission],
    ticket: TicketScope<'_>,
) -> bool {
    match user.role {
        Role::Admin => true,
        Role::Agent => desks.contains(&ticket.desk),
        Role::Customer | Role::CustomerAdmin => {
            same_organization(user, ticket.organization_id)
                && level_on(user, permissions, ticket.contract_id).is_some()
        }
    }
}

/// May `user` reply to the ticket? Customers need "edit" on its contract; a participant with
/// only "view" reads along. Agents of its desk and admins may.
pub fn may_reply(
    user: &User,
    desks: &[Desk],
    permissions: &[TicketPermission],
    ticket: TicketScope<'_>,
) -> bool {
    match user.role {
        Role::Admin => true,
        Role::Agent => desks.contains(&ticket.desk),
        Role::Customer | Role::CustomerAdmin => {
            same_organization(user, ticket.organization_id)
                && level_on(user, permissions, ticket.contract_id) == Some(PermissionLevel::Edit)
        }
    }
}

/// May `user` file a ticket under `contract`? Only customers of its organization with "edit",
/// and only on direct contracts (partners take the tickets of the contracts they resell).
pub fn may_file(user: &User, permissions: &[TicketPermission], contract: &Contract) -> bool {
    same_organization(user, &contract.organization_id)
        && contract.channel == crate::codes::Channel::Direct
        && level_on(user, permissions, &contract.id) == Some(PermissionLevel::Edit)
}

/// May `actor` grant or revoke ticket permissions for `target` on a contract of
/// `contract_organization_id`? Admins may for any customer; a customer admin only for the users
/// and contracts of their own organization. Staff never hold ticket permissions.
pub fn may_manage_permission(actor: &User, target: &User, contract_organization_id: &str) -> bool {
    let target_fits = target.role.is_customer()
        && target.organization_id.as_deref() == Some(contract_organization_id);
    match actor.role {
        Role::Admin => target_fits,
        Role::CustomerAdmin => {
            target_fits && actor.organization_id.as_deref() == Some(contract_organization_id)
        }
        Role::Customer | Role::Agent => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::Locale;
    use jiff::Timestamp;

    fn user(id: &str, role: Role, org: Option<&str>) -> User {
        User {
            id: id.into(),
            email: format!("{id}@example.com"),
            name: id.into(),
            role,
            organization_id: org.map(Into::into),
            locale: Locale::En,
            time_zone: "Asia/Tokyo".into(),
            created_at: Timestamp::UNIX_EPOCH,
            disabled_at: None,
        }
    }

    fn perm(user: &str, contract: &str, level: PermissionLevel) -> TicketPermission {
        TicketPermission {
            user_id: user.into(),
            contract_id: contract.into(),
            contract_number: contract.into(),
            level,
        }
    }

    fn scope() -> TicketScope<'static> {
        TicketScope {
            organization_id: "o1",
            contract_id: "c1",
            desk: Desk::General,
        }
    }

    #[test]
    fn view_permission_sees_but_does_not_reply() {
        let u = user("u1", Role::Customer, Some("o1"));
        let perms = [perm("u1", "c1", PermissionLevel::View)];
        assert!(may_view_ticket(&u, &[], &perms, scope()));
        assert!(!may_reply(&u, &[], &perms, scope()));
    }

    #[test]
    fn edit_permission_sees_and_replies() {
        let u = user("u1", Role::Customer, Some("o1"));
        let perms = [perm("u1", "c1", PermissionLevel::Edit)];
        assert!(may_view_ticket(&u, &[], &perms, scope()));
        assert!(may_reply(&u, &[], &perms, scope()));
    }

    #[test]
    fn sight_follows_the_live_permission_not_the_participation() {
        let u = user("u1", Role::Customer, Some("o1"));
        // Revoked: no permission left on the ticket's contract, participant or not.
        assert!(!may_view_ticket(&u, &[], &[], scope()));
        assert!(!may_reply(&u, &[], &[], scope()));
        // A permission on another contract of the organization shows nothing of this one.
        let elsewhere = [perm("u1", "c2", PermissionLevel::Edit)];
        assert!(!may_view_ticket(&u, &[], &elsewhere, scope()));
        // A colleague's permission is not the user's.
        let colleagues = [perm("u2", "c1", PermissionLevel::Edit)];
        assert!(!may_view_ticket(&u, &[], &colleagues, scope()));
    }

    #[test]
    fn another_organization_sees_nothing_even_with_a_stray_permission() {
        let u = user("u2", Role::CustomerAdmin, Some("o2"));
        let perms = [perm("u2", "c1", PermissionLevel::Edit)];
        assert!(!may_view_ticket(&u, &[], &perms, scope()));
        assert!(!may_reply(&u, &[], &perms, scope()));
    }

    #[test]
    fn agents_see_their_desks_only() {
        let a = user("a1", Role::Agent, None);
        assert!(may_view_ticket(&a, &[Desk::General], &[], scope()));
        assert!(!may_view_ticket(&a, &[Desk::Premium], &[], scope()));
        assert!(may_view_ticket(
            &user("root", Role::Admin, None),
            &[],
            &[],
            scope()
        ));
    }

    #[test]
    fn customer_admins_manage_their_own_organization_only() {
        let ca = user("ca", Role::CustomerAdmin, Some("o1"));
        let colleague = user("u1", Role::Customer, Some("o1"));
        let stranger = user("u9", Role::Customer, Some("o2"));
        assert!(may_manage_permission(&ca, &colleague, "o1"));
        assert!(!may_manage_permission(&ca, &stranger, "o2"));
        assert!(!may_manage_permission(&ca, &colleague, "o2"));
        let admin = user("root", Role::Admin, None);
        assert!(may_manage_permission(&admin, &stranger, "o2"));
        // A permission for a user of another organization makes no sense, even for an admin.
        assert!(!may_manage_permission(&admin, &stranger, "o1"));
        assert!(!may_manage_permission(&colleague, &colleague, "o1"));
    }
}
