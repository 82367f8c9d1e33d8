"""One write path: every ORM write lives in a ``services`` package (issue 19, docs/architecture.md).

The checker parses every module of the apps (migrations aside) and reports, outside ``*/services/``:

- calls that write through the ORM: ``.save()``, ``.delete()``, ``.create()``, ``.get_or_create()``,
  ``.update_or_create()``, ``.bulk_create()``, ``.bulk_update()``, and ``.update()`` on a queryset
  (a chain through ``.objects``, ``.filter()``, ``.exclude()``, ``.all()`` … or a name bound to one);
  a ModelForm's ``form.save()`` is a ``.save()`` call like any other;
- the Django admin's own writes: ``super().save_model()`` and its kin, and a ``ModelAdmin`` or inline
  that leaves a write to Django's defaults (no ``save_model``/``delete_model``/``delete_queryset``/
  ``save_formset`` of its own while adding, changing or deleting is allowed).

It reads names, not types: a ``.save()`` that is not an ORM write (file storage) is listed in
``NOT_ORM`` with its reason, and ``dict.update()`` is never flagged because a dict is no queryset chain.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The product's apps and the benchmarks, which fill databases through the apps' services too (their
# own scratch-database writes are ``benchmarks/services/``; docs/architecture.md, "Benchmarks").
APPS = ("portal", "catalog", "scaffolder", "techdocs", "techradar", "soundcheck", "benchmarks")

ALWAYS_WRITES = {"save", "create", "get_or_create", "update_or_create", "bulk_create", "bulk_update", "delete"}
QUERYSET_STEPS = {
    "objects",
    "filter",
    "exclude",
    "all",
    "select_for_update",
    "select_related",
    "prefetch_related",
    "order_by",
    "only",
    "defer",
    "using",
    "none",
    "distinct",
    "annotate",
}
ADMIN_WRITES = {"save_model", "delete_model", "delete_queryset", "save_formset", "save_related"}
ADMIN_BASES = {"ModelAdmin"}
INLINE_BASES = {"TabularInline", "StackedInline", "InlineModelAdmin"}

# (module, the call as written): calls named like ORM writes that are not ORM writes.
NOT_ORM: dict[tuple[str, str], str] = {
    ("techdocs/storage.py", "storage.save"): "Django file storage: writes a published file, not a row",
    ("techdocs/storage.py", "storage.delete"): "Django file storage: removes a published file, not a row",
    ("scaffolder/runner.py", "Workspace.create"): "makes the task's working directory on disk",
    ("portal/cache.py", "super(ResilientRedisCacheClient, self).delete"): "the Redis cache client, not the ORM",
}

# (module, the call as written): Django's own writes handed to a service as a callback, which runs
# them inside its transaction beside the one audit event.
RUN_BY_A_SERVICE: dict[tuple[str, str], str] = {
    ("soundcheck/admin.py", "super(DefinitionAdmin, self).save_related"): (
        "soundcheck.services.save_definition stores a check or track with its levels and records one event"
    ),
}

# Modules another branch of issue 19 is moving into services at the same time. The lead empties this
# set after merging those branches; ``test_pending_modules_still_write`` fails for any entry that no
# longer writes, so the set can only shrink.
PENDING_OTHER_BRANCHES: set[str] = set()


@dataclass(frozen=True)
class Finding:
    module: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line}: {self.what}"


def _dotted(node: ast.AST) -> str:
    """``a.b.c`` for a chain of names and attributes; calls inside read as ``f()``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id == "super":
            return ast.unparse(node)
        return f"{_dotted(node.func)}()"
    return ast.unparse(node)


