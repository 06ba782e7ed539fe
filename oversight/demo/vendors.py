"""Demo data: about 25 fictional vendors in every status, with contacts, certifications and evaluations.

Every name, 法人番号 and person here is invented; the 法人番号 carry valid check digits. Dates
are relative to the day the data is loaded, so "expiring soon" and "expired" stay true.
"""

from __future__ import annotations

from collections import deque
from datetime import UTC, date, datetime, time, timedelta
from io import BytesIO

from werkzeug.datastructures import FileStorage

from oversight.evaluations import services as evaluation_services
from oversight.evaluations.models import CONFORMING, NONCONFORMING, NOT_APPLICABLE, PARTIAL
from oversight.evidence import services as evidence_services
from oversight.extensions import db
from oversight.status import archive
from oversight.vendors import services as vendor_services
from oversight.vendors.corporate_number import with_check_digit
from oversight.vendors.models import Vendor

DEMO_REASON = "デモデータ"

# name, kana, 基礎番号 (12 digits), final status, risk, location/country/site, work, data, subjects,
# evaluation scenario, certifications ((kind, number, months until expiry), …)
VENDORS = (
    (
        "株式会社さくら給与計算センター",
        "サクラキュウヨケイサンセンター",
        "011001045871",
        "active",
        "high",
        ("domestic", "", "own_site"),
        "給与計算、年末調整、源泉徴収票の作成",
        "従業員・扶養親族の個人番号、氏名、生年月日、住所",
        3200,
        "approved",
        (("pmark", "10823456(04)", 20),),
    ),
    (
        "ひまわり社会保険労務士法人",
        "ヒマワリシャカイホケンロウムシホウジン",
        "120005017733",
        "active",
        "high",
        ("domestic", "", "own_site"),
        "健康保険・厚生年金保険・雇用保険の届出",
        "従業員の個人番号、基礎年金番号、氏名、生年月日",
        3200,
        "conditional",
        (("pmark", "21000876(02)", 8),),
    ),
    (
        "税理士法人みなと会計",
        "ゼイリシホウジンミナトカイケイ",
        "010405018824",
        "active",
        "medium",
        ("domestic", "", "own_site"),
        "支払調書の作成・提出",
        "報酬支払先の個人番号、氏名、住所",
        450,
        "expiring",
        (),
    ),
    (
        "株式会社あおば人事サービス",
        "カブシキガイシャアオバジンジサービス",
        "011101067790",
        "active",
        "high",
        ("domestic", "", "both"),
        "人事給与BPO（給与計算・社会保険手続）",
        "従業員・扶養親族の個人番号、給与情報",
        5400,
        "expired",
        (("isms", "IS 712345", 14), ("pmark", "10861234(03)", -2)),
    ),
    (
        "株式会社クラウドペイロール",
        "カブシキガイシャクラウドペイロール",
        "011001123457",
        "selected",
        "high",
        ("domestic", "", "cloud"),
        "給与計算クラウドサービスの運用保守（データ取扱いあり）",
        "従業員の個人番号、給与情報",
        3200,
        "approved",
        (("isms", "IS 734567", 26),),
    ),
    (
        "北斗データエントリー株式会社",
        "ホクトデータエントリー",
        "430001034412",
        "evaluating",
        "medium",
        ("domestic", "", "own_site"),
        "扶養控除等申告書のデータ入力",
        "扶養親族の個人番号、氏名",
        3200,
        "submitted",
        (("pmark", "17002345(05)", 11),),
    ),
    (
        "株式会社しらかば文書保管",
        "シラカバブンショホカン",
        "010001099812",
        "evaluating",
        "medium",
        ("domestic", "", "own_site"),
        "個人番号関係書類の保管・廃棄",
        "申告書原本（個人番号記載）",
        3200,
        "draft",
        (),
    ),
    (
        "みずほし情報システム株式会社",
        "ミズホシジョウホウシステム",
        "011001201458",
        "evaluating",
        "high",
        ("domestic", "", "own_site"),
        "人事システムの保守（障害調査で実データを扱う）",
        "従業員の個人番号、氏名",
        3200,
        "returned",
        (("isms", "IS 698765", 5),),
    ),
    (
        "Manila Payroll Services Inc.",
        "マニラペイロールサービシズ",
        None,
        "rejected",
        "high",
        ("abroad", "Philippines", "own_site"),
        "給与計算（海外拠点）",
        "従業員の個人番号、給与情報",
        1200,
        "rejected",
        (),
    ),
    (
        "株式会社つばさ配送",
        "ツバサハイソウ",
        "011001305561",
        "candidate",
        "low",
        ("domestic", "", "own_site"),
        "書類の配送のみ（取扱いなし）",
        "封緘された書類",
        0,
        None,
        (),
    ),
    (
        "株式会社こはく年末調整センター",
        "コハクネンマツチョウセイセンター",
        "180001076623",
        "terminating",
        "medium",
        ("domestic", "", "own_site"),
        "年末調整の計算・書類回収",
        "従業員・扶養親族の個人番号",
        800,
        "approved",
        (("pmark", "10834567(06)", 3),),
    ),
    (
        "旧あさひ計算サービス株式会社",
        "キュウアサヒケイサンサービス",
        "011001406672",
        "ended",
        "medium",
        ("domestic", "", "own_site"),
        "給与計算（契約終了）",
        "従業員の個人番号",
        0,
        "expired",
        (),
    ),
    (
        "株式会社ふじみ労務オフィス",
        "フジミロウムオフィス",
        "030001087734",
        "active",
        "medium",
        ("domestic", "", "own_site"),
        "労働保険の年度更新・届出",
        "従業員の個人番号、氏名",
        900,
        "reevaluation",
        (("pmark", "10845678(02)", 18),),
    ),
    (
        "Hanoi Data Processing Co., Ltd.",
        "ハノイデータプロセッシング",
        None,
        "evaluating",
        "high",
        ("abroad", "Vietnam", "own_site"),
        "申告書のデータ入力（海外拠点）",
        "扶養親族の個人番号、氏名",
        3200,
        "draft",
        (("isms", "VN-ISMS-0042", 9),),
    ),
    (
        "株式会社やまびこコールセンター",
        "ヤマビココールセンター",
        "040001098845",
        "candidate",
        "low",
        ("domestic", "", "own_site"),
        "従業員向け問合せ窓口（個人番号は扱わない予定）",
        "なし（確認中）",
        0,
        None,
        (),
    ),
    (
        "株式会社ときわ印刷",
        "トキワインサツ",
        "050001009956",
        "selected",
        "medium",
        ("domestic", "", "own_site"),
        "源泉徴収票の印刷・封入",
        "個人番号記載の源泉徴収票",
        3200,
        "conditional",
        (("pmark", "10856789(01)", 22),),
    ),
    (
        "株式会社はやぶさITサポート",
        "ハヤブサアイティーサポート",
        "060001011167",
        "active",
        "low",
        ("domestic", "", "cloud"),
        "給与システムのクラウド基盤運用（契約上データを取り扱わない）",
        "アクセス不可の暗号化データ",
        0,
        "approved",
        (("isms", "IS 745678", 30),),
    ),
    (
        "さくら台経理代行合同会社",
        "サクラダイケイリダイコウ",
        "070003012278",
        "active",
        "medium",
        ("domestic", "", "own_site"),
        "支払調書の作成",
        "報酬支払先の個人番号",
        120,
        "expiring",
        (),
    ),
    (
        "株式会社うみかぜBPO",
        "ウミカゼビーピーオー",
        "080001013389",
        "evaluating",
        "high",
        ("domestic", "", "both"),
        "人事給与BPO",
        "従業員・扶養親族の個人番号",
        5400,
        "submitted_conditional",
        (("pmark", "10867890(04)", 15), ("isms", "IS 756789", 15)),
    ),
    (
        "株式会社いろは記帳センター",
        "イロハキチョウセンター",
        "090001014490",
        "candidate",
        "medium",
        ("domestic", "", "own_site"),
        "支払調書の作成",
        "報酬支払先の個人番号",
        60,
        None,
        (),
    ),
    (
        "株式会社こまち健保サポート",
        "コマチケンポサポート",
        "100001015501",
        "active",
        "medium",
        ("domestic", "", "own_site"),
        "健康保険の資格取得・喪失届",
        "従業員・扶養親族の個人番号",
        3200,
        "approved",
        (("pmark", "10878901(02)", 10),),
    ),
    (
        "株式会社りんどう文書廃棄",
        "リンドウブンショハイキ",
        "110001016612",
        "selected",
        "medium",
        ("domestic", "", "own_site"),
        "個人番号記載書類の溶解処理",
        "個人番号記載書類",
        3200,
        "approved",
        (),
    ),
    (
        "株式会社かえでシステム開発",
        "カエデシステムカイハツ",
        "120001017723",
        "archived",  # not adopted, then archived (kept read-only with its evaluation)
        "high",
        ("domestic", "", "own_site"),
        "人事システム改修（本番データ利用を希望）",
        "従業員の個人番号",
        3200,
        "rejected",
        (),
    ),
    (
        "株式会社すずらん給与ラボ",
        "スズランキュウヨラボ",
        "130001018834",
        "evaluating",
        "medium",
        ("domestic", "", "cloud"),
        "給与明細・源泉徴収票の電子交付",
        "従業員の個人番号、給与情報",
        3200,
        "draft",
        (("pmark", "10889012(01)", 1),),
    ),
    (
        "株式会社おおぞら人材派遣",
        "オオゾラジンザイハケン",
        "140001019945",
        "active",
        "low",
        ("domestic", "", "own_site"),
        "派遣社員の社会保険手続",
        "派遣社員の個人番号",
        150,
        "expired",
        (),
    ),
)

