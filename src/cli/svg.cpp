// Text measurement and the header shared by the curve charts (see svg.hpp).
#include "cli/svg.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/text.hpp"

namespace fitcheck::cli::svg {
namespace {

// Advance widths in em, the widest of each class in DejaVu Sans Book and Bold (DejaVuSans.ttf and
// DejaVuSans-Bold.ttf, hmtx table, 2048 units per em): '!' 0.401 / 0.456, '"' 0.460 / 0.521, 'b' 0.635 / 0.716,
// 'O' 0.787 / 0.850, '@' 1.000 and 'W' 0.989 / 1.103. Helvetica and Arial are narrower.
struct Em {
  double book;
  double bold;
};
constexpr Em k_narrow{0.41, 0.46};
constexpr Em k_thin{0.47, 0.53};
constexpr Em k_normal{0.64, 0.72};
constexpr Em k_capital{0.79, 0.85};
constexpr Em k_wide{1.0, 1.11};

Em em_of(unsigned char c) {
  const std::string_view narrow = " ',.:;!|/\\ijlIJ", thin = "()[]-frt\"", wide = "mwMW%@#+<=>^~&";
  if (c >= 0x80) return k_wide;  // a code point outside ASCII (counted once, at its lead byte)
  if (narrow.find(static_cast<char>(c)) != std::string_view::npos) return k_narrow;
  if (thin.find(static_cast<char>(c)) != std::string_view::npos) return k_thin;
  if (wide.find(static_cast<char>(c)) != std::string_view::npos) return k_wide;
  if (c >= 'A' && c <= 'Z') return k_capital;
  return k_normal;
}

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// `word` cut into pieces no wider than `max_width` (at least one code point each).
std::vector<std::string> break_word(std::string_view word, double max_width, Font font) {
  std::vector<std::string> pieces{""};
  for (std::size_t i = 0; i < word.size();) {
    std::size_t end = i + 1;
    while (end < word.size() && is_continuation(static_cast<unsigned char>(word[end]))) ++end;
    const std::string_view code_point = word.substr(i, end - i);
    if (!pieces.back().empty() && text_width(pieces.back() + std::string(code_point), font) > max_width) pieces.emplace_back();
    pieces.back() += code_point;
    i = end;
  }
  return pieces;
}

}  // namespace

double text_width(std::string_view text, Font font) {
  double em = 0;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_continuation(c)) continue;
    em += font.bold ? em_of(c).bold : em_of(c).book;
  }
  return em * font.size;
}

std::vector<std::string> wrap(std::string_view text, double max_width, Font font) {
  std::vector<std::string> lines{""};
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t space = std::min(text.find(' ', at), text.size());
    const std::string_view word = text.substr(at, space - at);
    at = space + 1;
    if (word.empty()) continue;
    const std::string joined = lines.back().empty() ? std::string(word) : lines.back() + " " + std::string(word);
    if (text_width(joined, font) <= max_width) {
      lines.back() = joined;
      continue;
    }
    if (!lines.back().empty()) lines.emplace_back();
    for (const std::string& piece : break_word(word, max_width, font)) {
      if (!lines.back().empty()) lines.emplace_back();
      lines.back() = piece;
    }
  }
  return lines;
}

std::string text_block(const std::vector<std::string>& lines, double x, double y, double line_height, std::string_view attrs) {
  std::string s = fmt::format("  <text x=\"{:.1f}\" y=\"{:.1f}\" {}>", x, y, attrs);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    s += fmt::format("<tspan x=\"{:.1f}\" dy=\"{}\">{}</tspan>", x, i == 0 ? 0.0 : line_height, text::xml_escape(lines[i]));
  }
  return s + "</text>\n";
}

Header header(const HeaderText& text, double left, double right) {
  constexpr Font k_title{15, true};
  constexpr Font k_body{13, false};
  Header h;
  const auto title = wrap(text.title, right - left, k_title);
  h.svg += text_block(title, left, 30, 20, "id=\"title\" font-size=\"15\" font-weight=\"bold\"");
  double y = 30 + 20.0 * static_cast<double>(title.size() - 1) + 22;
  const auto subtitle = wrap(text.subtitle, right - left, k_body);
  h.svg += text_block(subtitle, left, y, 18, "id=\"subtitle\" fill=\"#555555\"");
  y += 18.0 * static_cast<double>(subtitle.size() - 1) + 25;
  // Legend entries flow left to right and onto a new row when the next would pass `right`.
  h.svg += "  <g id=\"legend\">\n";
  double x = left;
  for (const LegendEntry& e : text.legend) {
    const double w = 30 + text_width(e.label, k_body);
    if (x > left && x + w > right) {
      x = left;
      y += 20;
    }
    h.svg += fmt::format("    <g transform=\"translate({:.1f} {:.1f})\">{}<text x=\"30\" y=\"4\">{}</text></g>\n", x, y, e.swatch,
                         text::xml_escape(e.label));
    x += w + 20;
  }
  h.svg += "  </g>\n";
  h.bottom = y + 13;
  return h;
}

std::string document(double width, double height, const std::string& body) {
  return fmt::format(
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" height=\"{1:.0f}\" viewBox=\"0 0 {0:.0f} {1:.0f}\" "
             "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"13\">\n"
             "  <rect width=\"{0:.0f}\" height=\"{1:.0f}\" fill=\"#ffffff\"/>\n",
             width, height) +
         body + "</svg>\n";
}

}  // namespace fitcheck::cli::svg
