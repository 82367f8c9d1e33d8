"""Built-in actions, run through the runner: what they write, and the paths and links they refuse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scaffolder.actions import Action, ActionContext, register_action
from scaffolder.actions.registry import all_actions, get_action, unregister_action
from scaffolder.runner import MAX_EACH_ITEMS, Run, RunSpec
from scaffolder.workspace import Workspace, WorkspaceError

pytestmark = pytest.mark.django_db


def template(*steps: dict[str, Any], output: dict | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "scaffolder.backstage.io/v1beta3",
        "kind": "Template",
        "metadata": {"name": "t"},
        "spec": {"steps": list(steps), "output": output or {}},
    }


def run(tmp_path: Path, body: dict, values: dict | None = None, skeleton: dict[str, str] | None = None, **spec):
    """Run ``body`` with a skeleton beside a template file; returns (result, log messages, files written)."""
    template_dir = tmp_path / "tpl"
    for relative, content in (skeleton or {}).items():
        path = template_dir / "skeleton" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    template_dir.mkdir(exist_ok=True)
    (template_dir / "template.yaml").write_text("{}")
    events: list[dict] = []
    workspace = Workspace(Path(tmp_path / "ws"))
    workspace.root.mkdir(exist_ok=True)
    files: dict[str, str] = {}
    original_cleanup = workspace.cleanup

    def cleanup() -> None:
        try:
            for path in workspace.files():
                files[workspace.relative(path)] = path.read_text()
        except WorkspaceError:
            files.clear()
        original_cleanup()

    workspace.cleanup = cleanup  # type: ignore[method-assign]
    run_spec = RunSpec(
        task_id="t", template=body, values=values or {}, base_url=f"file:{template_dir}/template.yaml", **spec
    )
    result = Run(run_spec, lambda type, event: events.append(event), workspace=workspace).execute()
    return result, [event.get("message", "") for event in events], files


FETCH = {"id": "fetch", "action": "fetch:template", "input": {"url": "./skeleton", "values": {"name": "svc"}}}


def test_fetch_template_renders_names_and_contents_and_skips_empty_names(tmp_path):
    skeleton = {
        "${{ values.name }}/main.py": "print(${{ values.name | dump }})\n",
        "{% if values.optional %}optional.txt{% endif %}": "never written",
        "static/raw.txt": "${{ values.name }} stays",
    }
    step = {**FETCH, "input": {**FETCH["input"], "copyWithoutTemplating": ["static/*"]}}
    result, _, files = run(tmp_path, template(step), skeleton=skeleton)
    assert result.status == "completed"
    assert files == {"svc/main.py": 'print("svc")\n', "static/raw.txt": "${{ values.name }} stays"}


def test_fetch_template_with_target_path_and_cookiecutter(tmp_path):
    step = {
        "id": "f",
        "action": "fetch:template",
        "input": {"url": "./skeleton", "targetPath": "out/app", "cookiecutterCompat": True, "values": {"n": "x"}},
    }
    result, _, files = run(tmp_path, template(step), skeleton={"{{ cookiecutter.n }}.txt": "{{ cookiecutter.n }}!"})
    assert result.status == "completed" and files == {"out/app/x.txt": "x!"}


@pytest.mark.parametrize("target", ["../outside", "/etc", "a/../../b"])
def test_target_path_may_not_leave_the_workspace(tmp_path, target):
    step = {**FETCH, "input": {**FETCH["input"], "targetPath": target}}
    result, _, _ = run(tmp_path, template(step), skeleton={"a.txt": "a"})
    assert result.status == "failed"
    assert "targetPath" in result.error and ("'..'" in result.error or "absolute" in result.error)
    assert not (tmp_path / "outside").exists()


def test_rendered_file_names_may_not_traverse(tmp_path):
    result, _, _ = run(
        tmp_path,
        template({**FETCH, "input": {"url": "./skeleton", "values": {"name": "../../evil"}}}),
        skeleton={"${{ values.name }}.txt": "x"},
    )
    assert result.status == "failed" and "'..'" in result.error
    assert not list(tmp_path.rglob("evil.txt"))


def test_skeleton_url_may_not_leave_the_template_directory(tmp_path):
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "key.txt").write_text("secret")
    result, _, files = run(tmp_path, template({**FETCH, "input": {"url": "../secret"}}), skeleton={"a": "a"})
    assert result.status == "failed" and "leaves the template's directory" in result.error and files == {}


def test_symbolic_links_in_a_skeleton_are_refused(tmp_path):
    (tmp_path / "target.txt").write_text("outside")
    skeleton_dir = tmp_path / "tpl" / "skeleton"
    skeleton_dir.mkdir(parents=True)
    (skeleton_dir / "link.txt").symlink_to(tmp_path / "target.txt")
    result, _, files = run(tmp_path, template(FETCH), skeleton={"a.txt": "a"})
    assert result.status == "failed" and "symbolic link" in result.error and files == {}


def link_maker(ctx: ActionContext) -> None:
    (ctx.workspace.root / "passwd").symlink_to("/etc/passwd")


def test_symbolic_links_created_in_the_workspace_fail_the_step(tmp_path):
    register_action(Action(id="test:link", handler=link_maker), replace=True)
    try:
        result, _, _ = run(tmp_path, template({"id": "l", "action": "test:link"}))
    finally:
        unregister_action("test:link")
    assert result.status == "failed" and "symbolic link" in result.error


def test_fs_rename_and_delete(tmp_path):
    steps = [
        FETCH,
        {"id": "mv", "action": "fs:rename", "input": {"files": [{"from": "a.txt", "to": "moved/b.txt"}]}},
        {"id": "rm", "action": "fs:delete", "input": {"files": ["*.log"]}},
    ]
    result, _, files = run(tmp_path, template(*steps), skeleton={"a.txt": "a", "debug.log": "x", "keep.md": "k"})
    assert result.status == "completed", result.error
    assert files == {"moved/b.txt": "a", "keep.md": "k"}


@pytest.mark.parametrize(
    ("action", "files"),
    [
        ("fs:rename", [{"from": "a.txt", "to": "../x.txt"}]),
        ("fs:rename", [{"from": "/etc/passwd", "to": "p"}]),
        ("fs:delete", ["../*"]),
        ("fs:delete", ["/etc/*"]),
    ],
)
def test_file_actions_refuse_paths_outside_the_workspace(tmp_path, action, files):
    (tmp_path / "x.txt").write_text("outside")
    result, _, _ = run(
        tmp_path, template(FETCH, {"id": "fs", "action": action, "input": {"files": files}}), skeleton={"a.txt": "a"}
    )
    assert result.status == "failed"
    assert (tmp_path / "x.txt").read_text() == "outside"


def test_rename_refuses_to_overwrite_unless_asked(tmp_path):
    step = {"id": "mv", "action": "fs:rename", "input": {"files": [{"from": "a.txt", "to": "b.txt"}]}}
    result, _, _ = run(tmp_path, template(FETCH, step), skeleton={"a.txt": "a", "b.txt": "b"})
    assert result.status == "failed" and "overwrite" in result.error


def test_debug_log_lists_the_workspace(tmp_path):
    step = {"id": "log", "action": "debug:log", "input": {"message": "hello", "listWorkspace": "with-contents"}}
    _, messages, _ = run(tmp_path, template(FETCH, step), skeleton={"a.txt": "alpha"})
    assert "debug:log: hello" in messages
    assert any("a.txt:\nalpha" in message for message in messages)


def test_catalog_write_adds_the_source_template_annotation(tmp_path):
    step = {
        "id": "w",
        "action": "catalog:write",
        "input": {"entity": {"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": {"name": "x"}}},
    }
    result, _, files = run(tmp_path, template(step), template_ref="template:default/t")
    assert result.status == "completed"
    assert "backstage.io/source-template: template:default/t" in files["catalog-info.yaml"]


def test_unknown_input_keys_fail_strict_actions(tmp_path):
    result, _, _ = run(tmp_path, template({**FETCH, "input": {**FETCH["input"], "surprise": 1}}), skeleton={"a": "a"})
    assert result.status == "failed"
    assert "Invalid input passed to action fetch:template" in result.error and "surprise" in result.error


def test_missing_required_input_names_the_field(tmp_path):
    result, _, _ = run(tmp_path, template({"id": "f", "action": "fetch:template", "input": {}}))
    assert result.error == "Invalid input passed to action fetch:template: input 'url' is a required property"


def test_if_and_each_steps(tmp_path):
    collect: list[str] = []

    def remember(ctx: ActionContext) -> None:
        collect.append(ctx.input["item"])
        ctx.output("seen", ctx.input["item"].upper())

    register_action(Action(id="test:remember", handler=remember), replace=True)
    steps = [
        {"id": "skip", "action": "test:remember", "if": "${{ parameters.flag }}", "input": {"item": "no"}},
        {
            "id": "loop",
            "action": "test:remember",
            "each": "${{ parameters.items }}",
            "if": "${{ each.value !== 'b' }}",
            "input": {"item": "${{ each.value }}"},
        },
    ]
    try:
        result, messages, _ = run(
            tmp_path,
            template(*steps, output={"seen": "${{ steps.loop.output.seen }}"}),
            values={"flag": False, "items": ["a", "b", "c"]},
        )
    finally:
        unregister_action("test:remember")
    assert collect == ["a", "c"]
    assert result.output == {"seen": ["A", "C"]}
    assert "Skipping step skip because its condition is false" in messages


@pytest.mark.parametrize(
    ("condition", "each"),
    [
        ("${{ parameters.flag }}", "${{ parameters.items }}"),  # far more items than MAX_EACH_ITEMS
        (False, "${{ parameters.items }}"),
        ("${{ parameters.flag }}", "${{ parameters.missing }}"),  # would not render to a list at all
    ],
    ids=["falsy-string", "literal-false", "unrenderable-each"],
)
def test_a_false_if_skips_an_each_step_before_each_is_rendered(tmp_path, condition, each):
    step = {
        "id": "loop",
        "action": "debug:log",
        "if": condition,
        "each": each,
        "input": {"message": "${{ each.value }}"},
    }
    values = {"flag": False, "items": list(range(10 * MAX_EACH_ITEMS))}
    result, messages, _ = run(tmp_path, template(step), values=values)
    assert result.status == "completed", result.error
    assert "Skipping step loop because its condition is false" in messages
    assert not any(message.startswith("debug:log[") for message in messages)


def test_an_if_that_reads_each_is_still_checked_per_item(tmp_path):
    step = {
        "id": "loop",
        "action": "debug:log",
        "if": "${{ parameters.flag and each.value > 1 }}",
        "each": "${{ parameters.items }}",
        "input": {"message": "item ${{ each.value }}"},
    }
    result, messages, _ = run(tmp_path, template(step), values={"flag": True, "items": [1, 2, 3]})
    assert result.status == "completed", result.error
    assert [message for message in messages if message.startswith("debug:log[")] == [
        "debug:log[1]: item 2",
        "debug:log[2]: item 3",
    ]


def test_a_failed_step_skips_the_rest_unless_it_runs_always(tmp_path):
    steps = [
        {"id": "bad", "action": "no:such-action"},
        {"id": "next", "action": "debug:log", "input": {"message": "not reached"}},
        {"id": "cleanup", "action": "debug:log", "if": "${{ always() }}", "input": {"message": "cleanup ran"}},
    ]
    result, messages, _ = run(tmp_path, template(*steps))
    assert result.status == "failed"
    assert "debug:log: cleanup ran" in messages and "debug:log: not reached" not in messages


def test_secrets_are_redacted_from_the_log(tmp_path):
    step = {"id": "log", "action": "debug:log", "input": {"message": "token is ${{ secrets.token }}"}}
    _, messages, _ = run(tmp_path, template(step), secrets={"token": "s3cr3t-value"})
    assert "debug:log: token is ***" in messages
    assert not any("s3cr3t-value" in message for message in messages)


def test_the_registry_lists_builtins_sorted_and_refuses_duplicates():
    ids = [action.id for action in all_actions()]
    assert ids == sorted(ids)
    assert {
        "fetch:template",
        "fetch:plain",
        "fetch:template:file",
        "fs:rename",
        "fs:delete",
        "debug:log",
        "catalog:write",
        "catalog:register",
        "publish:git",
        "publish:github",
        "publish:gitlab",
    } <= set(ids)
    with pytest.raises(ValueError, match="already registered"):
        register_action(Action(id="debug:log", handler=lambda ctx: None))
    assert get_action("debug:log").supports_dry_run


@pytest.mark.parametrize("relative", ["..", "../x", "/abs", "a/../../b", "a\\b", "a\x00b"])
def test_workspace_paths_are_confined(tmp_path, relative):
    with pytest.raises(WorkspaceError):
        Workspace(tmp_path).path(relative)


def test_fetch_template_trim_and_lstrip_blocks(tmp_path):
    step = {**FETCH, "input": {**FETCH["input"], "trimBlocks": True, "lstripBlocks": True}}
    skeleton = {"a.txt": "start\n  {% if values.name %}\nyes\n  {% endif %}\nend\n"}
    result, _, files = run(tmp_path, template(step), skeleton=skeleton)
    assert result.status == "completed" and files == {"a.txt": "start\nyes\nend\n"}
