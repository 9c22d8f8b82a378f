"""The PDF set-up shared by every sheet: ReportLab and the embedded fonts.

Vietnamese needs a font with its diacritics. The sheets are drawn in DejaVu Sans from the
TrueType files that matplotlib ships (``matplotlib.get_data_path()/fonts/ttf``), so a PDF looks
the same on every machine and never depends on system fonts. ReportLab embeds the subset of
glyphs each PDF uses; the fonts carry the PostScript names :data:`FONT`, :data:`FONT_BOLD`, …
(``Planner-DejaVu-Sans``), which PDF readers show.

The fonts are read and registered once per process (:func:`pdf_fonts`), and
:mod:`planner.render.sheetpdf` draws the sheets with them; :mod:`planner.render.batch` calls
:func:`pdf_fonts` before it forks its workers, which inherit the fonts ready to use.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import matplotlib
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

#: Registered names of the four faces, also their PostScript names in the PDFs.
FONT = "Planner-DejaVu-Sans"
FONT_BOLD = "Planner-DejaVu-Sans-Bold"
FONT_OBLIQUE = "Planner-DejaVu-Sans-Oblique"
FONT_BOLD_OBLIQUE = "Planner-DejaVu-Sans-BoldOblique"
_FONT_FILES = {
    FONT: "DejaVuSans.ttf",
    FONT_BOLD: "DejaVuSans-Bold.ttf",
    FONT_OBLIQUE: "DejaVuSans-Oblique.ttf",
    FONT_BOLD_OBLIQUE: "DejaVuSans-BoldOblique.ttf",
}


def font_dir() -> Path:
    """Folder of the TrueType fonts shipped with matplotlib."""
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@dataclass(frozen=True)
class PdfFonts:
    """The registered font family: its faces' names and the regular face's vertical metrics.

    Attributes
    ----------
    regular, bold, oblique, bold_oblique : str
        Font names for ReportLab (canvas ``setFont``, paragraph styles); ``<b>`` and ``<i>``
        in paragraphs of the regular face select the others.
    ascent, descent : float
        Height above and depth below the baseline of the regular face, per point of size
        (``descent`` is negative).
    """

    regular: str
    bold: str
    oblique: str
    bold_oblique: str
    ascent: float
    descent: float


@cache
def pdf_fonts() -> PdfFonts:
    """The DejaVu Sans faces, registered with ReportLab on first use.

    Raises
    ------
    FileNotFoundError
        If a font file is missing from the matplotlib installation.
    """
    for name, file in _FONT_FILES.items():
        path = font_dir() / file
        if not path.is_file():
            raise FileNotFoundError(f"{path}: font file not found (is matplotlib installed?)")
        font = TTFont(name, str(path))
        font.face.name = name.encode("ascii")  # the PostScript name written into the PDFs
        pdfmetrics.registerFont(font)
    for bold, italic, name in ((0, 0, FONT), (1, 0, FONT_BOLD), (0, 1, FONT_OBLIQUE),
                               (1, 1, FONT_BOLD_OBLIQUE)):  # fmt: skip
        addMapping(FONT, bold, italic, name)
    ascent, descent = pdfmetrics.getAscentDescent(FONT, 1.0)
    return PdfFonts(FONT, FONT_BOLD, FONT_OBLIQUE, FONT_BOLD_OBLIQUE, ascent, descent)
