"""Page geometry, colours and the fixed Japanese document terms shared by the PDF modules."""

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 15 * mm  # where text and rules start; the frame's own padding is taken off the page margin
FRAME_PADDING = 6
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 18 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN_X


def page_size(is_landscape: bool) -> tuple[float, float]:
    """A4 portrait, or A4 landscape for wide tables (the register)."""
    return landscape(A4) if is_landscape else A4


def frame_width(is_landscape: bool) -> float:
    """The width text and tables may use on a page of that orientation."""
    return page_size(is_landscape)[0] - 2 * MARGIN_X
CELL_PADDING = 3  # left and right
CELL_PADDING_Y = 3  # top and bottom (reportlab's default)
CELL_FONT_SIZE = 8.5
CELL_LEADING = 11.5
CONFIDENTIAL_MARK = "社外秘"
GENERATED_LABEL = "作成日時"
SIGNATURE_DATE_LINE = "日付：" + "\u00a0" * 10 + "年" + "\u00a0" * 6 + "月" + "\u00a0" * 6 + "日"
LINE_COLOUR = colors.HexColor("#9AA5B1")
HEADER_FILL = colors.HexColor("#E3E8EF")
ZEBRA_FILL = colors.HexColor("#F6F8FA")
INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#52606D")
RED = colors.HexColor("#C62828")
LIGHT_COLOURS = {  # level: (text and dot, cell background)
    "green": (colors.HexColor("#1B7A35"), colors.HexColor("#E3F4E7")),
    "amber": (colors.HexColor("#9A5B00"), colors.HexColor("#FFF1D6")),
    "red": (colors.HexColor("#C62828"), colors.HexColor("#FDE4E4")),
    "grey": (colors.HexColor("#52606D"), colors.HexColor("#EEF0F2")),
}
