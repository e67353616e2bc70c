"""Chinese for the analyst's impact view (scripts/fill-catalogs.py)."""

ZH = {
    "%(n)d of %(total)d running cases sit on or have passed a touched element; they would be refused a migration, the others can move.":
        "%(total)d 个运行中的案件里有 %(n)d 个停在或已经过受影响的元素，迁移时会被拒绝；其余案件可以迁移。",
    "Change": "变更",
    "Changed rule rows and the scenarios that exercise them": "修改的规则行及覆盖它们的场景",
    "Decision": "决策",
    "Has passed": "已经过",
    "Impact against version %(v)d": "相对于第 %(v)d 版的影响",
    "Matched before": "原版本中命中的场景",
    "Matched on the draft": "草稿中命中的场景",
    "No rule row changed.": "没有规则行被修改。",
    "No scenario exercises this row: the change is untested.": "没有场景命中此行：这项修改未经测试。",
    "Other files": "其他文件",
    "Plan a migration to v%(v)d": "规划迁移到第 %(v)d 版",
    "Row": "规则行",
    "Running cases on version %(v)d the change touches": "第 %(v)d 版上受此修改影响的运行中案件",
    "See the impact": "查看影响",
    "The draft changes nothing in this process.": "草稿没有修改此流程的任何内容。",
    "Waiting at": "停在",
    "Why": "原因",
    "called process changed": "被调用流程已修改",
    "form changed": "表单已修改",
}
ZH.update({
    "decision %(id)s changed": "决策 %(id)s 已修改",
    "form %(id)s changed": "表单 %(id)s 已修改",
    "called process %(id)s changed": "被调用流程 %(id)s 已修改",
})
ZH.update({
    "%(n)d fields": "%(n)d 个字段",
    "Checks": "校验",
    "Field": "字段",
    "Label": "标签",
    "Type": "类型",
})
ZH.update({
    "Running %(n)d scenarios on the draft…": "正在草稿上运行 %(n)d 个场景……",
    "Comparing with the version and running %(n)d scenarios on both…": "正在与原版本比较，并在两者上运行 %(n)d 个场景……",
    "Validating and running the scenarios before the deploy…": "部署前正在校验并运行场景……",
})
