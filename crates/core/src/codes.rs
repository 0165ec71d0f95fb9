//! The enumerations of SPEC.md, each with the lower snake_case code the API keeps.

use std::fmt;

/// A code that was not one of the allowed values, with the values that are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{given}`; expected one of: {}", allowed.join(", "))]
pub struct UnknownCode {
    pub what: &'static str,
    pub given: String,
    pub allowed: Vec<&'static str>,
}

macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in the order of SPEC.md.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code the API and the database use.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Parses a code; the error lists the codes that are allowed.
            pub fn parse(code: &str) -> Result<Self, UnknownCode> {
                match code {
                    $($code => Ok($name::$variant),)+
                    _ => Err(UnknownCode {
                        what: $what,
                        given: code.to_owned(),
                        allowed: vec![$($code),+],
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}
pub(crate) use code_enum;

code_enum! {
    /// The support plan of a contract (SPEC §3).
    SupportPlan("plan") { Basic = "basic", Advanced = "advanced", Premium = "premium" }
}

code_enum! {
    /// How a contract is sold: directly, or resold by a partner (who then takes the tickets).
    Channel("channel") { Direct = "direct", Partner = "partner" }
}

code_enum! {
    /// Ticket permission on one contract (SPEC §1).
    PermissionLevel("permission level") {
        /// See the tickets filed under the contract.
        View = "view",
        /// Also file and reply.
        Edit = "edit",
    }
}

code_enum! {
    /// What a user is to the service (SPEC §1).
    Role("role") {
        Customer = "customer",
        CustomerAdmin = "customer_admin",
        Agent = "agent",
        Admin = "admin",
    }
}

code_enum! {
    /// The language a user reads the service in; Japanese is the default.
    Locale("locale") { Ja = "ja", En = "en" }
}

code_enum! {
    /// What a ticket type is about (SPEC §3).
    TicketKind("ticket kind") { Inquiry = "inquiry", Incident = "incident" }
}

code_enum! {
    /// How a ticket type reaches support: the web form, or a request to be called back.
    TicketChannel("ticket channel") { Web = "web", Callback = "callback" }
}

code_enum! {
    /// The support desks: the general desk and the premium special desk (特別窓口).
    Desk("desk") { General = "general", Premium = "premium" }
}

code_enum! {
    /// Where a ticket is in its life (SPEC §5).
    Status("status") {
        /// 受付
        New = "new",
        /// 対応中
        InProgress = "in_progress",
        /// お客さま回答待ち: support needs information from the customer.
        WaitingForCustomer = "waiting_for_customer",
        /// クローズ待ち: support has answered.
        PendingClosure = "pending_closure",
        /// クローズ
        Closed = "closed",
    }
}

code_enum! {
    /// How a service menu item is entered on the filing form.
    MenuInput("menu item input") {
        Text = "text",
        Textarea = "textarea",
        Select = "select",
        Datetime = "datetime",
    }
}

code_enum! {
    /// How urgent an agent judges a ticket: `p1` is the most urgent, `p3` the default.
    Priority("priority") { P1 = "p1", P2 = "p2", P3 = "p3", P4 = "p4" }
}

code_enum! {
    /// Where a message came from: the web pages, the JSON API, or an email reply. The pages
    /// are the default: a message whose surface is not said came from them.
    #[derive(Default)]
    Via("via") { #[default] Web = "web", Api = "api", Email = "email" }
}

code_enum! {
    /// How a call to a callback ticket's customer went (SPEC §6).
    CallbackOutcome("callback outcome") {
        Reached = "reached",
        NoAnswer = "no_answer",
        Voicemail = "voicemail",
        /// The customer asked to be called at another time (`next_at`).
        Rescheduled = "rescheduled",
    }
}

impl Role {
    /// Customers belong to an organization; agents and admins belong to the provider.
    pub fn is_customer(self) -> bool {
        matches!(self, Role::Customer | Role::CustomerAdmin)
    }
}

impl Locale {
    /// Japanese-first: users read Japanese unless they pick English.
    pub const DEFAULT: Locale = Locale::Ja;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for plan in SupportPlan::ALL {
            assert_eq!(SupportPlan::parse(plan.code()), Ok(*plan));
        }
        for status in Status::ALL {
            assert_eq!(status.code().parse::<Status>(), Ok(*status));
        }
        assert_eq!(Role::parse("customer_admin"), Ok(Role::CustomerAdmin));
    }

    #[test]
    fn unknown_code_names_the_allowed_ones() {
        let err = SupportPlan::parse("gold").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown plan `gold`; expected one of: basic, advanced, premium"
        );
    }

    #[test]
    fn serde_uses_the_codes() {
        // Serde and `code()` must agree: the API and the database both use the code.
        for status in Status::ALL {
            let json = serde_json::to_string(status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.code()));
        }
        for role in Role::ALL {
            let json = serde_json::to_string(role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.code()));
        }
    }
}
