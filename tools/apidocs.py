"""
Build the API reference with pydoctor (``hatch run docs:build`` runs this after mkdocs).

Usage: ``python tools/apidocs.py [pydoctor options]``, from the repository root, in the
``docs`` environment. Every option lives in ``[tool.pydoctor]`` of the root
``pyproject.toml`` (pydoctor reads it from the working directory); this script only puts
``tools/`` on ``sys.path`` so that the ``system-class`` named there, L{NetframeSystem},
can be imported, then runs pydoctor's own command line.

Two netframe conventions need the system class:

  - implementation lives in private modules (``_x.py``) and the public module re-exports
    it in ``__all__`` (setting ``__module__`` to itself). pydoctor moves a re-exported
    object into the public module only when the private module does not list it in its
    own ``__all__``; ours do, so L{NetframeSystem} moves it whenever a public module
    re-exports a name that is still defined in a private module;
  - private modules, and everything left in them (private helpers and base classes), are
    private API: out of the reference's default view, but still written, so that
    inherited members and links keep working.
"""

from __future__ import annotations

import sys
from collections.abc import Collection
from pathlib import Path

from pydoctor import astbuilder, driver, model

__all__ = ["NetframeSystem", "main"]


def _isPrivateModule(module: model.Documentable) -> bool:
    """Tell whether ``module`` (a module or package) has a private component in its name."""
    return any(
        part.startswith("_") and not (part.startswith("__") and part.endswith("__"))
        for part in module.fullName().split(".")
    )


def _isHomeOf(public: model.Module, private: model.Module) -> bool:
    """Tell whether ``public`` is the public twin of ``private`` (``jelly`` of ``_jelly``)."""
    return public.parent is private.parent and public.name == private.name.lstrip("_")


class _ModuleVisitor(astbuilder.ModuleVistor):
    """pydoctor's module visitor, moving every public re-export out of private modules."""

    def _handleReExport(
        self,
        curr_mod_exports: Collection[str],
        origin_name: str,
        as_name: str,
        origin_module: model.Module,
    ) -> bool:
        """
        Move C{origin_module.origin_name} into the current module if the current module is
        public, lists C{as_name} in C{__all__}, and the object still lives in a private
        module; pydoctor's rule otherwise.

        When several public modules re-export one private name, the object is documented
        in the module named like its private module (C{_jelly.setUnjellyableForClass}
        under C{jelly}, not C{flavors}), which is where our C{__module__} points, or else
        in the first one pydoctor processes; the others get an alias.

        @return: whether the name was handled (moved, or made an alias).
        """
        current = self.builder.current
        if (
            as_name in curr_mod_exports
            and isinstance(current, model.Module)
            and not _isPrivateModule(current)
            and _isPrivateModule(origin_module)
        ):
            ob = origin_module.contents.get(origin_name) or origin_module.resolveName(origin_name)
            if (
                ob is not None
                and not isinstance(ob, model.Module)
                and isinstance(ob.parent, model.Module)
            ):
                if not _isPrivateModule(ob.parent) and not _isHomeOf(current, origin_module):
                    # Already documented under another public module: an alias to it.
                    current._localNameToFullName_map[as_name] = ob.fullName()
                    return True
                self._move(ob, current, as_name)
                return True
        return bool(super()._handleReExport(curr_mod_exports, origin_name, as_name, origin_module))

    def _move(self, ob: model.Documentable, current: model.Module, as_name: str) -> None:
        """
        Move C{ob} into C{current} as C{as_name}, and point every alias of its old name
        (in any module) at the new one: pydoctor itself only updates the old parent.
        """
        old = ob.fullName()
        self.system.msg("astbuilder", f"moving {old!r} into {current.fullName()!r}")
        ob.reparent(current, as_name)
        new = ob.fullName()
        for module in self.system.objectsOfType(model.Module):
            aliases = module._localNameToFullName_map
            for name, target in aliases.items():
                if target == old:
                    aliases[name] = new


class _ASTBuilder(astbuilder.ASTBuilder):
    """pydoctor's AST builder with L{_ModuleVisitor}."""

    ModuleVistor = _ModuleVisitor


class NetframeSystem(model.System):
    """
    pydoctor's system for netframe: public re-exports documented under the public module,
    private modules out of the default view.
    """

    defaultBuilder = _ASTBuilder

    def privacyClass(self, ob: model.Documentable) -> model.PrivacyClass:
        """
        Private modules, and everything still defined in them, are private (pydoctor's
        rules otherwise).

        Private means their pages are written but left out of the default view (the
        reference's "show private API" toggle brings them back). Hidden would write no
        page at all, and the private base classes and helpers that public classes
        inherit from or docstrings mention would become dead links.

        @return: the privacy class of C{ob}.
        """
        # Not ob.module: pydoctor leaves that pointing at the old module when it moves
        # a class into the public module, for the class's own members.
        module: model.Documentable | None = ob
        while module is not None and not isinstance(module, model.Module):
            module = module.parent
        if module is not None and _isPrivateModule(module):
            return model.PrivacyClass.PRIVATE
        return super().privacyClass(ob)


def main(argv: list[str] | None = None) -> int:
    """Run pydoctor with ``argv`` (default: ``sys.argv[1:]``); return its exit status."""
    tools = str(Path(__file__).resolve().parent)
    if tools not in sys.path:
        sys.path.insert(0, tools)
    return driver.main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
