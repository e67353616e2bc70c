"""Which open work item a `role`/`user` step completes."""

from __future__ import annotations

from engine.scenarios.case_view import OpenItem
from engine.scenarios.model import CompleteTask
from engine.scenarios.result import StepFailed


def choose_item(step: CompleteTask, items: list[OpenItem], roles: frozenset[str], who: str) -> OpenItem:
    """The one open item of the case for `roles` (the step's role, or all roles of its user) and
    `step.task` if given. An escalated item counts for its escalation role too.

    When the step names a task that is open for another role and expects an error (or names an
    exact user), the item is tried anyway: refusing the attempt is the engine's job, and that
    refusal is what such a step tests. Several open instances of the named task (multi-instance)
    are completed oldest first."""
    mine = [i for i in items if i.role in roles or (i.escalated_role in roles)]
    shown = ", ".join(i.label() for i in items) or "—"
    if step.task:
        named = [i for i in items if i.spec_name == step.task]
        if not named:
            raise StepFailed(f"任务 {step.task} 未处于待办状态（待办：{shown}）",
                             f"task {step.task} is not open (open: {shown})")
        mine = [i for i in named if i in mine]
        if not mine:
            if step.expect_error or step.user:
                mine = named
            else:
                owners = ", ".join(sorted({i.role for i in named}))
                raise StepFailed(f"任务 {step.task} 属于角色 {owners}，不属于 {who}",
                                 f"task {step.task} is open for role {owners}, not for {who}")
    if not mine:
        hint = "；如要尝试他人的任务，请写 task" if step.expect_error else ""
        hint_en = "; name the task with `task` to try someone else's" if step.expect_error else ""
        raise StepFailed(f"{who} 没有待办任务（待办：{shown}）{hint}",
                         f"no open task for {who} (open: {shown}){hint_en}")
    if len(mine) > 1 and step.task:
        return mine[0]  # instances of one task (multi-instance): the oldest first, so runs repeat
    if len(mine) > 1:
        several = ", ".join(f"{i.spec_name} ({i.task_id[:8]})" for i in mine)
        raise StepFailed(f"{who} 有多个待办任务：{several}；请用 task 指明",
                         f"several tasks are open for {who}: {several}; name one with `task`")
    return mine[0]
