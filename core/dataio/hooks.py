"""Import, export and duplicate pages and the import job, registered through the core's own hooks.

``core.builtin_hooks`` imports these; each is bound to its hook with ``specname``.
"""
from __future__ import annotations

from core.plugins import hookimpl


@hookimpl(specname="flowcase_register_blueprints")
def register_dataio_blueprints(app):
    from core.dataio.views import bp as dataio_bp
    from core.dedup.views import bp as dedup_bp

    return [dataio_bp, dedup_bp]


@hookimpl(specname="flowcase_register_jobs")
def register_import_job(app):
    from core.dataio.import_run import run_import_job

    return {"core.import_run": run_import_job}
