"""The words on the pages, in Chinese and English side by side.

Codes from the data (programmes, levels, statuses, event types) become bilingual labels here;
a code this module does not know yet is shown as it is rather than hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

from greenreg.events.places import NATIONAL
from greenreg.web.words import jurisdiction_name


@dataclass(frozen=True)
class Label:
    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} {self.en}"


def _label(table: dict[str, Label], code: str) -> Label:
    return table.get(code, Label(code, ""))


PROGRAMMES = {
    "green_factory": Label("绿色工厂", "Green factory"),
    "green_park": Label("绿色工业园区", "Green industrial park"),
    "green_supply_chain": Label("绿色供应链管理企业", "Green supply-chain enterprise"),
    "zj_low_carbon_park": Label("浙江省绿色低碳工业园区", "Zhejiang green low-carbon park"),
    "eco_park": Label("生态工业园区", "Eco-industrial park"),
}

LEVELS = {
    "national": Label("国家级", "National"),
    "provincial": Label("省级", "Provincial"),
    "municipal": Label("市级", "Municipal"),
    "county": Label("县级", "County"),
}

STATUSES = {
    "certified": Label("有效", "Listed"),
    "listed": Label("有效", "Listed"),
    "warned": Label("警示整改中（不得使用称号）", "Warned: the title may not be used"),
    "suspended": Label("暂停使用称号（整改中）", "Suspended: the title may not be used"),
    "removed": Label("已撤销", "Removed"),
    "superseded": Label("因重组终止", "Superseded"),
    "in_creation": Label("创建中", "In creation"),
    "banned": Label("禁止申报", "Banned"),
}

KINDS = {
    "park": Label("园区", "Park"),
    "enterprise": Label("企业", "Enterprise"),
}

EVENTS = {
    "UnitRegistered": Label("登记", "Registered"),
    "Designated": Label("认定", "Designated"),
    "Named": Label("命名", "Named"),
    "CreationApproved": Label("同意创建", "Creation approved"),
    "CreationExtended": Label("延长创建期", "Creation extended"),
    "CreationStopped": Label("停止创建", "Creation stopped"),
    "IncidentRecorded": Label("重大事故/事件", "Major incident"),
    "Renamed": Label("更名", "Renamed"),
    "Reorganised": Label("重组", "Reorganised"),
    "ReportFiled": Label("提交报告", "Report filed"),
    "Warned": Label("警示", "Warned"),
    "WarningLifted": Label("解除警示", "Warning lifted"),
    "Removed": Label("撤销", "Removed"),
    "ApplicationDisqualified": Label("取消申报资格", "Application disqualified"),
    "Corrected": Label("更正", "Corrected"),
    "IdentifierAttached": Label("登记信用代码", "Credit code attached"),
    "ComplaintRecorded": Label("收到举报", "Complaint received"),
    "ComplaintDecided": Label("举报处理", "Complaint decided"),
}

INCIDENTS = {
    "major_safety_accident": Label("重大及以上生产安全事故", "a major production-safety accident"),
    "major_quality_accident": Label("重大及以上质量事故", "a major quality accident"),
    "major_environmental_incident": Label(
        "II级（重大）及以上突发环境污染事件", "a level-II or graver environmental incident"
    ),
}

REORGANISATIONS = {
    "merger": Label("合并", "Merger"),
    "split": Label("分立", "Split"),
    "acquisition": Label("收购", "Acquisition"),
    "boundary_change": Label("边界调整", "Boundary change"),
}

GROUNDS = {
    "accident": Label("发生较大及以上事故", "a larger or worse accident"),
    "accident_or_violation": Label("发生事故或违法违规行为", "an accident or a violation"),
    "blacklisted": Label("被列入失信名单", "on a dishonesty blacklist"),
    "central_inspection": Label("中央生态环境保护督察发现问题", "central inspection findings"),
    "concealed_accident": Label("瞒报重大安全事故", "concealed a major safety accident"),
    "dishonest_debtor": Label("被列为失信被执行人", "listed as a dishonest debtor"),
    "dynamic_adjustment": Label(
        "动态调整（不再符合要求）", "dynamic adjustment: no longer qualifies"
    ),
    "energy_inspection": Label("节能监察发现问题", "energy-conservation inspection findings"),
    "failed_review": Label("复核不合格", "failed the review"),
    "false_materials": Label("提供虚假材料或数据", "false materials or data"),
    "falsified_data": Label("数据或材料弄虚作假", "falsified data or materials"),
    "fraud": Label("材料或数据弄虚作假", "falsified materials or data"),
    "inspection_findings": Label("检查发现问题", "inspection findings"),
    "major_accident": Label("发生重大事故", "a major accident"),
    "missed_review": Label("未按要求参加复核或动态管理", "missed review or dynamic management"),
    "no_longer_meets_standard": Label("不再符合标准", "no longer meets the standard"),
    "no_longer_qualifies": Label("不再符合要求", "no longer meets the requirements"),
    "no_management_body": Label("管理机构撤销", "no body left to run it"),
    "not_operating": Label("未正常生产经营", "not operating normally"),
    "other": Label("其他经核实的情形", "other verified grounds"),
    "other_violation": Label("其他重大违法违规行为", "another major violation"),
    "pollution": Label("发生环境污染", "environmental pollution"),
    "rectification_failed": Label("警示后整改不合格", "the warning was not rectified"),
    "report_refused": Label("拒不报送年度材料", "refused the yearly form"),
    "serious_pollution": Label("发生严重环境污染事件", "a serious pollution incident"),
    "terminated": Label("依法终止", "terminated by law"),
    "withdrawn_on_request": Label("园区申请退出", "the park asked to withdraw"),
}

MIIT = Label("工业和信息化部", "MIIT, the Ministry of Industry and Information Technology")
ECO_PARK_ISSUERS = Label("生态环境部、商务部、工业和信息化部", "MEE, MOFCOM and MIIT jointly")

MATCHES = {
    "name": Label("名称", "name"),
    "current_name": Label("名称", "name"),
    "former_name": Label("曾用名", "former name"),
    "credit_code": Label("统一社会信用代码", "credit code"),
}

#: The fixed words of the pages.
UI = {
    "title": Label("绿色制造名单查询", "Green manufacturing registry lookup"),
    "search": Label("查询", "Search"),
    "placeholder": Label("名称、曾用名或统一社会信用代码", "name, former name or credit code"),
    "hint": Label(
        "输入园区或企业的名称、曾用名或18位统一社会信用代码。",
        "Type the name, a former name or the 18-character credit code of a park or an enterprise.",
    ),
    "no_results": Label("未找到匹配的园区或企业", "No park or enterprise matches"),
    "results": Label("查询结果", "Results"),
    "by_province": Label("各省份认定数量", "Designations by province"),
    "no_designations": Label("暂无认定记录", "No designations recorded yet"),
    "status": Label("状态", "Status"),
    "level": Label("级别", "Level"),
    "programme": Label("类别", "Programme"),
    "since": Label("认定日期", "Since"),
    "document": Label("文号", "Document"),
    "batch": Label("批次", "Batch"),
    "grade": Label("等级", "Grade"),
    "jurisdiction": Label("发布地区", "Issued for"),
    "kind": Label("类型", "Kind"),
    "credit_code": Label("统一社会信用代码", "Credit code"),
    "location": Label("所在地", "Location"),
    "former_names": Label("曾用名", "Former names"),
    "designations": Label("认定情况", "Designations"),
    "bans": Label("禁止申报", "Reapplication bans"),
    "timeline": Label("时间线", "Timeline"),
    "green_code": Label("绿码", "Green code"),
    "matched": Label("匹配", "Matched"),
    "now_named": Label("现名", "now named"),
    "until": Label("截至", "until"),
    "rectify_by": Label("整改期限", "Rectify by"),
    "no_green_code": Label(
        "该单位目前没有可以使用的称号，不出具绿码。",
        "This unit has no title it may use now, so it gets no green code.",
    ),
    "not_usable": Label("整改期间不得使用该称号", "the title may not be used while it rectifies"),
    "authority": Label("发布机关", "Authority"),
    "log_position": Label("日志位置", "Log position"),
    "signed_by": Label("签署", "Signed by"),
    "certified": Label("目前持有可使用的称号", "Holds a title it may use now"),
    "not_certified_now": Label(
        "目前没有可使用的称号（见下表状态）", "No title it may use now (see the statuses below)"
    ),
    "never_listed": Label(
        "已登记，但不在本登记簿收录的任何名单上", "Registered, but on none of the lists held here"
    ),
    "recorded": Label("登记簿记录于", "Recorded"),
    "searched": Label("已查询", "Searched"),
    "coverage": Label("收录范围", "What the registry covers"),
    "footer": Label(
        "每条记录都注明由谁签名：发布机关本身，或依据已公布通知转录的转录方。",
        "Each record says who signed it: the issuing authority itself, or a transcriber of "
        "its published notice.",
    ),
    "not_found": Label("未找到该单位", "No such unit"),
    "back": Label("返回查询", "Back to search"),
    "predecessors": Label("前身", "Predecessors"),
    "successors": Label("继承单位", "Successors"),
}


def issuer(programme: str, jurisdiction: str) -> Label:
    """Who issues the lists of ``programme`` for ``jurisdiction`` (DOMAIN "What designations
    exist"): MIIT for the national green lists, MEE, MOFCOM and MIIT for eco-industrial parks,
    the province's or city's industry and information technology department otherwise."""
    if jurisdiction == NATIONAL:
        return ECO_PARK_ISSUERS if programme == "eco_park" else MIIT
    where = jurisdiction_name(jurisdiction)
    return Label(
        f"{where}工业和信息化主管部门",
        f"the industry and information technology department of {where}",
    )


def ground(code: str) -> Label:
    """A ground for a removal, warning or refusal, in words (an unknown one as it is)."""
    return GROUNDS.get(code, Label(code, code))


def incident(code: str) -> Label:
    return _label(INCIDENTS, code)


def reorganisation(code: str) -> Label:
    return _label(REORGANISATIONS, code)


def programme(code: str) -> Label:
    return _label(PROGRAMMES, code)


def level(code: str) -> Label:
    return _label(LEVELS, code)


def status(code: str) -> Label:
    return _label(STATUSES, code)


def kind(code: str) -> Label:
    return _label(KINDS, code)


def event(code: str) -> Label:
    return _label(EVENTS, code)


def match(code: str) -> Label:
    return _label(MATCHES, code)
