//! The seeded catalog: ticket types (SPEC §3) and service menus (SPEC §4). Both are data an
//! admin may change later; these are the values a new installation starts with.

use crate::codes::{Desk, Locale, MenuInput, SupportPlan, TicketChannel, TicketKind};

/// A ticket type a customer picks after the category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketType {
    pub code: String,
    /// The English name of the guide ("General Inquiry").
    pub name: String,
    /// The Japanese name; the seeded types keep the guide's English name here too.
    pub name_ja: String,
    pub description_ja: String,
    pub description_en: String,
    pub kind: TicketKind,
    pub channel: TicketChannel,
    pub desk: Desk,
    /// The plans that offer this type.
    pub plans: Vec<SupportPlan>,
    /// Where the type appears in the pick list; lower first.
    pub position: i64,
    /// No longer offered for new tickets; tickets filed with it keep it.
    pub retired: bool,
}

impl TicketType {
    pub fn offered_by(&self, plan: SupportPlan) -> bool {
        self.plans.contains(&plan)
    }

    /// The name a reader of `locale` sees.
    pub fn name_in(&self, locale: Locale) -> &str {
        match locale {
            Locale::Ja => &self.name_ja,
            Locale::En => &self.name,
        }
    }
}

/// The ticket types a contract with `plan` offers, in pick-list order; retired ones are not.
pub fn ticket_types_for(plan: SupportPlan, all: &[TicketType]) -> Vec<TicketType> {
    let mut offered: Vec<TicketType> = all
        .iter()
        .filter(|t| !t.retired && t.offered_by(plan))
        .cloned()
        .collect();
    offered.sort_by_key(|t| t.position);
    offered
}

/// True when a premium customer picked a type the general desk answers: the form warns them
/// before they submit, as the guide does.
pub fn served_below_plan(plan: SupportPlan, ticket_type: &TicketType) -> bool {
    plan == SupportPlan::Premium && ticket_type.desk == Desk::General
}

/// One item a ticket about a service menu must contain (チケット記載内容).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuItem {
    pub key: String,
    pub label_ja: String,
    pub label_en: String,
    pub input: MenuInput,
    pub required: bool,
    /// The choices of a `select` item.
    pub options: Vec<String>,
    /// Where the item appears in its menu; lower first.
    pub position: i64,
    /// No longer asked on new tickets; old tickets still show their value with this label.
    pub retired: bool,
}

/// A service menu (サービスメニュー) with the items its tickets must contain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceMenu {
    pub key: String,
    pub name_ja: String,
    pub name_en: String,
    /// Every item, retired ones too, in order.
    pub items: Vec<MenuItem>,
    pub position: i64,
    /// No longer offered for new tickets; tickets about it keep it.
    pub retired: bool,
}

/// The menus and items a new ticket may use: those not retired, in order.
pub fn offered_menus(all: &[ServiceMenu]) -> Vec<ServiceMenu> {
    let mut offered: Vec<ServiceMenu> = all
        .iter()
        .filter(|m| !m.retired)
        .map(|m| ServiceMenu {
            items: m.items.iter().filter(|i| !i.retired).cloned().collect(),
            ..m.clone()
        })
        .collect();
    offered.sort_by_key(|m| m.position);
    for m in &mut offered {
        m.items.sort_by_key(|i| i.position);
    }
    offered
}

/// Where a ticket type goes: what it is about, how it arrives, which desk answers.
type Route = (TicketKind, TicketChannel, Desk);

fn ticket_type(
    code: &str,
    name: &str,
    (description_ja, description_en): (&str, &str),
    (kind, channel, desk): Route,
    plans: &[SupportPlan],
    position: i64,
) -> TicketType {
    TicketType {
        code: code.into(),
        name: name.into(),
        name_ja: name.into(),
        description_ja: description_ja.into(),
        description_en: description_en.into(),
        kind,
        channel,
        desk,
        plans: plans.to_vec(),
        position,
        retired: false,
    }
}

const HOW_TO: (&str, &str) = (
    "使い方に関するお問い合わせ",
    "Questions on how to use the service",
);
const FAULT: (&str, &str) = (
    "故障などお客さまにおいてサービスがご利用できなくなった場合のお問い合わせ",
    "The service cannot be used: an outage or a fault",
);
const CALLBACK_HOW_TO: (&str, &str) = (
    "使い方に関する電話問い合わせ(コールバック方式)の依頼",
    "Ask to be called back by phone about how to use the service",
);
const CALLBACK_FAULT: (&str, &str) = (
    "故障などお客さまにおいてサービスがご利用できなくなった場合の電話問い合わせ(コールバック方式)の依頼",
    "Ask to be called back by phone because the service cannot be used",
);
const PREMIUM_HOW_TO: (&str, &str) = (
    "使い方に関するお問い合わせ(※特別窓口にて受付)",
    "Questions on how to use the service (answered by the premium special desk)",
);
const PREMIUM_FAULT: (&str, &str) = (
    "故障などお客さまにおいてサービスがご利用できなくなった場合のお問い合わせ(※特別窓口にて受付)",
    "The service cannot be used (answered by the premium special desk)",
);

