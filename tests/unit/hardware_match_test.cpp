// Hardware as people type it (Catalog::match_hardware, lookup_hardware, filter_hardware), on the mini catalog
// with the look-alike profiles that make matching hard: two RTX 3060s of different memory, a Ti, a Laptop, and
// two M3 Max.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fitcheck/catalog.hpp"
#include "fitcheck/error.hpp"
#include "support/test_support.hpp"

using namespace fitcheck;

namespace {

const Catalog& look_alikes() {
  static const Catalog k_catalog = [] {
    nlohmann::json j = nlohmann::json::parse(test::read_text(test::data_path("mini_catalog.json")));
    const auto add = [&](const char* id, const char* name, const char* vendor, const char* kind, std::uint64_t gib) {
      j["hardware"].push_back({{"id", id},
                               {"name", name},
                               {"vendor", vendor},
                               {"memory_kind", kind},
                               {"memory_bytes", gib << 30},
                               {"bandwidth_gbs", 100},
                               {"source", "test"}});
    };
    add("rtx3060-8g", "GeForce RTX 3060 (8 GB, 128-bit)", "NVIDIA", "vram", 8);
    add("rtx3060-12g", "GeForce RTX 3060 (12 GB, 192-bit)", "NVIDIA", "vram", 12);
    add("rtx3060ti-8g", "GeForce RTX 3060 Ti", "NVIDIA", "vram", 8);
    add("rtx3060laptop-6g", "GeForce RTX 3060 Laptop GPU (6 GB)", "NVIDIA", "vram", 6);
    add("m3max30c-36g", "Apple M3 Max (14-core CPU / 30-core GPU), 36 GB unified memory", "Apple", "unified", 36);
    add("m3max40c-48g", "Apple M3 Max (16-core CPU / 40-core GPU), 48 GB unified memory", "Apple", "unified", 48);
    return load_catalog({{"look-alikes.json", j.dump()}}, "look-alikes.json");
  }();
  return k_catalog;
}

std::vector<std::string> ids(const std::vector<const Hardware*>& found) {
  std::vector<std::string> out;
  for (const Hardware* h : found) out.push_back(h->id);
  return out;
}

using Ids = std::vector<std::string>;

std::string usage_error(const std::string& query) {
  try {
    look_alikes().lookup_hardware(query);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::usage) << query;
    return e.what();
  }
  ADD_FAILURE() << "'" << query << "' resolved";
  return "";
}

}  // namespace

TEST(HardwareMatch, ExactIdFirstCaseInsensitive) {
  EXPECT_EQ(ids(look_alikes().match_hardware("RTX3060-12G")), Ids{"rtx3060-12g"});
  EXPECT_EQ(look_alikes().lookup_hardware("gpu-1g").id, "gpu-1g");
}

TEST(HardwareMatch, AModelNumberIsNotItsVariants) {
  // Not the Ti, not the Laptop: the two 3060s, in catalog order.
  EXPECT_EQ(ids(look_alikes().match_hardware("3060")), (Ids{"rtx3060-8g", "rtx3060-12g"}));
  EXPECT_EQ(ids(look_alikes().match_hardware("RTX 3060 Ti")), Ids{"rtx3060ti-8g"});
  EXPECT_EQ(ids(look_alikes().match_hardware("geforce rtx 3060 laptop")), Ids{"rtx3060laptop-6g"});
  EXPECT_EQ(ids(look_alikes().match_hardware("3060ti")), Ids{"rtx3060ti-8g"});  // letters and digits run together
}

TEST(HardwareMatch, AMemoryWordPicksTheSize) {
  for (const char* q : {"3060 12", "3060 12gb", "RTX 3060 12GB", "rtx3060 12g", "3060-12gib"}) {
    EXPECT_EQ(ids(look_alikes().match_hardware(q)), Ids{"rtx3060-12g"}) << q;
  }
  EXPECT_EQ(ids(look_alikes().match_hardware("m3 max 36")), Ids{"m3max30c-36g"});
  EXPECT_EQ(ids(look_alikes().match_hardware("M3 Max 48GB")), Ids{"m3max40c-48g"});
  EXPECT_EQ(ids(look_alikes().match_hardware("m3max")), (Ids{"m3max30c-36g", "m3max40c-48g"}));
}

TEST(HardwareMatch, TheLooserFilterWhenNoModelNameBegins) {
  // "14-core" begins no model name; it is in one name.
  EXPECT_EQ(ids(look_alikes().match_hardware("14-core")), Ids{"m3max30c-36g"});
  // A size alone: every profile of that size.
  EXPECT_EQ(ids(look_alikes().match_hardware("8gb")), (Ids{"rtx3060-8g", "rtx3060ti-8g"}));
  EXPECT_TRUE(look_alikes().match_hardware("rtx9999").empty());
}

TEST(HardwareMatch, LookupResolvesOneOrNamesTheCandidates) {
  EXPECT_EQ(look_alikes().lookup_hardware("3060 laptop").id, "rtx3060laptop-6g");
  EXPECT_EQ(usage_error("3060"), "'3060' matches rtx3060-8g, rtx3060-12g: give one");
  EXPECT_EQ(usage_error("rtx3060-13g"), "unknown GPU 'rtx3060-13g': did you mean 'rtx3060-12g'? (see 'fitcheck list gpus')");
}

TEST(HardwareMatch, FilterForListing) {
  // The looser filter alone: "3060" lists every 3060, the Ti and the Laptop too.
  EXPECT_EQ(ids(look_alikes().filter_hardware("3060")), (Ids{"rtx3060-8g", "rtx3060-12g", "rtx3060ti-8g", "rtx3060laptop-6g"}));
  EXPECT_EQ(ids(look_alikes().filter_hardware("apple")), (Ids{"mac-16g", "m3max30c-36g", "m3max40c-48g"}));
  EXPECT_EQ(ids(look_alikes().filter_hardware("m3 max 48")), Ids{"m3max40c-48g"});
  EXPECT_TRUE(look_alikes().filter_hardware("xyz").empty());
}
