"""Demo data: contracts in every state, clause review rounds (one with an amendment), and their end.

Built on the demo vendors of ``oversight/demo/vendors.py`` (by position in ``VENDORS``) and walked
through the real services, at dates relative to the load day: a contract with a missing clause, one
returned and resubmitted, a waiver, an amendment round, ended contracts with confirmed
certificates, one awaiting confirmation and one overdue deletion.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from io import BytesIO

from werkzeug.datastructures import FileStorage

from oversight.contracts import review as review_rules
from oversight.contracts import services as contract_services
from oversight.contracts.models import INSUFFICIENT, MISSING, NOT_APPLICABLE, PRESENT, Contract
from oversight.disposals import services as disposal_services
from oversight.vendors.models import Vendor

SCOPE = "給与計算、年末調整、法定調書の作成に係る事務"
DATA = "従業員及び扶養親族の氏名、生年月日、住所、個人番号"
CLAUSE_TEXT = {
    "C01": ("第5条", "乙は、本業務に関して知り得た甲の秘密を第三者に漏えいしてはならない。"),
    "C02": ("第6条第1項", "乙は、本業務の遂行に必要な範囲を超えて特定個人情報を事業所外に持ち出してはならない。"),
    "C03": ("第6条第2項", "乙は、特定個人情報を本業務の目的以外に利用してはならない。"),
    "C04": ("第7条", "乙は、甲の事前の書面による許諾を得た場合を除き、本業務を第三者に再委託してはならない。"),
    "C05": ("第9条", "乙は、漏えい等事案が発生した場合、直ちに甲に報告し、その責任において必要な措置を講ずる。"),
    "C06": ("第11条", "乙は、契約終了後30日以内に特定個人情報を返却又は復元不可能な方法で廃棄する。"),
    "C07": ("第8条", "乙は、従業者に対し必要かつ適切な監督及び教育を行う。"),
    "C08": ("第10条", "甲は、乙に対し本契約の遵守状況について報告を求めることができる。"),
}
CERTIFICATE = {
    "method": "erasure",
    "method_detail": "データ消去ソフトウェアによる上書き消去（3回）",
    "certificate_number": "",
    "data_items": "給与計算データ一式（対象年度分）、源泉徴収票作成用データ",
    "media": "サーバー内蔵HDD、バックアップテープ",
    "media_quantity": 4,
    "responsible_person": "情報システム部長",
    "operator": "データ管理担当",
    "witness": "",
    "location": "委託先データセンター",
    "covers_backups": True,
    "backup_note": "バックアップテープ2本を含む",
    "irrecoverable": True,
    "irrecoverable_statement": "上記データを復元できない状態にしたことを証明します。",
}


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), UTC)


def _text_file(name: str, text: str) -> FileStorage:
    return FileStorage(stream=BytesIO(text.encode("utf-8")), filename=name, content_type="text/plain")


class _Builder:
    """Walks demo contracts through the services as the demo people."""

    def __init__(self, users: dict, today: date) -> None:
        self.buyer = users["procurement@example.com"]
        self.legal = users["legal@example.com"]
        self.manager = users["manager@example.com"]
        self.manager2 = users["manager2@example.com"]
        self.today = today
        self.serial = 0

    def draft(self, vendor: Vendor, *, title: str, start: date, end: date, **values) -> Contract:
        self.serial += 1
        return contract_services.create_contract(
            vendor,
            {
                "number": f"K-{start.year}-{self.serial:03d}",
                "title": title,
                "contract_type": values.pop("contract_type", "basic"),
                "scope": SCOPE,
                "data_scope": DATA,
                "start_on": start,
                "end_on": end,
                "auto_renewal": values.pop("auto_renewal", False),
                "notice_days": values.pop("notice_days", None),
                "incident_notice_hours": 24,
                "end_handling": "delete",
                "disposal_days": 30,
                **values,
            },
            actor=self.buyer,
        )

    def submit(self, contract: Contract, day: date, note: str = "") -> None:
        contract_services.submit_for_review(contract, note=note, actor=self.buyer, now=_moment(day))

    def judge(self, contract: Contract, day: date, **results: str) -> None:
        review = review_rules.latest_round(contract)
        values = {}
        for clause in review.results:
            code = clause.item.code
            result = results.get(code, PRESENT if clause.item.is_required else NOT_APPLICABLE)
            number, quote = CLAUSE_TEXT.get(code, ("", ""))
            values[clause.item_id] = {
                "result": result,
                "clause_number": number if result != MISSING else "",
                "quote": quote if result == PRESENT else "",
                "note": "条文なし" if result == MISSING else "",
            }
        review_rules.save_results(contract, review, values, actor=self.legal, now=_moment(day))

    def clear(self, contract: Contract, day: date) -> None:
        review = review_rules.latest_round(contract)
        review_rules.clear_round(
            contract, review, comment="必須条項を確認しました。", actor=self.legal, now=_moment(day)
        )

    def sign(self, contract: Contract, day: date, kind: str = "signed") -> None:
        contract_services.approve_contract(contract, actor=self.manager, note="", today=day, now=_moment(day))
        contract_services.mark_signed(
            contract,
            _text_file(f"{contract.number}-signed.txt", f"{contract.title}（署名済・デモ）\n"),
            signed_on=day,
            kind=kind,
            actor=self.buyer,
        )

    def signed(self, vendor: Vendor, *, title: str, approved: date, start: date, end: date, **values) -> Contract:
        contract = self.draft(vendor, title=title, start=start, end=end, **values)
        self.submit(contract, approved - timedelta(days=10))
        self.judge(contract, approved - timedelta(days=5))
        self.clear(contract, approved - timedelta(days=5))
        self.sign(contract, approved)
        return contract

    def certify(self, contract: Contract, completed: date, *, confirm: bool) -> None:
        for item in disposal_services.items_of_contract(contract):
            disposal_services.record_certificate(
                item,
                {**CERTIFICATE, "completed_on": completed, "certificate_number": f"DEL-{contract.number}"},
                file_storage=_text_file("deletion-certificate.txt", "削除証明書（デモ）\n"),
                actor=self.buyer,
                now=_moment(completed),
                today=self.today,
            )
            if confirm:
                disposal_services.confirm(
                    item, actor=self.manager, note="証明書の記載事項を確認", now=_moment(completed + timedelta(days=3))
                )


def seed_contracts(users: dict, vendors: list[Vendor], *, today: date) -> None:
    """Create the demo contracts on the demo vendors; the caller commits."""
    if len(vendors) < 22:
        return
    build = _Builder(users, today)
    t = today
    days = timedelta

    # Signed and in force (契約 green), plus an earlier contract replaced and disposed.
    build.signed(
        vendors[0],
        title="給与計算業務委託基本契約",
        approved=t - days(50),
        start=t - days(45),
        end=t + days(320),
        auto_renewal=True,
        notice_days=90,
    )
    replaced = build.signed(
        vendors[0],
        title="給与計算業務 個別契約（試行）",
        approved=t - days(55),
        start=t - days(55),
        end=t + days(100),
        contract_type="individual",
    )
    disposal_services.terminate_contract(
        replaced, ended_on=t - days(46), reason="基本契約への切替のため合意解約", actor=build.manager, today=t
    )
    build.certify(replaced, t - days(30), confirm=True)

    # Signed, then an amendment under legal review (round 2).
    amended = build.signed(
        vendors[1], title="社会保険手続業務委託契約", approved=t - days(80), start=t - days(75), end=t + days(290)
    )
    contract_services.start_change(
        amended, kind="amendment", note="再委託先（電子申請代行）の追加に伴う覚書", actor=build.buyer
    )
    build.submit(amended, t - days(3), note="第7条（再委託）を改訂しました。")

    # Ending within 90 days (amber), and two more in force.
    build.signed(
        vendors[2], title="税務申告補助業務委託契約", approved=t - days(300), start=t - days(295), end=t + days(45)
    )
    build.signed(
        vendors[3],
        title="マイナンバー収集代行業務委託契約",
        approved=t - days(380),
        start=t - days(375),
        end=t + days(360),
        contract_type="individual",
    )
    build.signed(
        vendors[12], title="年末調整業務委託契約", approved=t - days(330), start=t - days(325), end=t + days(200)
    )

    # Approved, waiting for the signature.
    approved = build.draft(vendors[4], title="法定調書作成業務委託契約", start=t + days(10), end=t + days(375))
    build.submit(approved, t - days(6))
    build.judge(approved, t - days(4), C18=PRESENT)
    build.clear(approved, t - days(4))
    contract_services.approve_contract(approved, actor=build.manager, note="", today=t, now=_moment(t - days(1)))

    # Drafts.
    build.draft(vendors[5], title="扶養控除申告書回収業務委託契約（案）", start=t + days(30), end=t + days(395))
    build.draft(
        vendors[13],
        title="住民税特別徴収事務委託契約（案）",
        start=t + days(60),
        end=t + days(425),
        contract_type="pledge",
    )

    # Under review with a missing required clause (契約 red).
    missing = build.draft(vendors[7], title="人事データ入力業務委託契約", start=t + days(20), end=t + days(385))
    build.submit(missing, t - days(2), note="先方ひな形のまま提出します。")
    build.judge(missing, t - days(1), C05=MISSING, C08=INSUFFICIENT)

    # Returned (差戻し) and waiting for procurement.
    returned = build.draft(vendors[6], title="給与明細電子化業務委託契約", start=t + days(30), end=t + days(395))
    build.submit(returned, t - days(9))
    build.judge(returned, t - days(7), C02=MISSING)
    review_rules.return_round(
        returned,
        review_rules.latest_round(returned),
        comment="C02（持ち出し禁止）の条項を追加してください。",
        actor=build.legal,
        now=_moment(t - days(7)),
    )

    # Returned once, resubmitted: round 2 waits for legal (the page shows what changed).
    resubmitted = build.draft(vendors[20], title="源泉徴収票発行業務委託契約", start=t + days(15), end=t + days(380))
    build.submit(resubmitted, t - days(12))
    build.judge(resubmitted, t - days(10), C03=INSUFFICIENT, C05=MISSING)
    review_rules.return_round(
        resubmitted,
        review_rules.latest_round(resubmitted),
        comment="C03 は目的外利用の禁止が不明確です。C05 の責任条項がありません。",
        actor=build.legal,
        now=_moment(t - days(10)),
    )
    build.submit(resubmitted, t - days(2), note="C03・C05 を修正しました。")

    # A waiver approved by a manager, cleared by legal, waiting for the manager's approval for longer than
    # the set business days (the approval-wait reminder).
    waived = build.draft(vendors[21], title="健康保険証発行手続業務委託契約", start=t + days(20), end=t + days(385))
    build.submit(waived, t - days(12))
    build.judge(waived, t - days(10), C08=INSUFFICIENT)
    review = review_rules.latest_round(waived)
    clause = next(result for result in review.results if result.item.code == "C08")
    review_rules.save_results(
        waived,
        review,
        {
            clause.item_id: {
                "result": INSUFFICIENT,
                "clause_number": "第10条",
                "quote": "",
                "waiver_reason": "別途、年1回の定期報告を誓約書で受領済み",
            }
        },
        actor=build.legal,
        now=_moment(t - days(10)),
    )
    review_rules.approve_waiver(waived, clause, actor=build.manager2, now=_moment(t - days(10)))
    build.clear(waived, t - days(9))

    # Ended: one overdue deletion, one certificate awaiting confirmation, one disposed long ago.
    build.signed(
        vendors[10], title="退職者データ管理業務委託契約", approved=t - days(65), start=t - days(60), end=t - days(45)
    )
    awaiting = build.signed(
        vendors[16], title="年金事務手続補助業務委託契約", approved=t - days(70), start=t - days(65), end=t - days(25)
    )
    done = build.signed(
        vendors[11],
        title="旧給与システム運用業務委託契約",
        approved=t - days(395),
        start=t - days(390),
        end=t - days(120),
    )
    disposal_services.close_ended_contracts(t)
    build.certify(awaiting, t - days(2), confirm=False)
    build.certify(done, t - days(100), confirm=True)