CONTACTS = (
    ("営業部", "営業担当", "03-1234-5601"),
    ("情報セキュリティ室", "個人情報保護管理者", "03-1234-5602"),
    ("業務部", "事務取扱責任者", "03-1234-5603"),
)
PERSON_NAMES = ("佐藤 健", "鈴木 美咲", "高橋 誠", "田中 由美", "伊藤 大輔", "渡辺 彩", "山本 拓也", "中村 愛")


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), UTC)


def _move_to(vendor: Vendor, target: str, actor) -> None:
    """Walk the vendor along the allowed transitions to ``target`` (each move is logged)."""
    if vendor.status == target:
        return
    paths = deque([[vendor.status]])
    seen = {vendor.status}
    while paths:
        path = paths.popleft()
        for step in vendor_services.allowed_moves(path[-1]):
            if step in seen:
                continue
            if step == target:
                for status in [*path[1:], step]:
                    archive.move_vendor(vendor, status, reason=DEMO_REASON, actor=actor)
                return
            seen.add(step)
            paths.append([*path, step])


def _answer(evaluation, overrides: dict[str, str], comments: dict[str, str], exceptions: dict[str, str], actor, now):
    values = {
        answer.item_id: {
            "answer": overrides.get(answer.item.code, CONFORMING),
            "comment": comments.get(answer.item.code, ""),
            "exception_reason": exceptions.get(answer.item.code, ""),
        }
        for answer in evaluation.answers
    }
    evaluation_services.save_answers(evaluation, values, actor=actor, now=now)


