// `fitcheck curve` files: the SVG is well-formed XML with the expected series and labels, the CSV has
// one row per point of the JSON document.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "cli/svg.hpp"

#include "support/test_support.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

using fitcheck::test::xml_problem;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST(CurveOutput, XmlCheckerRejectsBrokenDocuments) {
  EXPECT_EQ(xml_problem("<svg><g></g></svg>"), "");
  EXPECT_NE(xml_problem("<svg><g></svg>"), "");
  EXPECT_NE(xml_problem("<svg a=\"1></svg>"), "");
  EXPECT_NE(xml_problem("<svg>&nbsp;</svg>"), "");
  EXPECT_NE(xml_problem("<svg/><svg/>"), "");
}

TEST(CurveOutput, SvgHasTheSeriesBudgetAndSpillMarker) {
  const fs::path dir = fs::temp_directory_path() / "fitcheck-curve-test";
  fs::create_directories(dir);
  const std::string svg = (dir / "cliff.svg").string();
  const std::string csv = (dir / "cliff.csv").string();
  const auto r = fitcheck::test::run_cli(
      {"curve", "--gpu", "rtx4090-24g", "--model", "31b", "--quant", "Q4_K_M", "--svg", svg, "--csv", csv, "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = json::parse(r.out);
  const std::string doc = fitcheck::test::read_text(svg);
  EXPECT_EQ(xml_problem(doc), "");
  EXPECT_NE(doc.find("<svg xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  for (const char* id : {"title", "subtitle", "axes", "series", "spill", "legend", "x-label", "y-label", "y2-label"}) {
    EXPECT_EQ(count(doc, std::string("id=\"") + id + "\""), 1U) << id;
  }
  for (const char* cls : {"budget", "memory", "decode-tps"}) {
    EXPECT_EQ(count(doc, std::string("class=\"") + cls + "\""), 1U) << cls;
  }
  EXPECT_NE(doc.find("gemma-4-31b Q4_K_M on GeForce RTX 4090"), std::string::npos);
  EXPECT_NE(doc.find("spills to host RAM"), std::string::npos);
  // 23.99 GiB of VRAM less the 0.50 GiB CUDA reserve and the 1.00 GiB default headroom.
  EXPECT_NE(doc.find(">budget 22.49 GiB<"), std::string::npos);
  // One marker per point that runs, on the speed series.
  EXPECT_EQ(count(doc, "<circle "), j["points"].size());
  // The CSV: a header and one row per point, in the same order.
  const std::string table = fitcheck::test::read_text(csv);
  EXPECT_EQ(table.rfind("context,device_bytes,host_bytes,needed_device_bytes,fits,decode_tps,prefill_tps_full\n", 0), 0U);
  EXPECT_EQ(count(table, "\n"), j["points"].size() + 1);
  EXPECT_NE(table.find("\n" + std::to_string(j["points"][0]["context"].get<std::uint64_t>()) + ","), std::string::npos);
  // A longer prompt of whole ubatches (512 tokens) prefills slower per token while the model stays on the GPU: each
  // ubatch scores every cell cached before it. (A partial last ubatch reads the weights as a whole one does.)
  double previous = 0;
  int resident = 0;
  for (const auto& p : j["points"]) {
    if (!p["fits"].get<bool>()) break;
    if (p["context"].get<std::uint64_t>() % 512 != 0) continue;
    const double tps = p["prefill_tps_full"].get<double>();
    if (resident++ > 0) EXPECT_LT(tps, previous) << p["context"];
    previous = tps;
  }
  EXPECT_GE(resident, 3);
}

// Over models: one panel a model holding its presets, their names side by side and level (no rotated
// labels), each narrower than the slot between neighbours.
TEST(CurveOutput, SvgOverModelsHasOnePanelAModel) {
  const fs::path dir = fs::temp_directory_path() / "fitcheck-curve-test";
  fs::create_directories(dir);
  const std::string svg = (dir / "models.svg").string();
  const auto r = fitcheck::test::run_cli({"curve", "--gpu", "rtx3060-12g", "--over", "models", "--svg", svg, "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = json::parse(r.out);
  const std::string doc = fitcheck::test::read_text(svg);
  EXPECT_EQ(xml_problem(doc), "");
  std::map<std::string, std::size_t> presets;  // per model
  for (const json& p : j["points"]) ++presets[p["model"].get<std::string>()];
  ASSERT_GE(presets.size(), 5U);
  EXPECT_EQ(count(doc, "class=\"panel\""), presets.size());
  // Only the two y axis titles are turned.
  EXPECT_EQ(count(doc, "rotate("), 2U);
  for (const auto& [model, n] : presets) {
    const std::size_t at = doc.find("id=\"panel-" + model + "\"");
    ASSERT_NE(at, std::string::npos) << model;
    const std::size_t ticks = doc.find("class=\"x-ticks\"", at);
    const std::string row = doc.substr(ticks, doc.find("</g>", ticks) - ticks);
    const std::regex label(R"re(<text x="([0-9.]+)" y="[0-9.]+" text-anchor="middle">([^<]+)</text>)re");
    std::vector<std::pair<double, std::string>> labels;
    for (auto it = std::sregex_iterator(row.begin(), row.end(), label); it != std::sregex_iterator(); ++it) {
      labels.emplace_back(std::stod((*it)[1]), (*it)[2]);
    }
    EXPECT_EQ(labels.size(), n) << model;
    for (std::size_t k = 1; k < labels.size(); ++k) {
      const fitcheck::cli::svg::Font small{11, false};
      const double half_widths = (fitcheck::cli::svg::text_width(labels[k - 1].second, small) +
                                  fitcheck::cli::svg::text_width(labels[k].second, small)) /
                                 2;
      EXPECT_GE(labels[k].first - labels[k - 1].first, half_widths) << labels[k - 1].second << " " << labels[k].second;
    }
  }
}

TEST(CurveOutput, UnwritableSvgIsADataError) {
  const auto r = fitcheck::test::run_cli({"curve", "--gpu", "rtx4090-24g", "--model", "31b", "--svg", "/nonexistent/dir/x.svg"});
  EXPECT_EQ(r.code, 3);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("cannot write '/nonexistent/dir/x.svg'"), std::string::npos) << r.err;
}
