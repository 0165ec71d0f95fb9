//! The demo desk's tickets: about forty, across both desks, in every status, some assigned,
//! some due soon and some breached, a callback with attempts, a merged pair and ratings.

/// Who does what to a demo ticket after it is filed, in order.
pub(super) enum Step {
    /// The agent takes the ticket.
    Take(&'static str),
    /// The agent sets the priority.
    Priority(&'static str, &'static str),
    /// A public reply by the agent, leaving the ticket in the status given (or as the reply
    /// moves it).
    Reply(&'static str, &'static str, Option<&'static str>),
    /// An internal note by the agent.
    Note(&'static str, &'static str),
    /// The filer replies.
    Customer(&'static str),
    /// The filer closes the ticket.
    Close,
    /// The filer rates the closed ticket.
    Rate(u8, &'static str),
    /// A call attempt by the agent: outcome, note, and for a reschedule the hours until the
    /// next call.
    Call(&'static str, &'static str, &'static str, Option<i64>),
    /// The agent merges this ticket into the demo ticket with this summary.
    MergeInto(&'static str, &'static str),
}

/// A callback request's contact details.
pub(super) struct DemoCallback {
    pub phone: &'static str,
    pub contact_name: &'static str,
    pub preferred_window: &'static str,
}

pub(super) struct DemoTicket {
    pub filer: &'static str,
    pub contract: &'static str,
    pub ticket_type: &'static str,
    pub menu: &'static str,
    pub summary: &'static str,
    pub details: &'static str,
    /// How long ago it was filed, in minutes: old enough for some dues to be near or past.
    pub age_minutes: i64,
    pub callback: Option<DemoCallback>,
    pub steps: &'static [Step],
}

const GENERAL: &str = "agent.general@madoguchi.example";
const PREMIUM: &str = "agent.premium@madoguchi.example";
const LEAD: &str = "lead@madoguchi.example";
const HOUR: i64 = 60;
const DAY: i64 = 24 * HOUR;

use Step::*;

// A row of the table below: each argument is one of its columns.
#[allow(clippy::too_many_arguments)]
const fn t(
    filer: &'static str,
    contract: &'static str,
    ticket_type: &'static str,
    menu: &'static str,
    summary: &'static str,
    details: &'static str,
    age_minutes: i64,
    steps: &'static [Step],
) -> DemoTicket {
    DemoTicket {
        filer,
        contract,
        ticket_type,
        menu,
        summary,
        details,
        age_minutes,
        callback: None,
        steps,
    }
}

pub(super) const TICKETS: &[DemoTicket] = &[
    // ── The general desk: basic (株式会社サンプル商事) ─────────────────────────────
    t(
        "taro@sample.example",
        "ECL-1001",
        "general_inquiry",
        "virtual_server",
        "仮想サーバーのスナップショットの保存期間について",
        "スナップショットは何日間保存されますか。保存期間を延ばす方法があれば教えてください。",
        40,
        &[],
    ),
    t(
        "taro@sample.example",
        "ECL-1001",
        "incident_submission",
        "network",
        "ネットワークの疎通が断続的に途切れる",
        "本日朝から、テナント内のサーバー間で ping が数秒おきに失敗します。",
        3 * HOUR + 10,
        &[],
    ),
    t(
        "hanako@sample.example",
        "ECL-1001",
        "general_inquiry",
        "portal_api",
        "API トークンの有効期限を延長したい",
        "自動化ジョブで使う API トークンの有効期限を 1 年に延ばせますか。",
        DAY,
        &[
            Take(GENERAL),
            Reply(
                GENERAL,
                "お問い合わせありがとうございます。設定方法を確認しておりますので、少々お待ちください。",
                None,
            ),
        ],
    ),
    t(
        "hanako@sample.example",
        "ECL-1001",
        "incident_submission",
        "block_storage",
        "ボリュームのアタッチに失敗する",
        "新規作成したボリュームをサーバーにアタッチすると「処理に失敗しました」と表示されます。",
        2 * DAY,
        &[
            Take(GENERAL),
            Priority(GENERAL, "p2"),
            Note(GENERAL, "同じリージョンで類似の報告なし。ログを依頼する。"),
            Reply(
                GENERAL,
                "ご不便をおかけしております。エラー発生時刻とボリューム ID、サーバーのコンソールログをお送りいただけますでしょうか。",
                Some("waiting_for_customer"),
            ),
        ],
    ),
    t(
        "taro@sample.example",
        "ECL-1001",
        "general_inquiry",
        "firewall",
        "ファイアウォールのルール数の上限を確認したい",
        "1 台のファイアウォールに設定できるルールの上限数を教えてください。",
        3 * DAY,
        &[
            Take(GENERAL),
            Reply(
                GENERAL,
                "1 台あたり最大 1,000 ルールまで設定いただけます。ほかにご不明な点がなければクローズさせていただきます。",
                Some("pending_closure"),
            ),
        ],
    ),
    t(
        "taro@sample.example",
        "ECL-1001",
        "general_inquiry",
        "backup",
        "バックアップの世代数を変更する方法",
        "日次バックアップの保持世代を 7 から 14 に変更したいです。",
        5 * DAY,
        &[
            Take(GENERAL),
            Reply(
                GENERAL,
                "バックアップポリシーの画面で「保持世代数」を 14 に変更いただけます。",
                Some("pending_closure"),
            ),
            Close,
            Rate(5, "迅速なご回答ありがとうございました。"),
        ],
    ),
    t(
        "hanako@sample.example",
        "ECL-1001",
        "incident_submission",
        "load_balancer",
        "ロードバランサー経由のアクセスで 502 エラーが発生する",
        "13 時ごろからロードバランサー経由のアクセスの一部が 502 になります。サーバーへ直接アクセスすると正常です。",
        6 * HOUR,
        &[Take(GENERAL), Priority(GENERAL, "p1")],
    ),
    t(
        "taro@sample.example",
        "ECL-1001",
        "general_inquiry",
        "portal_api",
        "ポータルのログイン画面が表示されない",
        "ブラウザでポータルを開くと、ログイン画面が真っ白のままです。",
        4 * HOUR,
        &[Take(LEAD)],
    ),
    t(
        "hanako@sample.example",
        "ECL-1001",
        "general_inquiry",
        "portal_api",
        "ポータルにアクセスできません",
        "ポータルの画面が表示されません。ほかの社員も同じ状況です。",
        3 * HOUR,
        &[MergeInto(LEAD, "ポータルのログイン画面が表示されない")],
    ),
    t(
        "hanako@sample.example",
        "ECL-1001",
        "general_inquiry",
        "network",
        "グローバル IP アドレスを追加したい",
        "既存のテナントにグローバル IP アドレスを 2 つ追加する手順を教えてください。",
        6 * DAY,
        &[
            Take(GENERAL),
            Reply(
                GENERAL,
                "ネットワーク画面の「グローバル IP の追加」から申請いただけます。手順書を添えてご案内します。",
                Some("pending_closure"),
            ),
        ],
    ),
    t(
        "taro@sample.example",
        "ECL-1001",
        "incident_submission",
        "virtual_server",
        "仮想サーバーのディスク I/O が極端に遅い",
        "昨日から特定のサーバーのディスク書き込みが通常の 10 分の 1 程度の速度です。",
        HOUR,
        &[
            Take(GENERAL),
            Reply(
                GENERAL,
                "状況を確認しております。該当サーバーの名前と、遅延が始まったおおよその時刻をお知らせください。",
                None,
            ),
            Customer("web-prod-01 で、昨日 18 時ごろからです。"),
        ],
    ),
    t(
        "hanako@sample.example",
        "ECL-1001",
        "general_inquiry",
        "database",
        "データベースのメンテナンス時間帯を変更したい",
        "毎週日曜 3 時のメンテナンスを 5 時に変更できますか。",
        10 * DAY,
        &[
            Take(GENERAL),
            Reply(
                GENERAL,
                "データベースの設定画面からメンテナンス時間帯を変更いただけます。",
                Some("pending_closure"),
            ),
            Close,
            Rate(4, "分かりやすい説明でした。"),
        ],
    ),
    // ── The general desk: advanced and basic contracts of Global Manufacturing ─────
    t(
        "mary@global.example",
        "ECL-2001",
        "general_inquiry",
        "database",
        "How do I enable automated backups for a database instance?",
        "We would like daily automated backups with a 14-day retention for our main instance.",
        5 * HOUR,
        &[
            Take(LEAD),
            Reply(
                LEAD,
                "Thank you for your question. We are checking the options for your instance type and will get back to you shortly.",
                None,
            ),
        ],
    ),
    DemoTicket {
        filer: "mary@global.example",
        contract: "ECL-2001",
        ticket_type: "callback_incident_submission",
        menu: "virtual_server",
        summary: "Server unreachable after maintenance — please call us",
        details: "Since last night's maintenance window our application server does not answer on any port.",
        age_minutes: 5 * HOUR,
        callback: Some(DemoCallback {
            phone: "+81 3-1234-5678",
            contact_name: "Mary Jones",
            preferred_window: "10:00-18:00",
        }),
        steps: &[
            Take(LEAD),
            Call(LEAD, "no_answer", "No answer on the main number.", None),
            Call(
                LEAD,
                "voicemail",
                "Left a voicemail asking for a good time.",
                None,
            ),
            Call(
                LEAD,
                "reached",
                "Spoke with Mary: the security group lost its rules after maintenance; restored together.",
                None,
            ),
            Reply(
                LEAD,
                "As discussed on the phone, the security group rules were restored. Please tell us if anything is still unreachable.",
                Some("pending_closure"),
            ),
        ],
    },
    DemoTicket {
        filer: "olivia@global.example",
        contract: "ECL-2001",
        ticket_type: "callback_general_inquiry",
        menu: "portal_api",
        summary: "Please call to discuss changing the billing contact",
        details: "Our finance team has moved; we need to change the billing contact and would prefer to talk it through.",
        age_minutes: 2 * HOUR,
        callback: Some(DemoCallback {
            phone: "+81 3-9876-5432",
            contact_name: "Olivia Carter",
            preferred_window: "14:00-17:00",
        }),
        steps: &[Call(
            GENERAL,
            "rescheduled",
            "Olivia asked to be called back tomorrow.",
            Some(20),
        )],
    },
    t(
        "olivia@global.example",
        "DC-2003",
        "incident_submission",
        "baremetal_server",
        "Bare metal server does not power on",
        "Server bm-dc-07 stays off after a power cycle from the portal; the console shows nothing.",
        2 * HOUR,
        &[
            Take(LEAD),
            Priority(LEAD, "p1"),
            Note(
                LEAD,
                "Data center team contacted: checking the PDU for rack 12.",
            ),
        ],
    ),
    t(
        "kenji@global.example",
        "ECL-2002",
        "general_inquiry",
        "virtual_server",
        "リージョン間でのイメージのコピー手順",
        "JP1 で作成したイメージを JP2 にコピーする方法を教えてください。",
        90,
        &[],
    ),
    t(
        "mary@global.example",
        "ECL-2001",
        "incident_submission",
        "firewall",
        "Firewall HA pair keeps failing over",
        "Our HA firewall pair fails over every few minutes since this morning.",
        30,
        &[Priority(GENERAL, "p2")],
    ),
    t(
        "olivia@global.example",
        "ECL-2001",
        "general_inquiry",
        "load_balancer",
        "Can we use our own TLS certificate on the load balancer?",
        "We would like to upload a certificate issued by our own CA.",
        2 * DAY,
        &[
            Take(GENERAL),
            Reply(
                GENERAL,
                "Yes: upload the certificate and its chain in the load balancer's TLS settings. Does your CA use an intermediate certificate?",
                Some("waiting_for_customer"),
            ),
        ],
    ),
    t(
        "mary@global.example",
        "ECL-2001",
        "general_inquiry",
        "block_storage",
        "Snapshot schedule for block storage volumes",
        "Is it possible to take volume snapshots on a schedule?",
        8 * DAY,
        &[
            Take(GENERAL),
            Reply(
                GENERAL,
                "Scheduled snapshots can be set in the volume's backup policy.",
                Some("pending_closure"),
            ),
            Close,
            Rate(3, "The answer was right, but it took a while to arrive."),
        ],
    ),
    t(
        "taro@sample.example",
        "ECL-1001",
        "general_inquiry",
        "other",
        "DNS の TTL を短くしたい",
        "移行作業のため、一時的に TTL を 60 秒にしたいです。",
        20,
        &[],
    ),
    // ── The premium special desk (特別窓口) ─────────────────────────────────────────
    t(
        "kenji@global.example",
        "ECL-2002",
        "premium_incident_submission",
        "database",
        "データベースインスタンスが応答しない",
        "本番のデータベースインスタンスへの接続がすべてタイムアウトします。",
        25,
        &[],
    ),
    t(
        "kenji@global.example",
        "ECL-2002",
        "premium_incident_submission",
        "virtual_server",
        "仮想サーバーが再起動を繰り返す",
        "アプリケーションサーバーが 5 分おきに再起動しています。",
        2 * HOUR,
        &[],
    ),
    t(
        "mary@global.example",
        "ECL-2002",
        "premium_general_inquiry",
        "load_balancer",
        "Recommended health check settings for the load balancer",
        "What interval and thresholds do you recommend for HTTP health checks?",
        3 * HOUR,
        &[
            Take(PREMIUM),
            Reply(
                PREMIUM,
                "We recommend a 10-second interval with 3 failures before marking a member down. We are preparing a detailed guide for your setup.",
                None,
            ),
        ],
    ),
    t(
        "mary@global.example",
        "ECL-2002",
        "premium_incident_submission",
        "network",
        "Packet loss between two tenants",
        "About 5% packet loss between tenant-9b0a0001 and tenant-9b0a0002 since 09:00.",
        DAY,
        &[
            Take(PREMIUM),
            Priority(PREMIUM, "p2"),
            Reply(
                PREMIUM,
                "Could you send us a traceroute from both sides and the exact time the loss started?",
                Some("waiting_for_customer"),
            ),
        ],
    ),
    t(
        "olivia@global.example",
        "ECL-2002",
        "premium_general_inquiry",
        "block_storage",
        "Which volume performance tier fits a database workload?",
        "We need about 20,000 IOPS for a database; which tier should we choose?",
        2 * DAY,
        &[
            Take(LEAD),
            Reply(
                LEAD,
                "The high-IOPS tier provides up to 30,000 IOPS and fits your workload. Shall we close this ticket?",
                Some("pending_closure"),
            ),
        ],
    ),
    t(
        "kenji@global.example",
        "ECL-2002",
        "premium_general_inquiry",
        "backup",
        "バックアップからのリストア時間の目安",
        "500 GB のバックアップからリストアする場合の所要時間の目安を教えてください。",
        4 * DAY,
        &[
            Take(PREMIUM),
            Reply(
                PREMIUM,
                "500 GB の場合、目安は 1 時間程度です。",
                Some("pending_closure"),
            ),
            Close,
            Rate(4, "参考になりました。"),
        ],
    ),
    t(
        "olivia@global.example",
        "ECL-2002",
        "premium_incident_submission",
        "firewall",
        "Firewall rules not applied after change",
        "Rule changes made an hour ago have not taken effect.",
        6 * DAY,
        &[
            Take(PREMIUM),
            Reply(
                PREMIUM,
                "The rule deployment was stuck; we re-applied it. Please confirm that traffic now flows as expected.",
                Some("pending_closure"),
            ),
            Close,
            Rate(
                2,
                "Fixed, but the first response took longer than we expected.",
            ),
        ],
    ),
    t(
        "kenji@global.example",
        "ECL-2002",
        "premium_incident_submission",
        "load_balancer",
        "ロードバランサーの証明書が期限切れと表示される",
        "更新済みの証明書を登録したのに、ブラウザで期限切れと表示されます。",
        50,
        &[
            Take(PREMIUM),
            Priority(PREMIUM, "p1"),
            Reply(
                PREMIUM,
                "確認いたしました。中間証明書の登録が漏れているようです。登録手順をご案内しますので、少々お待ちください。",
                None,
            ),
        ],
    ),
    t(
        "mary@global.example",
        "ECL-2002",
        "premium_general_inquiry",
        "database",
        "Read replicas in another region",
        "Can we place a read replica of our database in JP2 while the primary stays in JP1?",
        15,
        &[],
    ),
    t(
        "kenji@global.example",
        "ECL-2002",
        "premium_general_inquiry",
        "network",
        "閉域網接続の帯域を増やしたい",
        "現在 1 Gbps の閉域網接続を 10 Gbps に増やす手続きを教えてください。",
        2 * DAY,
        &[
            Take(LEAD),
            Note(LEAD, "営業担当に見積もりを依頼済み。"),
            Reply(
                LEAD,
                "帯域変更のお見積もりを準備しております。ご利用開始希望日をお知らせいただけますか。",
                Some("waiting_for_customer"),
            ),
            Customer("来月 1 日からの利用を希望します。"),
        ],
    ),
    t(
        "olivia@global.example",
        "ECL-2002",
        "premium_incident_submission",
        "baremetal_server",
        "Bare metal server reports disk errors",
        "The RAID controller on bm-prod-03 reports a degraded array.",
        3 * HOUR,
        &[
            Take(PREMIUM),
            Reply(
                PREMIUM,
                "We have scheduled a disk replacement for today 18:00 JST. The server stays online during the rebuild.",
                None,
            ),
        ],
    ),
    t(
        "mary@global.example",
        "ECL-2002",
        "premium_incident_submission",
        "portal_api",
        "API returns 500 for server list",
        "GET /v2/servers returns HTTP 500 for our tenant since 10 minutes.",
        10,
        &[],
    ),
    t(
        "kenji@global.example",
        "ECL-2002",
        "premium_general_inquiry",
        "virtual_server",
        "仮想サーバーのフレーバー変更時の停止時間",
        "フレーバーを変更する際、サーバーはどのくらい停止しますか。",
        12 * DAY,
        &[
            Take(PREMIUM),
            Reply(
                PREMIUM,
                "再起動を伴うため、通常 5 分程度停止します。",
                Some("pending_closure"),
            ),
            Close,
            Rate(5, "丁寧なご案内ありがとうございました。"),
        ],
    ),
    t(
        "olivia@global.example",
        "ECL-2002",
        "premium_general_inquiry",
        "other",
        "Audit log export for compliance",
        "Our auditors need the portal's audit log for the last quarter. How can we export it?",
        HOUR,
        &[Take(LEAD)],
    ),
    t(
        "kenji@global.example",
        "ECL-2002",
        "premium_incident_submission",
        "block_storage",
        "ボリュームが読み取り専用になった",
        "本日 9 時ごろからボリュームが読み取り専用でマウントされます。",
        DAY + 2 * HOUR,
        &[
            Take(PREMIUM),
            Reply(
                PREMIUM,
                "ストレージ側の障害を確認し、復旧いたしました。再マウントをお試しください。",
                Some("pending_closure"),
            ),
            Customer("再マウントしても読み取り専用のままです。"),
        ],
    ),
    t(
        "mary@global.example",
        "ECL-2002",
        "premium_general_inquiry",
        "firewall",
        "Firewall logs retention",
        "How long are firewall logs kept, and can we forward them to our SIEM?",
        9 * DAY,
        &[
            Take(PREMIUM),
            Reply(
                PREMIUM,
                "Logs are kept for 90 days and can be forwarded over syslog.",
                Some("pending_closure"),
            ),
            Close,
        ],
    ),
];