def _attach(evaluation, code: str, filename: str, text: str, actor) -> None:
    answer = next(answer for answer in evaluation.answers if answer.item.code == code)
    upload = FileStorage(stream=BytesIO(text.encode("utf-8")), filename=filename, content_type="text/plain")
    evidence_services.store_upload(upload, answer, actor, description="デモ用の証跡ファイル")


def _evaluate(vendor: Vendor, scenario: str, people: dict, today: date, index: int) -> None:
    """Create the evaluations of one scenario, decided at dates that make its light what it says."""
    buyer, manager, manager2 = people["procurement"], people["manager"], people["manager2"]
    abroad = {"S22": CONFORMING} if vendor.is_abroad else {"S22": NOT_APPLICABLE}
    base = {**abroad, "S13": PARTIAL if index % 3 == 0 else CONFORMING, "S27": CONFORMING}
    comments = {"S26": "登録証の写しを確認", "S12": "年1回の研修記録を確認", "S14": "実地で入退室管理を確認"}
    decided_days_ago = {"approved": 60 + index, "conditional": 90, "expiring": 350, "expired": 400, "reevaluation": 340}

    def run(days_ago: int, decision: str = "approve", overrides=None, exceptions=None, approve=True, conditions=""):
        day = today - timedelta(days=days_ago)
        started_at = _moment(day - timedelta(days=14))
        evaluation = evaluation_services.start_evaluation(vendor, actor=buyer, now=started_at)
        _answer(evaluation, {**base, **(overrides or {})}, comments, exceptions or {}, buyer, started_at)
        if scenario in ("approved", "conditional") and index % 2 == 0:
            _attach(evaluation, "S26", "certificate-copy.txt", f"{vendor.name} 第三者認証 登録証（写し）\n", buyer)
        if decision is None:
            return evaluation
        evaluation_services.submit(
            evaluation,
            decision=decision,
            conditions=conditions,
            note="確認をお願いします。",
            actor=buyer,
            now=_moment(day - timedelta(days=3)),
        )
        if approve:
            approver = manager2 if index % 4 == 0 else manager
            evaluation_services.approve(evaluation, actor=approver, note="確認しました。", today=day, now=_moment(day))
        return evaluation

    if scenario in ("approved", "expiring", "expired"):
        run(decided_days_ago[scenario])
    elif scenario == "conditional":
        run(
            90,
            "conditional",
            {"S10": PARTIAL},
            {"S10": "内部監査を半年以内に実施する旨の誓約書を受領"},
            conditions="6か月以内に内部監査を実施し、結果を報告すること",
        )
    elif scenario == "reevaluation":
        run(decided_days_ago[scenario])
        run(0, None)
    elif scenario == "rejected":
        run(30, "reject", {"S20": NONCONFORMING, "S21": NONCONFORMING, "S09": PARTIAL})
    elif scenario == "draft":
        evaluation = evaluation_services.start_evaluation(vendor, actor=buyer, now=_moment(today - timedelta(days=2)))
        partial = {answer.item_id: {"answer": CONFORMING} for answer in evaluation.answers[:12]}
        evaluation_services.save_answers(evaluation, partial, actor=buyer, now=_moment(today))
    elif scenario == "submitted":
        run(0, "approve", approve=False)
    elif scenario == "submitted_conditional":
        run(
            0,
            "conditional",
            {"S16": PARTIAL},
            {"S16": "追跡可能な配送手段へ切替予定（来月）"},
            approve=False,
            conditions="配送手段の切替完了を報告すること",
        )
    elif scenario == "returned":
        evaluation = run(0, "approve", approve=False)
        evaluation_services.return_evaluation(
            evaluation, actor=manager, note="S18の証跡（アクセス権限一覧）を添付してください。"
        )


