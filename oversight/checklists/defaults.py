# ruff: noqa: E501 - a data table: one item per call reads better than wrapped Japanese text
"""The shipped checklists, transcribed from ``shared/domain/guideline-reference.md``.

§2.2 selection S01–S30, §3 contract clauses C01–C19, §4.3 audit A01–A20, §6.3 deletion
certificate fields. Source tags: [GL] PPC 特定個人情報ガイドライン（事業者編, 令和7年6月一部改正),
[ACT] 番号法, [RULE] PPC 規則, [QA…] PPC FAQ; "(secondary)" marks a non-PPC source.

Changing anything here changes the content digest, and ``flask checklists sync`` then adds a new
version of that template; the published versions stay as they were.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace

from oversight.checklists.models import (
    AUDIT,
    CONTRACT,
    DELETION_CERTIFICATE,
    DESIRABLE,
    OPTIONAL,
    PRACTICE,
    RECOMMENDED,
    REQUIRED,
    SELECTION,
    SUPPORTED,
)


@dataclass(frozen=True)
class ItemData:
    code: str
    category_ja: str
    category_en: str
    text_ja: str
    text_en: str
    is_required: bool
    requirement_level: str
    requirement_note: str
    source_reference: str
    guidance_ja: str = ""
    guidance_en: str = ""
    # The vendor answers the item itself in the portal's selection questionnaire.
    vendor_answerable: bool = False


@dataclass(frozen=True)
class TemplateData:
    kind: str
    name_ja: str
    name_en: str
    note: str
    items: tuple[ItemData, ...]

    def digest(self) -> str:
        """SHA-256 of the content: a changed digest means the shipped checklist was revised."""
        content = asdict(self)
        for item in content["items"]:  # the flag counts only where set, so checklists without it keep their digest
            if not item["vendor_answerable"]:
                del item["vendor_answerable"]
        payload = json.dumps(content, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# Category names: [GL] 別添1 2A–2G (safeguard_category) plus the selection check items of 第4-2-⑴ 1B.
BASIC = ("基本方針", "Basic policy")
RULES = ("取扱規程", "Handling rules")
ORG = ("組織的", "Organisational measures")
HUMAN = ("人的", "Human measures")
PHYSICAL = ("物理的", "Physical measures")
TECHNICAL = ("技術的", "Technical measures")
EXTERNAL = ("外的環境", "External environment")
FACILITIES = ("設備・技術水準", "Facilities and technical competence")
BUSINESS = ("経営環境", "Business environment")
OTHER = ("その他", "Other")
SCOPE = ("範囲", "Scope")


def _item(code, category, text_ja, text_en, level, note, source, guidance_ja="", guidance_en="", required=None):
    return ItemData(
        code=code,
        category_ja=category[0],
        category_en=category[1],
        text_ja=text_ja,
        text_en=text_en,
        is_required=(level == REQUIRED) if required is None else required,
        requirement_level=level,
        requirement_note=note,
        source_reference=source,
        guidance_ja=guidance_ja,
        guidance_en=guidance_en,
    )


SELECTION_ITEMS = (
    _item("S01", BASIC, "特定個人情報等の適正な取扱いに関する基本方針を策定しているか",
          "Has a basic policy on handling specific personal info (company name, legal compliance, safeguards, "
          "contact point for questions and complaints)",
          RECOMMENDED, "REC", "[GL] 別添1 1D, 2A (「重要である」, 手法の例示)",
          "事業者の名称、関係法令・ガイドライン等の遵守、安全管理措置に関する事項、質問及び苦情処理の窓口が定められているか確認する。",
          "Check that it names the company, commits to the law and guidelines, covers safeguards and gives a "
          "contact point for questions and complaints."),
    _item("S02", RULES, "取扱規程等を策定しているか（取得・利用・保存・提供・削除廃棄の各段階）",
          "Has handling rules covering each stage: acquisition, use, storage, provision, deletion",
          REQUIRED, "REQ", "[GL] 別添1 1E, 2B",
          "規程の写しを入手し、各段階の取扱方法・責任者・事務取扱担当者が定められているか確認する。",
          "Obtain a copy; check that each stage names the method, the responsible person and the staff."),
    _item("S03", RULES, "個人番号を取り扱う事務の範囲を明確化しているか",
          "Defines which tasks may use 個人番号",
          REQUIRED, "REQ", "[GL] 別添1 1A",
          "委託する事務（事務の範囲）と一致しているか確認する。",
          "Compare it with the work being entrusted."),
    _item("S04", RULES, "特定個人情報等の範囲を明確化しているか",
          "Defines which data items (個人番号 and linked name, birth date, etc.) are in scope",
          REQUIRED, "REQ", "[GL] 別添1 1B",
          "個人番号と関連付けて管理される氏名・生年月日等の項目が特定されているか確認する。",
          "Check that the items linked to the number (name, birth date, etc.) are listed."),
    _item("S05", ORG, "事務取扱担当者を明確化しているか（名簿）",
          "Has a named roster of the staff who handle the data",
          REQUIRED, "REQ", "[GL] 別添1 1C",
          "担当者名簿の有無と更新手順を確認する。名簿そのものに個人番号を記載していないこと。",
          "Check that a roster exists and how it is kept current. The roster must not contain My Numbers."),
    _item("S06", ORG, "責任者の設置、役割・報告連絡体制の整備",
          "Has a responsible manager, defined roles, and an escalation path for rule violations",
          REQUIRED, "REQ (the listed sub-items are examples)", "[GL] 別添1 2Ca",
          "責任者、担当者の役割、規程違反や漏えい等の兆候を把握した場合の報告連絡体制を確認する。",
          "Check the responsible manager, the staff roles and how rule violations or signs of a leak are escalated."),
    _item("S07", ORG, "取扱規程に基づく運用と利用・出力・持出し・削除廃棄の記録",
          "Operates under the rules and logs use, output, media transport and deletion",
          REQUIRED, "REQ", "[GL] 別添1 2Cb",
          "利用実績、出力・持出し、削除・廃棄の記録の見本を確認する。",
          "Look at sample records of use, output, transport and deletion."),
    _item("S08", ORG, "取扱状況を確認する手段（台帳）の整備。記録に特定個人情報を記載しない",
          "Keeps a register of files (type, name, owner, department, purpose, deletion status, who has access) "
          "with no My Numbers in the register",
          REQUIRED, "REQ", "[GL] 別添1 2Cc",
          "台帳の項目（種類・名称、責任者・取扱部署、利用目的、削除・廃棄状況、アクセス権者）を確認する。",
          "Check the register's columns (type and name, owner and department, purpose, deletion status, "
          "who has access)."),
    _item("S09", ORG, "漏えい等事案に対応する体制（報告連絡、PPC報告、本人通知、公表）",
          "Has an incident response setup: internal escalation, PPC reporting, notice to individuals, publication",
          REQUIRED, "REQ", "[GL] 別添1 2Cd; 別添2",
          "委託元への通知（概ね3〜5日以内）を含む対応手順があるか確認する。",
          "Check that the procedure includes notifying the principal (guide: within about 3–5 days)."),
    _item("S10", ORG, "取扱状況の定期点検・内部監査と見直し",
          "Runs periodic self-checks or internal audits and improves its measures",
          REQUIRED, "REQ (audit method is an example)", "[GL] 別添1 2Ce",
          "直近の点検・監査の実施記録と是正状況を確認する。",
          "Look at the latest self-check or audit record and how findings were fixed."),
    _item("S11", HUMAN, "事務取扱担当者の監督",
          "Supervises the staff who handle the data",
          REQUIRED, "REQ", "[GL] 別添1 2Da",
          "従業者には従業員のほか取締役、監査役、派遣社員等を含む（第4-2-⑴ 注1）。",
          "Staff includes employees, directors, auditors and agency workers ([GL] 第4-2-⑴ note 1)."),
    _item("S12", HUMAN, "事務取扱担当者への教育（定期的な研修）",
          "Trains the staff who handle the data (regular training)",
          REQUIRED, "REQ (periodic training is an example)", "[GL] 別添1 2Db",
          "研修の実施記録（対象者、日付、内容）を確認する。",
          "Look at training records: who, when, what."),
    _item("S13", HUMAN, "秘密保持に関する事項の就業規則等への規定・誓約",
          "Confidentiality is written into work rules or pledges",
          RECOMMENDED, "REC", "[GL] 別添1 2Db 手法の例示",
          "就業規則の該当条項または誓約書の様式を確認する。",
          "Look at the work-rule article or the pledge form."),
    _item("S14", PHYSICAL, "管理区域・取扱区域の明確化、入退室管理、持込機器制限、のぞき見防止",
          "Controlled areas defined; entry control (IC card etc.); limits on devices brought in; screening "
          "against shoulder-surfing",
          REQUIRED, "REQ (methods are examples)", "[GL] 別添1 2Ea",
          "実地確認または写真・図面で確認する。",
          "Check on site, or from photos and floor plans."),
    _item("S15", PHYSICAL, "機器・電子媒体・書類の盗難・紛失防止（施錠保管、セキュリティワイヤー）",
          "Theft and loss prevention: locked cabinets, cable locks",
          REQUIRED, "REQ", "[GL] 別添1 2Eb"),
    _item("S16", PHYSICAL, "持ち運び時の漏えい防止（暗号化、パスワード、施錠搬送容器、封緘、追跡可能な移送手段）",
          "Safe transport of media and paper: encryption, sealed envelopes, trackable delivery",
          REQUIRED, "REQ", "[GL] 別添1 2Ec"),
    _item("S17", PHYSICAL, "個人番号の削除、機器・電子媒体等の廃棄（復元不可能な手段、記録の保存、委託時は証明書）",
          "Irrecoverable deletion and disposal, deletion records, certificates when disposal is outsourced",
          REQUIRED, "REQ", "[GL] 別添1 2Ed",
          "削除・廃棄の方法と記録、廃棄を外部に委託する場合の証明書の入手方法を確認する。",
          "Check the method, the records, and how certificates are obtained when disposal is outsourced."),
    _item("S18", TECHNICAL, "アクセス制御（端末・ファイル・ユーザIDの限定）",
          "Access control: restricted terminals, files and user IDs",
          REQUIRED, "REQ", "[GL] 別添1 2Fa"),
    _item("S19", TECHNICAL, "アクセス者の識別と認証",
          "Identification and authentication of users",
          REQUIRED, "REQ", "[GL] 別添1 2Fb"),
    _item("S20", TECHNICAL, "外部からの不正アクセス等の防止（FW、ウイルス対策、自動更新、ログ分析）",
          "Protection from intrusion and malware: firewall, AV, patching, periodic log analysis",
          REQUIRED, "REQ", "[GL] 別添1 2Fc"),
    _item("S21", TECHNICAL, "通信経路の暗号化、保存データの暗号化・パスワード保護",
          "Encryption in transit (and at rest, given as an example)",
          REQUIRED, "REQ (in transit); REC (at rest)", "[GL] 別添1 2Fd",
          "通信経路の暗号化は必須。保存データの暗号化は手法の例示。",
          "Encryption in transit is required; encryption at rest is an example measure."),
    _item("S22", EXTERNAL, "外国で取り扱う場合、当該国の制度の把握と措置",
          "If data is handled abroad: assessment of that country's regime and matching measures",
          REQUIRED, "REQ (if applicable)", "[GL] 別添1 2G",
          "国内のみで取り扱う場合は「該当なし」とする。クラウドの保存場所も確認する。",
          "Answer n.a. when all handling is in Japan. Check where cloud data is stored."),
    _item("S23", FACILITIES, "委託業務に必要な設備・システム・技術水準",
          "Facilities, systems and technical competence fit the entrusted work",
          REQUIRED, "REQ (check item)", "[GL] 第4-2-⑴ 1B"),
    _item("S24", BUSINESS, "経営環境（財務健全性、事業継続性、反社会的勢力との関係等）",
          "Business environment: financial soundness, continuity, no ties to organized crime",
          REQUIRED, "REQ (check item; sub-items are PRAC)",
          "[GL] 第4-2-⑴ 1B; sub-items: sites.google.com/japan-press.jp/lppolicy (secondary)"),
    _item("S25", BUSINESS, "中小規模事業者の特例に依拠していないこと",
          "Does not rely on the SME simplified measures (contractors are excluded from them)",
          REQUIRED, "REQ", "[GL] 別添1 2 (注)",
          "委託を受けて個人番号関係事務等を行う事業者は中小規模事業者の特例を使えない。",
          "A business doing My Number work on behalf of others cannot use the SME special measures."),
    _item("S26", OTHER, "第三者認証（プライバシーマーク、ISMS等）の取得状況",
          "Third-party certifications (P-mark, ISMS / ISO 27001)",
          PRACTICE, "PRAC", "nmk.or.jp/guide_6.html; lawinsider examples (secondary)",
          "認証の範囲と有効期限を確認し、証明書の写しを証跡として添付する。",
          "Check the scope and expiry date; attach a copy of the certificate as evidence."),
    _item("S27", OTHER, "過去の漏えい等事故の有無と再発防止策",
          "Past incidents and their remediation",
          PRACTICE, "PRAC", "nmk.or.jp/guide_6.html (secondary)"),
    _item("S28", OTHER, "再委託の予定・再委託先の管理方針",
          "Planned subcontracting and how subcontractors are managed",
          PRACTICE, "PRAC, but needed for [ACT] 第10条 consent", "[ACT] 第10条; [QA3-9]",
          "再委託には委託者の許諾が必要（番号法第10条）。予定がある場合は再委託先も特定する。",
          "Subcontracting needs the principal's consent ([ACT] art. 10); identify any planned subcontractor."),
    _item("S29", OTHER, "契約で求める事項（§3の必須条項）に対応可能か",
          "Able to accept the mandatory contract clauses in §3",
          PRACTICE, "PRAC", "JIS Q 15001:2023 J.9.4 per support.secure-navi.jp (secondary)",
          "契約条項チェックリストの必須条項 C01〜C08 を受け入れられるか確認する。",
          "Check that the vendor can accept the mandatory clauses C01–C08 of the contract checklist."),
    _item("S30", SCOPE, "番号法上の「委託」に該当するかの判定（クラウド・保守）",
          "Decide whether the vendor is a 委託先 at all (§1.1)",
          REQUIRED, "REQ as a scoping step", "[QA3-14]; Q&A 3-12 (secondary)",
          "契約上、委託先が個人番号を含むデータを取り扱わず、アクセス制御がされている保守・クラウドは委託に該当しない。",
          "Maintenance or cloud services whose contract says the vendor does not handle the data, with access "
          "properly controlled, are not 委託."),
)

MANDATORY = ("必須条項", "Mandatory clauses")
DESIRABLE_CLAUSES = ("望ましい条項", "Desirable clauses")
FURTHER = ("追加条項", "Further clauses")
GL_1B = "[GL] 第4-2-⑴ 1B"

CONTRACT_ITEMS = (
    _item("C01", MANDATORY, "秘密保持義務", "Confidentiality obligation", REQUIRED, "REQ", GL_1B),
    _item("C02", MANDATORY, "委託する業務の遂行に必要な範囲を超える事業所内からの特定個人情報の持ち出しの禁止",
          "No removal of the data from the premises beyond what the entrusted work needs",
          REQUIRED, "REQ", GL_1B),
    _item("C03", MANDATORY, "特定個人情報の目的外利用の禁止", "No use outside the entrusted purpose",
          REQUIRED, "REQ", GL_1B),
    _item("C04", MANDATORY, "再委託における条件", "Conditions for re-subcontracting",
          REQUIRED, "REQ", f"{GL_1B}; [ACT] 第10条",
          "再委託は委託者の許諾を得た場合に限る。再々委託以降も最初の委託者の許諾が必要。",
          "Subcontracting only with the principal's consent; every further level needs the original "
          "principal's consent too."),
    _item("C05", MANDATORY, "漏えい等事案が発生した場合の委託先の責任", "Contractor's liability when a leak etc. occurs",
          REQUIRED, "REQ", GL_1B),
    _item("C06", MANDATORY, "委託契約終了後の特定個人情報の返却又は廃棄", "Return or disposal of the data at contract end",
          REQUIRED, "REQ", GL_1B,
          "返却・廃棄の期限と方法、証明書の提出を定めているか確認する。",
          "Check that the deadline, the method and the certificate are specified."),
    _item("C07", MANDATORY, "従業者に対する監督・教育", "Supervision and training of the contractor's staff",
          REQUIRED, "REQ", GL_1B),
    _item("C08", MANDATORY, "契約内容の遵守状況について報告を求める規定", "Right to demand reports on compliance",
          REQUIRED, "REQ", GL_1B),
    _item("C09", DESIRABLE_CLAUSES, "特定個人情報を取り扱う従業者の明確化", "Named staff who handle the data",
          DESIRABLE, "REC", GL_1B),
    _item("C10", DESIRABLE_CLAUSES, "委託者が委託先に対して実地の調査を行うことができる規定（デジタル技術による方法も可）",
          "Right to on-site inspection (remote or digital methods allowed if effective)",
          DESIRABLE, "REC", f"{GL_1B}, 注2"),
    _item("C11", FURTHER, "削除・廃棄を委託する場合、委託先が確実に削除又は廃棄したことを証明書等により確認",
          "Deletion or disposal certificate from the contractor",
          SUPPORTED, "REQ when deletion is done by the contractor", "[GL] 別添1 2Ed"),
    _item("C12", FURTHER, "漏えい等（報告対象事態）を知った後、速やかに（概ね3〜5日以内）委託元へ規則第3条第1項各号の事項を通知",
          "Contractor notifies the principal promptly (guide: about 3–5 days) with the 9 report items",
          SUPPORTED, "Statutory route ([ACT] 第29条の4第1項ただし書). DESIGN: set a shorter contractual SLA "
          "(e.g. first notice within 24 h), since the principal's own clock starts on receipt",
          "[RULE] 第4条; [GL] 別添2 3F",
          "委託元の報告期限は通知受領時から進行するため、契約上はより短い通知期限（例：第一報24時間以内）を定めるとよい。",
          "The principal's own clock starts when the notice arrives, so agree a shorter contractual deadline "
          "(for example a first notice within 24 hours)."),
    _item("C13", FURTHER, "報告対象事態に該当しない事案も委託元と連携し報告に努める",
          "Cooperate on voluntary reports of minor incidents",
          SUPPORTED, "REC (努める)", "[GL] 別添2 3B, 3C (※)"),
    _item("C14", FURTHER, "委託先・再委託先間契約に再委託の条件・委託先への通知義務を定めること（フローダウン）",
          "Flow-down: the contractor's subcontracts must contain subcontracting conditions and a duty to notify "
          "the contractor",
          SUPPORTED, "REC", "[GL] 第4-2-⑴ 2B ＊"),
    _item("C15", FURTHER, "事前許諾方式の場合：再委託実施時の報告と再委託状況の定期報告",
          "If consent is given in advance: report when subcontracting actually starts, plus periodic reports",
          SUPPORTED, "Condition for advance consent to be valid", "[QA3-9]"),
    _item("C16", FURTHER, "再委託時に再委託先へ「最初の委託者の許諾を得ている」旨を伝えること",
          "Contractor must tell the subcontractor that the original principal has consented",
          SUPPORTED, "REC", "[QA3-8-2]"),
    _item("C17", FURTHER, "委託業務・取り扱う特定個人情報の範囲の特定",
          "Define the entrusted tasks and the data in scope",
          SUPPORTED, "REQ for the contractor's own measures; PRAC in the contract",
          "[GL] 別添1 1A/1B; itpro.nikkeibp (secondary)"),
    _item("C18", FURTHER, "外国での取扱いの有無・事前承諾", "Handling abroad only with prior approval",
          SUPPORTED, "PRAC ([GL] 別添1 2G applies when data is handled abroad)",
          "[GL] 別添1 2G; cyberlawissues.hatenablog.com (secondary)"),
    _item("C19", FURTHER, "廃棄・消去時の立会い、証明書記載事項の指定",
          "Principal may witness disposal; the certificate contents are specified",
          SUPPORTED, "PRAC", "clooklaw.com clause 13627 (secondary)"),
)

CONTRACT_CAT = ("契約", "Contract")
USE = ("利用制限", "Limits on use")
DELETION = ("削除・廃棄", "Deletion and disposal")
SUBCONTRACT = ("再委託", "Subcontracting")
INCIDENT = ("事故対応", "Incidents")
REVIEW = ("外的環境/見直し", "External environment and review")

AUDIT_ITEMS = (
    _item("A01", CONTRACT_CAT, "委託契約（必須8条項）が有効で、法令・GL改正を反映しているか",
          "Contract in force, holds the 8 mandatory clauses, updated for legal changes",
          REQUIRED, "REQ (clauses) / PRAC (update)", GL_1B),
    _item("A02", USE, "委託範囲外の利用・目的外利用がないか、必要範囲を超えた特定個人情報ファイルを作成していないか",
          "No use beyond the entrusted scope; no files beyond what is needed",
          REQUIRED, "REQ", "[ACT] 第9条, 第29条; [GL] 第4-1-⑵"),
    _item("A03", ORG, "事務取扱担当者名簿が最新か", "Staff roster is current", REQUIRED, "REQ", "[GL] 別添1 1C"),
    _item("A04", ORG, "責任者・報告連絡体制が機能しているか", "Responsible manager and escalation path are working",
          REQUIRED, "REQ", "[GL] 別添1 2Ca"),
    _item("A05", ORG, "取扱規程が整備・運用されているか", "Handling rules exist and are followed",
          REQUIRED, "REQ", "[GL] 別添1 2B, 2Cb"),
    _item("A06", ORG, "特定個人情報ファイル台帳（種類・名称、責任者・取扱部署、利用目的、削除・廃棄状況、アクセス権者）。"
          "台帳に番号を記載していないか",
          "File register is complete and contains no My Numbers",
          REQUIRED, "REQ", "[GL] 別添1 2Cc"),
    _item("A07", ORG, "利用・出力状況の記録", "Use and output logs exist", REQUIRED, "REQ", "[GL] 別添1 2Cb"),
    _item("A08", HUMAN, "教育・研修の実施記録", "Training records (who, when, content)",
          REQUIRED, "REQ", "[GL] 別添1 2Db"),
    _item("A09", HUMAN, "秘密保持誓約・就業規則", "Confidentiality pledges or work rules",
          RECOMMENDED, "REC", "[GL] 別添1 2Db"),
    _item("A10", PHYSICAL, "管理区域の入退室管理記録・持込機器制限・のぞき見防止",
          "Entry logs, device restrictions, screening", REQUIRED, "REQ", "[GL] 別添1 2Ea"),
    _item("A11", PHYSICAL, "施錠保管・機器固定の状況", "Locked storage and fixed equipment",
          REQUIRED, "REQ", "[GL] 別添1 2Eb"),
    _item("A12", PHYSICAL, "持ち運び（持出し）の記録と方法（暗号化・封緘・追跡可能手段）、事業所外持出し禁止の遵守",
          "Transport logs and methods; no unauthorized removal",
          REQUIRED, "REQ", "[GL] 別添1 2Cb, 2Ec; clause C02"),
    _item("A13", TECHNICAL, "アクセス権限の付与・棚卸、識別・認証方式",
          "Access rights limited to the roster; reviewed; authentication in place",
          REQUIRED, "REQ", "[GL] 別添1 2Fa, 2Fb"),
    _item("A14", TECHNICAL, "ログイン実績・アクセスログの取得と定期分析", "Access logs kept and analyzed periodically",
          REQUIRED, "REQ (logs) / REC (analysis)", "[GL] 別添1 2Cb, 2Fc"),
    _item("A15", TECHNICAL, "FW・ウイルス対策・更新適用", "Firewall, anti-malware, patches",
          REQUIRED, "REQ", "[GL] 別添1 2Fc"),
    _item("A16", TECHNICAL, "通信経路及び保存データの暗号化", "Encryption in transit and at rest",
          REQUIRED, "REQ / REC", "[GL] 別添1 2Fd",
          "通信経路の暗号化は必須、保存データの暗号化は手法の例示。",
          "Encryption in transit is required; at rest it is an example measure."),
    _item("A17", DELETION, "不要となった・保存期間経過の個人番号の削除・廃棄状況、削除・廃棄記録、委託時の証明書",
          "Timely deletion; deletion records; certificates",
          REQUIRED, "REQ", "[GL] 第4-3-⑶B; 別添1 2Ed"),
    _item("A18", SUBCONTRACT, "再委託の有無、許諾記録、再委託先の選定・契約・監督状況",
          "Subcontracting: consents on file, and supervision of each level",
          REQUIRED, "REQ", "[ACT] 第10条, 第11条; [GL] 第4-2-⑴ 2"),
    _item("A19", INCIDENT, "漏えい等事案・おそれ事案の発生・対応・報告状況（PPC報告・委託元通知・本人通知）",
          "Incidents, near misses, and how they were reported",
          REQUIRED, "REQ", "[GL] 別添1 2Cd; 別添2"),
    _item("A20", REVIEW, "外国での取扱いの有無と制度把握、自己点検・内部監査の実施と是正",
          "Handling abroad checked; self-audit done and findings fixed",
          REQUIRED, "REQ", "[GL] 別添1 2G, 2Ce"),
)

CERTIFICATE = ("証明書記載事項", "Certificate contents")
DESIGN_FIELDS = ("追加項目", "Additional fields")
CLOOKLAW = "clooklaw.com clause 13627 (secondary)"
CERT_NOTE = "PRAC; the certificate itself is REQ ([GL] 別添1 2Ed)"

DELETION_CERTIFICATE_ITEMS = (
    _item("D01", CERTIFICATE, "情報項目（対象のデータ・ファイル。個人番号は記載しない）",
          "Data items: which data or files (no My Numbers)",
          PRACTICE, CERT_NOTE, f"{CLOOKLAW}; [GL] 別添1 2Cc", required=True),
    _item("D02", CERTIFICATE, "媒体名・数量（媒体の種類、数量、シリアル番号）", "Media type, count and serial numbers",
          PRACTICE, CERT_NOTE, CLOOKLAW, required=True),
    _item("D03", CERTIFICATE, "廃棄又は消去の方法（物理的破壊、消去ソフトウェア、溶解等）",
          "Method of disposal or erasure (physical destruction, erasure software, dissolving…)",
          PRACTICE, CERT_NOTE, f"{CLOOKLAW}; [GL] 別添1 2Ed", required=True),
    _item("D04", CERTIFICATE, "責任者・作業者", "Responsible person and operator",
          PRACTICE, CERT_NOTE, f"{CLOOKLAW}; attacksfp.com/?p=599 (secondary)", required=True),
    _item("D05", CERTIFICATE, "廃棄又は消去の年月日", "Date of disposal or erasure",
          PRACTICE, CERT_NOTE, f"{CLOOKLAW}; proof-ninja/EmployeeHandbook 022 (secondary)", required=True),
    _item("D06", CERTIFICATE, "復元できない状態になった旨の証明", "Statement that the data cannot be recovered",
          PRACTICE, CERT_NOTE, "proof-ninja/EmployeeHandbook 022 (secondary); [GL] 別添1 2Ed 「復元不可能な手段」",
          required=True),
    _item("D07", CERTIFICATE, "立会い（委託者が求めた場合）", "Witness (if the principal asked for one)",
          PRACTICE, "PRAC (if requested)", CLOOKLAW),
    _item("D08", DESIGN_FIELDS, "証明書番号", "Certificate number", OPTIONAL, "DESIGN", "guideline-reference §6.3 DESIGN"),
    _item("D09", DESIGN_FIELDS, "対象の委託契約", "Contract reference", OPTIONAL, "DESIGN", "guideline-reference §6.3 DESIGN"),
    _item("D10", DESIGN_FIELDS, "委託者", "Principal", OPTIONAL, "DESIGN", "guideline-reference §6.3 DESIGN"),
    _item("D11", DESIGN_FIELDS, "発行者（委託先。再委託先分を含む）", "Issuing contractor (and subcontractor portions)",
          OPTIONAL, "DESIGN", "guideline-reference §6.3 DESIGN"),
    _item("D12", DESIGN_FIELDS, "作業場所", "Location", OPTIONAL, "DESIGN", "guideline-reference §6.3 DESIGN"),
    _item("D13", DESIGN_FIELDS, "対象範囲（バックアップ・ログ・複製を含むか）", "Coverage of backups, logs and replicas",
          OPTIONAL, "DESIGN", "guideline-reference §6.3 DESIGN; §6.2"),
    _item("D14", DESIGN_FIELDS, "添付資料（消去ツールのレポート、写真）", "Attachments (erasure-tool report, photos)",
          OPTIONAL, "DESIGN", "guideline-reference §6.3 DESIGN"),
    _item("D15", DESIGN_FIELDS, "署名又は電子署名", "Signature or e-signature",
          OPTIONAL, "DESIGN", "guideline-reference §6.3 DESIGN"),
)

# The selection items a vendor answers for itself in the portal's questionnaire: all but the principal's own
# judgements (S23 facilities fit for the entrusted work, S24 business environment, S30 whether it is 委託 at all).
STAFF_ONLY_SELECTION = frozenset({"S23", "S24", "S30"})
SELECTION_ITEMS = tuple(
    replace(item, vendor_answerable=item.code not in STAFF_ONLY_SELECTION) for item in SELECTION_ITEMS
)

SHIPPED_TEMPLATES: dict[str, TemplateData] = {
    SELECTION: TemplateData(
        SELECTION, "委託先選定評価チェックリスト", "Vendor selection checklist",
        "[GL] 第4-2-⑴ 1B, 別添1 (guideline-reference §2.2)", SELECTION_ITEMS,
    ),
    CONTRACT: TemplateData(
        CONTRACT, "委託契約条項チェックリスト", "Contract clause checklist",
        "[GL] 第4-2-⑴ 1B (guideline-reference §3): C01–C08 必須, C09–C10 望ましい, C11–C19 PPC資料に基づく追加条項",
        CONTRACT_ITEMS,
    ),
    AUDIT: TemplateData(
        AUDIT, "取扱状況の把握（監査）チェックリスト", "Audit / periodic report checklist",
        "[GL] 第4-2-⑴ 1B; [TSU] 3-4-4 (guideline-reference §4.3)", AUDIT_ITEMS,
    ),
    DELETION_CERTIFICATE: TemplateData(
        DELETION_CERTIFICATE, "削除・廃棄証明書の記載事項", "Deletion certificate fields",
        "[GL] 別添1 2Ed (guideline-reference §6.3)", DELETION_CERTIFICATE_ITEMS,
    ),
}
