"""Rendering print forms: Jinja HTML in the sandbox, then PDF with xhtml2pdf.

Templates are written by admins and partners, so they run in
:class:`jinja2.sandbox.SandboxedEnvironment`: no private or dunder attributes,
no loader (``import``/``include`` fail), and only plain values in the context.
xhtml2pdf runs under a resource policy that reads local files only from the
shipped font's folder and fetches nothing remote, so a template cannot pull
``/etc/passwd`` or an internal URL into a document.

Filters: ``date(format="long")``, ``money(currency=None)``,
``amount_in_words(language=None, currency=None)`` (Russian, Ukrainian, English),
each in the form's language unless told otherwise.
"""
from __future__ import annotations

import io
from functools import lru_cache
from importlib import resources
from pathlib import Path

from flask_babel import lazy_gettext as _l
from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from core.errors import FlowcaseError
from core.printing.words import FilterError, amount_in_words, format_doc_date, format_money

#: The font family every document uses; it has Cyrillic, xhtml2pdf's built-in fonts do not.
FONT_FAMILY = "NotoSans"


class PrintError(FlowcaseError):
    """A form could not be rendered; the message says why, for the user or the form's author."""


@lru_cache(maxsize=1)
def font_dir() -> Path:
    """The folder of the Noto Sans TTF files shipped by the ``fontpkg-noto-sans`` package."""
    return Path(str(resources.files("fontpkg_noto_sans") / "files"))


@lru_cache(maxsize=1)
def font_css() -> str:
    """``@font-face`` rules registering Noto Sans (regular, bold, italic) and making it the default."""
    folder = font_dir()
    regular = folder / "NotoSans[wdth,wght].ttf"
    italic = folder / "NotoSans-Italic[wdth,wght].ttf"
    faces = [(regular, "normal", "normal"), (regular, "bold", "normal"), (italic, "normal", "italic"),
             (italic, "bold", "italic")]
    rules = "".join(f'@font-face {{ font-family: {FONT_FAMILY}; src: url("{path}"); font-weight: {weight}; '
                    f"font-style: {style}; }}\n" for path, weight, style in faces)
    return f"<style>\n{rules}html, body, td, th, p, div, span, h1, h2, h3, h4 {{ font-family: {FONT_FAMILY}; }}\n</style>\n"


class _StrictSandbox(SandboxedEnvironment):
    """The sandbox, made loud: reaching for an unsafe attribute is an error, not an empty string."""

    def unsafe_undefined(self, obj, attribute):
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe.")


def _environment(language: str) -> SandboxedEnvironment:
    env = _StrictSandbox(autoescape=True, loader=None)
    env.filters["date"] = lambda value, fmt="long": format_doc_date(value, language, fmt)
    env.filters["money"] = lambda value, currency=None: format_money(value, language, currency)
    env.filters["amount_in_words"] = lambda value, lang=None, currency=None: amount_in_words(value, lang or language, currency)
    return env


def render_html(template_text: str, context: dict, language: str = "en") -> str:
    """The form's HTML for ``context``; unsafe or broken template code is a :class:`PrintError`."""
    try:
        return _environment(language).from_string(template_text).render(**context)
    except SecurityError as exc:
        raise PrintError(_l("The print form uses something templates may not: %(error)s", error=str(exc))) from None
    except FilterError as exc:
        raise PrintError(_l("The print form cannot print a value: %(error)s", error=str(exc))) from None
    except TemplateError as exc:
        raise PrintError(_l("The print form's template is broken: %(error)s", error=str(exc))) from None
    except (TypeError, ValueError, AttributeError, ArithmeticError, LookupError) as exc:
        raise PrintError(_l("The print form's template failed: %(error)s", error=str(exc))) from None


def _policy() -> ResourceAccessPolicy:
    return ResourceAccessPolicy.server(base_dir=font_dir(), allow_remote=False)


def html_to_pdf(html: str) -> bytes:
    """A PDF of ``html`` with the Unicode font registered; a failed conversion is a :class:`PrintError`."""
    out = io.BytesIO()
    try:
        result = pisa.CreatePDF(font_css() + html, dest=out, encoding="utf-8", resource_policy=_policy())
    except Exception as exc:  # xhtml2pdf raises many kinds on bad markup; the user gets the reason
        raise PrintError(_l("The PDF could not be made: %(error)s", error=str(exc))) from None
    if result.err:
        raise PrintError(_l("The PDF could not be made from the print form's HTML."))
    return out.getvalue()