def seed_vendors(users: dict, *, today: date) -> list[Vendor]:
    """Create the demo vendors with their contacts, certifications and evaluations; the caller commits."""
    people = {
        "procurement": users["procurement@example.com"],
        "manager": users["manager@example.com"],
        "manager2": users["manager2@example.com"],
        "admin": users["admin@example.com"],
    }
    vendors = []
    for index, spec in enumerate(VENDORS):
        name, kana, base, status, risk, (location, country, site), work, data, subjects, scenario, certs = spec
        vendor = vendor_services.create_vendor(
            {
                "name": name,
                "name_kana": kana,
                "corporate_number": with_check_digit(base) if base else "",
                "address": "東京都千代田区丸の内1-1-1" if location == "domestic" else country,
                "representative": f"代表取締役 {PERSON_NAMES[index % len(PERSON_NAMES)]}",
                "entrusted_work": work,
                "data_scope": data,
                "data_subject_count": subjects or None,
                "handling_location": location,
                "handling_country": country,
                "handling_site": site,
                "risk_tier": risk,
                "is_entrustment": None if status == "candidate" and index % 2 else subjects > 0,
                "entrustment_reason": ""
                if status == "candidate" and index % 2
                else ("個人番号を含むデータを取り扱う" if subjects else "契約上、個人番号を取り扱わない"),
                "owner_id": people["procurement"].id,
                "manager_id": (people["manager2"] if index % 4 == 0 else people["manager"]).id,
            },
            actor=people["procurement"],
        )
        for position, (department, role, phone) in enumerate(CONTACTS[: 1 + index % 3]):
            vendor_services.add_contact(
                vendor,
                {
                    "name": PERSON_NAMES[(index + position + 3) % len(PERSON_NAMES)],
                    "department": department,
                    "role": role,
                    "email": f"contact{position + 1}@vendor{index + 1:02d}.example.jp" if position != 2 else "",
                    "phone": phone,
                },
                actor=people["procurement"],
            )
        for kind, number, months in certs:
            vendor_services.add_certification(
                vendor,
                {
                    "kind": kind,
                    "number": number,
                    "issuer": "一般財団法人日本情報経済社会推進協会" if kind == "pmark" else "審査登録機関（架空）",
                    "expires_on": evaluation_services.add_months(today, months),
                },
                actor=people["procurement"],
            )
        if scenario:
            _evaluate(vendor, scenario, people, today, index)
        _move_to(vendor, status, people["procurement"])
        vendors.append(vendor)
    db.session.flush()
    return vendors
