"""Route sheets as PDF (WeasyPrint), with embedded fonts from an installed package.

Vietnamese needs a font with its stacked diacritics. The sheets name ``"Planner DejaVu Sans"``
first in their font list; here that family is bound by ``@font-face`` to the DejaVu Sans files
that matplotlib ships (``matplotlib.get_data_path()/fonts/ttf``), so a PDF looks the same on
every machine and never depends on system fonts. WeasyPrint embeds the subset of glyphs used.
Nothing is fetched from the network: only ``file:`` and ``data:`` URLs are allowed.

Each sheet is laid out once; the per-day and per-team PDFs reuse the laid-out pages.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import matplotlib
from weasyprint import CSS, HTML  # type: ignore[import-untyped]
from weasyprint.document import Document  # type: ignore[import-untyped]
from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]
from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

#: Font family the sheets ask for first; bound below to matplotlib's DejaVu Sans files.
PDF_FONT_FAMILY = "Planner DejaVu Sans"
_FONT_FILES = {
    ("normal", "normal"): "DejaVuSans.ttf",
    ("bold", "normal"): "DejaVuSans-Bold.ttf",
    ("normal", "italic"): "DejaVuSans-Oblique.ttf",
    ("bold", "italic"): "DejaVuSans-BoldOblique.ttf",
}


def font_dir() -> Path:
    """Folder of the TrueType fonts shipped with matplotlib."""
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@cache
def font_face_css() -> str:
    """``@font-face`` rules binding :data:`PDF_FONT_FAMILY` to the DejaVu Sans files.

    Raises
    ------
    FileNotFoundError
        If a font file is missing from the matplotlib installation.
    """
    rules = []
    for (weight, style), name in _FONT_FILES.items():
        path = font_dir() / name
        if not path.is_file():
            raise FileNotFoundError(f"{path}: font file not found (is matplotlib installed?)")
        rules.append(
            f'@font-face {{ font-family: "{PDF_FONT_FAMILY}"; font-weight: {weight}; '
            f'font-style: {style}; src: url("{path.as_uri()}") format("truetype"); }}'
        )
    return "\n".join(rules)


class SheetPdf:
    """Lays out HTML sheets and writes them as PDF, sharing one font set-up.

    Examples
    --------
    >>> pdf = SheetPdf()  # doctest: +SKIP
    >>> doc = pdf.render(html)  # doctest: +SKIP
    >>> data = pdf.write([doc])  # doctest: +SKIP
    """

    def __init__(self) -> None:
        self._fonts = FontConfiguration()
        self._fetcher = URLFetcher(allowed_protocols=("file", "data"), timeout=5)
        self._css = CSS(string=font_face_css(), font_config=self._fonts, url_fetcher=self._fetcher)

    def render(self, html: str) -> Document:
        """Lay out one HTML document (a sheet) into pages."""
        return HTML(string=html, url_fetcher=self._fetcher).render(
            stylesheets=[self._css], font_config=self._fonts
        )

    def write(self, documents: Sequence[Document], title: str | None = None) -> bytes:
        """The PDF of the pages of ``documents``, in order.

        Parameters
        ----------
        documents : sequence of weasyprint Document
            Laid-out documents from :meth:`render`; their pages are not laid out again.
        title : str, optional
            PDF title; by default the first document's ``<title>``.

        Raises
        ------
        ValueError
            If ``documents`` is empty.
        """
        if not documents:
            raise ValueError("no pages to write")
        first = documents[0]
        combined = first.copy([page for doc in documents for page in doc.pages])
        if title is not None:
            combined.metadata = copy.copy(first.metadata)
            combined.metadata.title = title
        data = combined.write_pdf()
        assert isinstance(data, bytes)
        return data