def _is_queryset_chain(node: ast.AST, querysets: set[str]) -> bool:
    """Whether ``node`` reads as a queryset: a manager, a filter chain, or a name bound to one."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
            continue
        if isinstance(node, ast.Attribute):
            if node.attr in QUERYSET_STEPS:
                return True
            node = node.value
            continue
        if isinstance(node, ast.Name):
            return node.id in querysets or node.id.endswith(("queryset", "qs"))
        return False


def _base_names(node: ast.ClassDef) -> set[str]:
    return {base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "") for base in node.bases}


def _returns_false(function: ast.FunctionDef) -> bool:
    body = [statement for statement in function.body if not isinstance(statement, ast.Expr)]
    return (
        len(body) == 1
        and isinstance(body[0], ast.Return)
        and isinstance(body[0].value, ast.Constant)
        and body[0].value.value is False
    )


class _Checker(ast.NodeVisitor):
    def __init__(self, module: str) -> None:
        self.module = module
        self.findings: list[Finding] = []
        self.querysets: set[str] = set()

    def _add(self, node: ast.AST, what: str) -> None:
        self.findings.append(Finding(self.module, node.lineno, what))

    def visit_Assign(self, node: ast.Assign) -> None:
        if _is_queryset_chain(node.value, self.querysets) and isinstance(node.value, ast.Call | ast.Attribute):
            self.querysets.update(target.id for target in node.targets if isinstance(target, ast.Name))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute):
            method, receiver = node.func.attr, node.func.value
            call = f"{_dotted(receiver)}.{method}"
            if isinstance(receiver, ast.Call) and _dotted(receiver).startswith("super(") and method in ADMIN_WRITES:
                if (self.module, call) not in RUN_BY_A_SERVICE:
                    self._add(node, f"{call}(): the admin's default write")
            elif (
                method in ALWAYS_WRITES or (method == "update" and _is_queryset_chain(receiver, self.querysets))
            ) and ((self.module, call) not in NOT_ORM):
                self._add(node, f"{call}()")
        self.generic_visit(node)

    def _writes(self, method: str, receiver: ast.AST) -> bool:
        return method in ALWAYS_WRITES or (method == "update" and _is_queryset_chain(receiver, self.querysets))

    def visit_Module(self, node: ast.Module) -> None:
        self.classes = {item.name: item for item in ast.walk(node) if isinstance(item, ast.ClassDef)}
        # Inlines first: an admin listing only read-only inlines saves no formset.
        self.readonly_inlines = {
            item.name
            for item in ast.walk(node)
            if isinstance(item, ast.ClassDef) and _base_names(item) & INLINE_BASES and _is_readonly(item)
        }
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if self._lineage(node) and _base_names(self._lineage(node)[-1]) & ADMIN_BASES:
            self._check_admin(node)
        self.generic_visit(node)

    def _lineage(self, node: ast.ClassDef) -> list[ast.ClassDef]:
        """``node`` and the classes of this module it derives from, nearest first."""
        chain = [node]
        while len(chain) < 10:
            local = [self.classes[name] for name in _base_names(chain[-1]) if name in self.classes]
            if not local:
                break
            chain.append(local[0])
        return chain

    def _check_admin(self, node: ast.ClassDef) -> None:
        lineage = self._lineage(node)
        methods: dict[str, ast.FunctionDef] = {}
        for ancestor in reversed(lineage):
            methods.update(_methods(ancestor))
        if (_allowed(methods, "add") or _allowed(methods, "change")) and "save_model" not in methods:
            self._add(node, f"{node.name} saves through Django's default save_model")
        # Without the "delete_selected" action (popped in get_actions) delete_queryset is never called.
        strings = {item.value for item in ast.walk(node) if isinstance(item, ast.Constant)}
        needed = {"delete_model"} if "delete_selected" in strings else {"delete_model", "delete_queryset"}
        if _allowed(methods, "delete") and not needed <= methods.keys():
            self._add(node, f"{node.name} deletes through Django's default {'/'.join(sorted(needed))}")
        inlines = next((_attributes(item)["inlines"] for item in lineage if "inlines" in _attributes(item)), None)
        names = {item.id for item in ast.walk(inlines) if isinstance(item, ast.Name)} if inlines else set()
        # Django's save_related saves the formsets: an admin overriding it decides how they are stored.
        if names - self.readonly_inlines and not {"save_formset", "save_related"} & methods.keys():
            self._add(node, f"{node.name} saves its inlines through Django's default save_formset")


def _methods(node: ast.ClassDef) -> dict[str, ast.FunctionDef]:
    return {item.name: item for item in node.body if isinstance(item, ast.FunctionDef)}


def _attributes(node: ast.ClassDef) -> dict[str, ast.AST]:
    return {
        target.id: statement.value
        for statement in node.body
        if isinstance(statement, ast.Assign)
        for target in statement.targets
        if isinstance(target, ast.Name)
    }


def _allowed(methods: dict[str, ast.FunctionDef], permission: str) -> bool:
    method = methods.get(f"has_{permission}_permission")
    return method is None or not _returns_false(method)


def _is_readonly(inline: ast.ClassDef) -> bool:
    methods = _methods(inline)
    can_delete = _attributes(inline).get("can_delete")
    deletes = _allowed(methods, "delete") and not (isinstance(can_delete, ast.Constant) and can_delete.value is False)
    return not (_allowed(methods, "add") or _allowed(methods, "change") or deletes)


def find_writes(source: str, module: str) -> list[Finding]:
    """The ORM writes in ``source`` (a module's text) that the checker sees, in line order."""
    checker = _Checker(module)
    checker.visit(ast.parse(source, filename=module))
    return sorted(checker.findings, key=lambda finding: finding.line)


def _modules() -> list[Path]:
    paths = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "migrations" in parts or "services" in parts:
                continue
            paths.append(path)
    return paths


def writes_outside_services() -> dict[str, list[Finding]]:
    found: dict[str, list[Finding]] = {}
    for path in _modules():
        module = path.relative_to(ROOT).as_posix()
        findings = find_writes(path.read_text(encoding="utf-8"), module)
        if findings:
            found[module] = findings
    return found


def test_no_orm_write_outside_services():
    unexpected = {
        module: [str(finding) for finding in findings]
        for module, findings in writes_outside_services().items()
        if module not in PENDING_OTHER_BRANCHES
    }
    assert unexpected == {}


def test_pending_modules_still_write():
    # An entry whose module no longer writes (or no longer exists) leaves the set: it only shrinks.
    assert set(writes_outside_services()) >= PENDING_OTHER_BRANCHES


def test_not_orm_entries_are_still_called():
    for module, call in [*NOT_ORM, *RUN_BY_A_SERVICE]:
        assert call in (ROOT / module).read_text(encoding="utf-8"), (module, call)


PLANTED = """
from django.contrib import admin


def rename(entity, name):
    entity.name = name
    entity.save(update_fields=["name"])


def stamp(pk, now):
    Location.objects.filter(pk=pk).update(refresh_requested_at=now)
    stale = Task.objects.exclude(status="done")
    stale.update(status="failed")
    Entity.objects.create(ref="component:default/a")
    Star.objects.get_or_create(user_id=1, entity_ref="a")
    Relation.objects.bulk_create([])
    Entity.objects.all().delete()


def harmless(counts, extra):
    counts.update(extra)
    {"a": 1}.update(b=2)


class PlantedForm:
    def save_it(self, form):
        return form.save()


class RadarAdmin(admin.ModelAdmin):
    inlines = []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        save_through_service(obj)

    def delete_model(self, request, obj):
        delete_through_service(obj)

    def delete_queryset(self, request, queryset):
        delete_many_through_service(queryset)


class EditableInline(admin.TabularInline):
    pass


class TimelineInline(admin.TabularInline):
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EntryAdmin(admin.ModelAdmin):
    inlines = [TimelineInline]

    def save_model(self, request, obj, form, change):
        save_through_service(obj)

    def delete_model(self, request, obj):
        delete_through_service(obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ItemAdmin(ReadOnlyAdmin):
    inlines = [EditableInline]
"""


def test_checker_finds_planted_writes():
    found = [(finding.line, finding.what) for finding in find_writes(PLANTED, "planted/module.py")]
    assert found == [
        (7, "entity.save()"),
        (11, "Location.objects.filter().update()"),
        (13, "stale.update()"),
        (14, "Location.objects.create()".replace("Location", "Entity")),
        (15, "Star.objects.get_or_create()"),
        (16, "Relation.objects.bulk_create()"),
        (17, "Entity.objects.all().delete()"),
        (27, "form.save()"),
        (30, "RadarAdmin deletes through Django's default delete_model/delete_queryset"),
        (34, "super().save_model(): the admin's default write"),
        (88, "ItemAdmin saves its inlines through Django's default save_formset"),
    ]


def test_checker_reads_services_as_the_write_path():
    # The same planted module is no finding of the walk once it lives in a services package.
    assert all("services" not in path.relative_to(ROOT).parts for path in _modules())
    assert any(path.relative_to(ROOT).as_posix() == "portal/admin.py" for path in _modules())
