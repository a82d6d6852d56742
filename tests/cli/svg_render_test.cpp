// The curve charts as people see them: each SVG rendered to PNG by rsvg-convert (librsvg), then checked for
// what clipping would break. Skipped where rsvg-convert or libpng is missing (CI installs both:
// scripts/install-deps.sh).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "cli/svg.hpp"
#include "support/test_support.hpp"

#if FITCHECK_HAVE_PNG
#include <png.h>
#endif

namespace fs = std::filesystem;
namespace svg = fitcheck::cli::svg;

namespace {

struct Image {
  unsigned width = 0, height = 0;
  std::vector<unsigned char> rgba;  // 4 bytes a pixel, rows top to bottom
  const unsigned char* at(unsigned x, unsigned y) const { return &rgba[(std::size_t{y} * width + x) * 4]; }
  bool inked(unsigned x, unsigned y) const {  // drawn on, and not white
    const unsigned char* p = at(x, y);
    return p[3] > 0 && (p[0] < 250 || p[1] < 250 || p[2] < 250);
  }
};

// Why the test cannot run here, or "".
std::string missing_tools() {
#if !FITCHECK_HAVE_PNG
  return "libpng was not found when the tests were configured";
#else
  if (std::system("rsvg-convert --version > /dev/null 2>&1") != 0) return "rsvg-convert (librsvg2-bin) is not installed";
  return "";
#endif
}

fs::path scratch() {
  const fs::path dir = fs::temp_directory_path() / "fitcheck-svg-render-test";
  fs::create_directories(dir);
  return dir;
}

void write(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// `svg_text` rendered at its own size; the image is empty when rendering failed.
Image render(const std::string& svg_text, const std::string& name) {
  Image img;
#if FITCHECK_HAVE_PNG
  const fs::path in = scratch() / (name + ".svg"), out = scratch() / (name + ".png");
  write(in, svg_text);
  fs::remove(out);
  if (std::system(("rsvg-convert -o '" + out.string() + "' '" + in.string() + "'").c_str()) != 0) return img;
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_file(&png, out.c_str()) == 0) return img;
  png.format = PNG_FORMAT_RGBA;
  img.rgba.resize(PNG_IMAGE_SIZE(png));
  if (png_image_finish_read(&png, nullptr, img.rgba.data(), 0, nullptr) == 0) return Image{};
  img.width = png.width;
  img.height = png.height;
#else
  (void)svg_text;
  (void)name;
#endif
  return img;
}

// The root's width and height attributes.
std::pair<unsigned, unsigned> declared_size(const std::string& doc) {
  std::smatch m;
  const std::regex root(R"re(<svg [^>]*width="(\d+)" height="(\d+)" viewBox="0 0 (\d+) (\d+)")re");
  if (!std::regex_search(doc, m, root) || m[1] != m[3] || m[2] != m[4]) return {0, 0};
  return {static_cast<unsigned>(std::stoul(m[1])), static_cast<unsigned>(std::stoul(m[2]))};
}

// The same picture with a transparent band of `pad` px around it: whatever a renderer would clip at the
// picture's edge is drawn in the band instead.
std::string padded(const std::string& doc, unsigned w, unsigned h, unsigned pad) {
  const std::string from = "width=\"" + std::to_string(w) + "\" height=\"" + std::to_string(h) + "\" viewBox=\"0 0 " +
                           std::to_string(w) + " " + std::to_string(h) + "\"";
  const std::string to = "width=\"" + std::to_string(w + 2 * pad) + "\" height=\"" + std::to_string(h + 2 * pad) +
                         "\" viewBox=\"-" + std::to_string(pad) + " -" + std::to_string(pad) + " " + std::to_string(w + 2 * pad) +
                         " " + std::to_string(h + 2 * pad) + "\"";
  std::string out = doc;
  const std::size_t at = out.find(from);
  if (at != std::string::npos) out.replace(at, from.size(), to);
  return out;
}

std::string curve_svg(const std::vector<std::string>& args, const std::string& name) {
  const std::string path = (scratch() / (name + "-out.svg")).string();
  std::vector<std::string> argv = args;
  argv.insert(argv.end(), {"--svg", path});
  const auto r = fitcheck::test::run_cli(argv);
  EXPECT_EQ(r.code, 0) << r.err;
  return fitcheck::test::read_text(path);
}

}  // namespace

TEST(SvgText, WrapKeepsEveryLineWithinTheWidthAndEveryWord) {
  const svg::Font font{13, false};
  // The longest hardware name in the catalog, in a title.
  const std::string title = "gemma-4-26b-a4b BF16 on AMD Ryzen AI Max+ 395 (Strix Halo, Radeon 8060S), 128 GB LPDDR5X-8000";
  const auto lines = svg::wrap(title, 300, font);
  ASSERT_GT(lines.size(), 1U);
  std::string joined;
  for (const std::string& l : lines) {
    EXPECT_LE(svg::text_width(l, font), 300) << l;
    joined += (joined.empty() ? "" : " ") + l;
  }
  EXPECT_EQ(joined, title);
  // A word wider than the line is cut between characters, never at a UTF-8 continuation byte.
  const auto cut = svg::wrap("xxxxxxxxxxxxxxxxxxxxxxxx\xc3\xa9\xc3\xa9\xc3\xa9", 60, font);
  ASSERT_GT(cut.size(), 2U);
  for (const std::string& l : cut) {
    EXPECT_LE(svg::text_width(l, font), 60) << l;
    EXPECT_NE(static_cast<unsigned char>(l.front()) & 0xC0, 0x80) << l;
  }
  EXPECT_EQ(svg::wrap("", 100, font), std::vector<std::string>{""});
}

