#pragma once
// The pieces every JSON document is made of (render_json.cpp), shared by the per-command renderers.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "fitcheck/budget.hpp"
#include "fitcheck/catalog.hpp"
#include "fitcheck/footprint.hpp"
#include "fitcheck/speed.hpp"

namespace fitcheck::cli {

using Json = nlohmann::ordered_json;

// The document as printed: floats to 4 significant digits, invalid UTF-8 replaced.
std::string document(Json j);
// schema_version, fitcheck_version, catalog.
Json header(const Catalog& catalog);
Json footprint_object(const Footprint& f);
Json hardware_object(const Hardware& hw, const Budget& b);
Json number_or_null(const std::optional<double>& v);
// A decode speed; 0 is unknown (a custom target without --bandwidth), shown as null rather than a number.
Json tps_or_null(double tps);
// decode_tps_mtp: {low, high}, or null without a drafter's speed.
Json mtp_range_or_null(const std::optional<MtpSpeed>& mtp);

}  // namespace fitcheck::cli