/// The six ticket types of SPEC §3, with the plans that offer each.
pub fn seed_ticket_types() -> Vec<TicketType> {
    use SupportPlan::{Advanced, Basic, Premium};
    use TicketChannel::{Callback, Web};
    use TicketKind::{Incident, Inquiry};
    const ALL: &[SupportPlan] = &[Basic, Advanced, Premium];
    let premium_desk = |kind| (kind, Web, Desk::Premium);
    vec![
        ticket_type(
            "premium_general_inquiry",
            "Premium Plan (General Inquiry)",
            PREMIUM_HOW_TO,
            premium_desk(Inquiry),
            &[Premium],
            10,
        ),
        ticket_type(
            "premium_incident_submission",
            "Premium Plan (Incident Submission)",
            PREMIUM_FAULT,
            premium_desk(Incident),
            &[Premium],
            20,
        ),
        ticket_type(
            "general_inquiry",
            "General Inquiry",
            HOW_TO,
            (Inquiry, Web, Desk::General),
            ALL,
            30,
        ),
        ticket_type(
            "incident_submission",
            "Incident Submission",
            FAULT,
            (Incident, Web, Desk::General),
            ALL,
            40,
        ),
        ticket_type(
            "callback_general_inquiry",
            "Callback Request (General Inquiry)",
            CALLBACK_HOW_TO,
            (Inquiry, Callback, Desk::General),
            &[Advanced],
            50,
        ),
        ticket_type(
            "callback_incident_submission",
            "Callback Request (Incident Submission)",
            CALLBACK_FAULT,
            (Incident, Callback, Desk::General),
            &[Advanced],
            60,
        ),
    ]
}

fn item(key: &str, label_ja: &str, label_en: &str, input: MenuInput, options: &[&str]) -> MenuItem {
    MenuItem {
        key: key.into(),
        label_ja: label_ja.into(),
        label_en: label_en.into(),
        input,
        required: true,
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        // Numbered by the menu it goes into.
        position: 0,
        retired: false,
    }
}

const REGIONS: &[&str] = &[
    "JP1", "JP2", "JP4", "JP5", "JP7", "US1", "UK1", "DE1", "SG1", "HK1", "AU1",
];

