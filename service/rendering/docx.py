"""Fill a DOCX template (docxtpl) with a context: undefined names are errors, values escaped."""

from __future__ import annotations

import functools
import io
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate

from service.errors import ServiceError


class TemplateFailed(ServiceError):
    """A document template could not be filled (unknown variable, broken Jinja): a bug, 500."""

    status_code = 500


class _CompiledCache(jinja2.Environment):
    """docxtpl compiles the template's XML on every render; the XML of one template is the
    same every time, so the compiled template is kept (compiling was ~15% of a certificate's
    CPU, and CPU is what LibreOffice competes for on a 2-core machine)."""

    def from_string(
        self,
        source: str | jinja2.nodes.Template,
        globals: MutableMapping[str, Any] | None = None,
        template_class: type[jinja2.Template] | None = None,
    ) -> jinja2.Template:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        return self._compiled(source)

    @functools.lru_cache(maxsize=64)  # noqa: B019  (one environment for the process)
    def _compiled(self, source: str) -> jinja2.Template:
        return super().from_string(source)


# StrictUndefined: a missing value must stop the document, never print as an empty string.
# autoescape: names may carry '&' and '<', which would otherwise break document.xml.
_ENV = _CompiledCache(undefined=jinja2.StrictUndefined, autoescape=True)


def _environment() -> jinja2.Environment:
    return _ENV


def render_docx(
    template: Path,
    context: Mapping[str, Any],
    *,
    title: str = "",
    author: str = "",
) -> bytes:
    """Render ``template`` with ``context`` and return the DOCX bytes.

    The document's core properties are overwritten (``title``/``author`` or empty) because
    LibreOffice copies them into the PDF's XMP; the template's own (e.g. "python-docx") must
    not leak into an official record.
    """
    try:
        doc = DocxTemplate(str(template))
        doc.render(dict(context), jinja_env=_environment())
    except jinja2.UndefinedError as exc:
        raise TemplateFailed(
            f"Šablone {template.name} naudojamas kintamasis, kurio nėra duomenyse: {exc.message}"
        ) from exc
    except jinja2.TemplateError as exc:
        raise TemplateFailed(f"Šablono {template.name} nepavyko užpildyti: {exc}") from exc
    except OSError as exc:
        raise TemplateFailed(f"Šablono {template.name} nepavyko atverti.") from exc

    props = doc.docx.core_properties
    props.author = author
    props.last_modified_by = author
    props.title = title
    props.subject = ""
    props.keywords = ""
    props.comments = ""
    props.category = ""
    props.content_status = ""
    props.identifier = ""
    props.language = ""
    props.version = ""
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def template_variables(template: Path) -> set[str]:
    """Top-level names the template reads (loop variables and ``loop`` excluded)."""
    doc = DocxTemplate(str(template))
    names: set[str] = doc.get_undeclared_template_variables(jinja_env=_environment())
    return names
