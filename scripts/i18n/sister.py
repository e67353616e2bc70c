"""Translations of the sister-city / NGO / journalist branch (issue 11) for scripts/fill-catalogs.py:
the partner-city register page (webapp/partners.py, webapp/templates/partners/) and its navigation
link. The procedures' own texts (diagrams, forms, rules, documents) are Chinese in the definitions,
with English labels in the forms' `label_en`; engine messages are bilingual in the code."""

ZH: dict[str, str] = {
    "%(n)d years": "%(n)d 周年",
    "%(name)s was added to the register.": "%(name)s已登入名录。",
    "Add a partner city": "登记友好城市",
    "Add to the register": "登入名录",
    "Agreement": "结好协议书",
    "Agreement archive reference": "协议书存档编号",
    "Agreement on file": "协议书已存档",
    "Cancel": "取消",
    "City": "城市",
    "Country": "国家",
    "Country (ISO code, e.g. JP)": "国家（ISO 两位代码，如 JP）",
    "Edit": "修改",
    "Edit partner city": "修改友好城市记录",
    "Foreign name": "外文名称",
    "Kind of relationship": "关系类别",
    "Next anniversary": "下一个逢十周年",
    "Not on file": "未存档",
    "Note (source of the record)": "备注（记录来源）",
    "On file": "已存档",
    "Partner cities": "友好城市名录",
    "Partners since": "结好日期",
    "Since": "结好日期",
    "Sister cities and friendship-exchange cities of Lanzhou. An approved sister-city case adds its partner "
    "here; anniversaries are marked every 10 years.":
        "兰州市的友好城市和友好交流城市。结好案件办结（批准并签署协议）后自动登入本名录；结好纪念一般逢十周年举办。",
    "The record was saved.": "记录已保存。",
    "The register is empty.": "名录中暂无记录。",
}
EN: dict[str, str] = {}