/// The service menus a new installation offers, each with its required items.
pub fn seed_service_menus() -> Vec<ServiceMenu> {
    use MenuInput::*;
    let menu = |key: &str, name_ja: &str, name_en: &str, position: i64, items: Vec<MenuItem>| {
        ServiceMenu {
            key: key.into(),
            name_ja: name_ja.into(),
            name_en: name_en.into(),
            items: items
                .into_iter()
                .enumerate()
                .map(|(i, item)| MenuItem {
                    position: i as i64,
                    ..item
                })
                .collect(),
            position,
            retired: false,
        }
    };
    let region = || item("region", "リージョン", "Region", Select, REGIONS);
    vec![
        menu(
            "baremetal_server",
            "ベアメタルサーバー",
            "Baremetal Server",
            10,
            vec![
                item(
                    "server_name",
                    "サーバー名/ID",
                    "Server name / ID",
                    Text,
                    &[],
                ),
                region(),
            ],
        ),
        menu(
            "virtual_server",
            "仮想サーバー",
            "Virtual Server",
            20,
            vec![
                item(
                    "server_name",
                    "サーバー名/ID",
                    "Server name / ID",
                    Text,
                    &[],
                ),
                region(),
            ],
        ),
        menu(
            "block_storage",
            "ブロックストレージ",
            "Block Storage",
            30,
            vec![
                item("volume_id", "ボリュームID", "Volume ID", Text, &[]),
                region(),
            ],
        ),
        menu(
            "network",
            "ネットワーク",
            "Network",
            40,
            vec![
                item("network_id", "ネットワークID", "Network ID", Text, &[]),
                region(),
            ],
        ),
        menu(
            "firewall",
            "ファイアウォール",
            "Firewall",
            50,
            vec![
                item(
                    "firewall_id",
                    "ファイアウォールID",
                    "Firewall ID",
                    Text,
                    &[],
                ),
                item("plan", "プラン", "Plan", Select, &["Standard", "HA"]),
            ],
        ),
        menu(
            "load_balancer",
            "ロードバランサー",
            "Load Balancer",
            60,
            vec![
                item(
                    "load_balancer_id",
                    "ロードバランサーID",
                    "Load balancer ID",
                    Text,
                    &[],
                ),
                item(
                    "virtual_ip",
                    "仮想IPアドレス",
                    "Virtual IP address",
                    Text,
                    &[],
                ),
            ],
        ),
        menu(
            "database",
            "データベース",
            "Database",
            70,
            vec![
                item("instance_id", "インスタンスID", "Instance ID", Text, &[]),
                item(
                    "engine",
                    "エンジン",
                    "Engine",
                    Select,
                    &["PostgreSQL", "MySQL", "SQL Server", "Oracle"],
                ),
                region(),
            ],
        ),
        menu(
            "backup",
            "バックアップ",
            "Backup",
            80,
            vec![
                item(
                    "backup_job",
                    "バックアップジョブ名",
                    "Backup job name",
                    Text,
                    &[],
                ),
                item(
                    "last_success_at",
                    "最終成功日時",
                    "Last successful run",
                    Datetime,
                    &[],
                ),
            ],
        ),
        menu(
            "portal_api",
            "ポータル/API",
            "Portal / API",
            90,
            vec![item(
                "screen_or_endpoint",
                "画面名またはAPIエンドポイント",
                "Screen or API endpoint",
                Text,
                &[],
            )],
        ),
        menu(
            "other",
            "その他",
            "Other",
            100,
            vec![item(
                "service_name",
                "サービス名",
                "Service name",
                Text,
                &[],
            )],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(plan: SupportPlan) -> Vec<String> {
        ticket_types_for(plan, &seed_ticket_types())
            .into_iter()
            .map(|t| t.code)
            .collect()
    }

    #[test]
    fn each_plan_offers_the_types_of_the_guide() {
        assert_eq!(
            codes(SupportPlan::Basic),
            ["general_inquiry", "incident_submission"]
        );
        assert_eq!(
            codes(SupportPlan::Advanced),
            [
                "general_inquiry",
                "incident_submission",
                "callback_general_inquiry",
                "callback_incident_submission"
            ]
        );
        assert_eq!(
            codes(SupportPlan::Premium),
            [
                "premium_general_inquiry",
                "premium_incident_submission",
                "general_inquiry",
                "incident_submission"
            ]
        );
    }

    #[test]
    fn premium_types_go_to_the_premium_desk() {
        for t in seed_ticket_types() {
            assert_eq!(
                t.desk == Desk::Premium,
                t.code.starts_with("premium_"),
                "{}",
                t.code
            );
            assert_eq!(
                t.channel == TicketChannel::Callback,
                t.code.starts_with("callback_"),
                "{}",
                t.code
            );
            assert_eq!(
                t.kind == TicketKind::Incident,
                t.code.ends_with("incident_submission"),
                "{}",
                t.code
            );
        }
    }

    #[test]
    fn retired_types_menus_and_items_are_not_offered() {
        let mut types = seed_ticket_types();
        types
            .iter_mut()
            .find(|t| t.code == "general_inquiry")
            .unwrap()
            .retired = true;
        assert_eq!(
            ticket_types_for(SupportPlan::Basic, &types)
                .into_iter()
                .map(|t| t.code)
                .collect::<Vec<_>>(),
            ["incident_submission"]
        );
        let mut menus = seed_service_menus();
        menus[0].retired = true;
        menus[1].items[1].retired = true;
        let offered = offered_menus(&menus);
        assert_eq!(offered.len(), menus.len() - 1);
        assert_eq!(offered[0].key, menus[1].key);
        assert_eq!(
            offered[0].items.iter().map(|i| &i.key).collect::<Vec<_>>(),
            [&menus[1].items[0].key]
        );
    }

    #[test]
    fn premium_customer_picking_a_plain_type_is_warned() {
        let types = seed_ticket_types();
        let general = types.iter().find(|t| t.code == "general_inquiry").unwrap();
        let premium = types
            .iter()
            .find(|t| t.code == "premium_general_inquiry")
            .unwrap();
        assert!(served_below_plan(SupportPlan::Premium, general));
        assert!(!served_below_plan(SupportPlan::Premium, premium));
        assert!(!served_below_plan(SupportPlan::Basic, general));
    }

    #[test]
    fn service_menus_have_one_to_three_required_items() {
        let menus = seed_service_menus();
        assert!(menus.len() >= 8);
        for m in &menus {
            assert!((1..=3).contains(&m.items.len()), "{}", m.key);
            for i in &m.items {
                assert_eq!(
                    i.input == MenuInput::Select,
                    !i.options.is_empty(),
                    "{}.{}",
                    m.key,
                    i.key
                );
            }
        }
    }
}
