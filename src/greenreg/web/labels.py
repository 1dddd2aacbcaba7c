"""The words on the pages, in Chinese and English side by side.

Codes from the data (programmes, levels, statuses, event types) become bilingual labels here;
a code this module does not know yet is shown as it is rather than hidden.
"""

from __future__ import annotations

from dataclasses import dataclass


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
}

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
    "not_found": Label("未找到该单位", "No such unit"),
    "back": Label("返回查询", "Back to search"),
    "predecessors": Label("前身", "Predecessors"),
    "successors": Label("继承单位", "Successors"),
}


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