TEST(SvgText, WidthEstimateIsAnUpperBoundOfTheRenderedText) {
  if (const std::string why = missing_tools(); !why.empty()) GTEST_SKIP() << why;
  std::vector<std::pair<std::string, svg::Font>> rows;
  const std::string ascii_groups[] = {
      "!\"#$%&'()*+,-./0123456789:;<=>?@", "ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`",
      "abcdefghijklmnopqrstuvwxyz{|}~",    "MMMMWWWW@@@@mmmmwwww%%%%",
      "Q4_K_M IQ4_XS MXFP4 BF16",          "NVIDIA RTX PRO 6000 Blackwell (Workstation / Max-Q / Server Edition)"};
  for (const std::string& text : ascii_groups) {
    rows.push_back({text, {13, false}});
    rows.push_back({text, {15, true}});
    rows.push_back({text, {11, false}});
  }
  double widest = 0;
  for (const auto& [text, font] : rows) widest = std::max(widest, svg::text_width(text, font));
  const unsigned w = static_cast<unsigned>(widest) + 60, h = static_cast<unsigned>(rows.size()) * 30 + 10;
  std::string body;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    body += svg::text_block({rows[i].first}, 10, 30.0 * static_cast<double>(i) + 25, 0,
                            "font-size=\"" + std::to_string(static_cast<int>(rows[i].second.size)) + "\"" +
                                (rows[i].second.bold ? " font-weight=\"bold\"" : ""));
  }
  const Image img = render(svg::document(w, h, body), "widths");
  ASSERT_EQ(img.width, w);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    unsigned right = 0;  // the rightmost inked column of the row's band
    for (unsigned y = 30 * static_cast<unsigned>(i) + 5; y < 30 * static_cast<unsigned>(i) + 35 && y < h; ++y) {
      for (unsigned x = 0; x < w; ++x) {
        if (img.inked(x, y)) right = std::max(right, x);
      }
    }
    EXPECT_GT(right, 10U) << rows[i].first;  // drawn at all
    EXPECT_LE(right, 10 + svg::text_width(rows[i].first, rows[i].second)) << rows[i].first;
  }
}

// Every chart, rendered: the PNG has the declared size, nothing is drawn outside the picture (rendered again
// with a transparent band around it, the band stays empty) and nothing touches its edge.
TEST(SvgRender, ChartsDrawNothingOutsideTheirCanvas) {
  if (const std::string why = missing_tools(); !why.empty()) GTEST_SKIP() << why;
  const std::vector<std::vector<std::string>> cases = {
      {"curve", "--gpu", "rtx4090-24g", "--model", "31b"},
      {"curve", "--gpu", "ryzenaimax395-128g", "--model", "26b"},  // the longest hardware name
      {"curve", "--gpu", "rtxpro6000-96g", "--model", "e2b"},
      {"curve", "--gpu", "rtx3060-12g", "--over", "models", "--ctx", "32k"},
      {"curve", "--gpu", "ryzenaimax395-128g", "--over", "models"},
      {"curve", "--vram", "6GB", "--bandwidth", "288", "--over", "models"},  // a custom card, most models spill
  };
  constexpr unsigned k_pad = 60;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i][2] + " " + cases[i][3] + " " + cases[i][4]);
    const std::string doc = curve_svg(cases[i], "chart" + std::to_string(i));
    const auto [w, h] = declared_size(doc);
    ASSERT_GT(w, 0U);
    const Image img = render(doc, "chart" + std::to_string(i));
    ASSERT_EQ(img.width, w);
    ASSERT_EQ(img.height, h);
    unsigned edge = 0;
    for (unsigned y = 0; y < h; ++y) {
      for (unsigned x = 0; x < w; ++x) edge += (x < 4 || y < 4 || x + 4 >= w || y + 4 >= h) && img.inked(x, y) ? 1 : 0;
    }
    EXPECT_EQ(edge, 0U) << "pixels drawn within 4 px of the edge";
    const Image wide = render(padded(doc, w, h, k_pad), "chart-padded" + std::to_string(i));
    ASSERT_EQ(wide.width, w + 2 * k_pad);
    unsigned outside = 0;
    for (unsigned y = 0; y < wide.height; ++y) {
      for (unsigned x = 0; x < wide.width; ++x) {
        const bool inside = x >= k_pad && x < k_pad + w && y >= k_pad && y < k_pad + h;
        outside += !inside && wide.at(x, y)[3] > 0 ? 1 : 0;
      }
    }
    EXPECT_EQ(outside, 0U) << "pixels drawn outside the picture (clipped in the real one)";
  }
}

// The check above catches what the old chart did: a title longer than the picture.
TEST(SvgRender, TheCheckSeesATitlePastTheEdge) {
  if (const std::string why = missing_tools(); !why.empty()) GTEST_SKIP() << why;
  const std::string doc =
      svg::document(200, 50, "  <text x=\"10\" y=\"30\">a title much longer than two hundred pixels</text>\n");
  const Image wide = render(padded(doc, 200, 50, 20), "clipped");
  ASSERT_EQ(wide.width, 240U);
  unsigned outside = 0;
  for (unsigned y = 0; y < wide.height; ++y) outside += wide.at(235, y)[3] > 0 || wide.at(225, y)[3] > 0 ? 1 : 0;
  EXPECT_GT(outside, 0U);
}
