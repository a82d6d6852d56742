#pragma once
// Layout helpers for the hand-written SVG charts: a conservative text width, so that every title and label is
// placed inside the picture (wrapped, or the canvas grown) rather than clipped, and the shared header.
#include <string>
#include <string_view>
#include <vector>

namespace fitcheck::cli::svg {

struct Font {
  double size = 13;  // px
  bool bold = false;
};

// An upper bound of the advance width of `text` (UTF-8) in px. The charts ask for Helvetica or Arial; where
// neither is installed, renderers fall back to DejaVu Sans, the widest of the three, so the per-character
// widths are DejaVu Sans's rounded up (other code points count a full em).
double text_width(std::string_view text, Font font);

// `text` broken at spaces into lines no wider than `max_width`; a word wider than a line is broken between
// characters. Never returns an empty vector.
std::vector<std::string> wrap(std::string_view text, double max_width, Font font);

// One <text> element holding `lines`, one <tspan> a line, `line_height` apart from the baseline `y`.
// `attrs` are extra attributes (id, fill, anchor), written as given.
std::string text_block(const std::vector<std::string>& lines, double x, double y, double line_height, std::string_view attrs);

// A legend entry: a swatch drawn in a 24 x 10 px box centred on y = 0, and its label.
struct LegendEntry {
  std::string swatch;
  std::string label;
};

// The title (bold, wrapped), subtitle (wrapped) and legend (entries flowed onto rows) from x = `left`, each
// line kept within `right`. `svg` is the markup; `bottom` the y below which the chart may draw.
struct Header {
  std::string svg;
  double bottom = 0;
};
struct HeaderText {
  std::string title;
  std::string subtitle;
  std::vector<LegendEntry> legend;
};
Header header(const HeaderText& text, double left, double right);

// The SVG document around `body`, `width` x `height` px on a white background.
std::string document(double width, double height, const std::string& body);

}  // namespace fitcheck::cli::svg
