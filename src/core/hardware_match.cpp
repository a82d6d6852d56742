// Hardware as people type it: "3060", "RTX 4090", "h100", "m3 max 36". Three tiers, the first that finds
// anything wins: the exact id; a model name with an optional memory size; a looser filter on the id and name.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "core/text.hpp"
#include "fitcheck/catalog.hpp"
#include "fitcheck/error.hpp"
#include "fitcheck/units.hpp"

namespace fitcheck {
namespace {

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// Lower-case runs of letters and digits: "GeForce RTX 3060 (12 GB)" -> geforce, rtx, 3060, 12, gb.
std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  for (const char c : text) {
    if (is_alnum(c)) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      out.push_back(word);
      word.clear();
    }
  }
  if (!word.empty()) out.push_back(word);
  return out;
}

// Words that say who makes the card or its series, which people type or leave out as they please.
bool is_brand(const std::string& token) {
  static const char* const k_brands[] = {"geforce", "nvidia", "amd", "radeon", "apple", "intel",
                                         "rtx",     "gtx",    "rx",  "arc",    "tesla", "instinct"};
  return std::any_of(std::begin(k_brands), std::end(k_brands), [&](const char* b) { return token == b; });
}

// Words that make another product of the same number: "3060" is not the 3060 Ti, nor the 3060 Laptop.
bool is_variant(const std::string& token) {
  static const char* const k_variants[] = {"ti",  "tis", "super", "s",      "xt",     "xtx",
                                           "max", "pro", "ultra", "laptop", "mobile", "nvl"};
  return std::any_of(std::begin(k_variants), std::end(k_variants), [&](const char* v) { return token == v; });
}

// Words split where letters meet digits ("rtx3060ti" -> rtx, 3060, ti; "m3" -> m, 3), brands dropped.
std::vector<std::string> model_tokens(const std::vector<std::string>& ws) {
  std::vector<std::string> out;
  for (const std::string& w : ws) {
    std::size_t start = 0;
    for (std::size_t i = 1; i <= w.size(); ++i) {
      if (i == w.size() || is_digit(w[i]) != is_digit(w[i - 1])) {
        std::string token = w.substr(start, i - start);
        if (!is_brand(token)) out.push_back(std::move(token));
        start = i;
      }
    }
  }
  return out;
}

// "36", "36g", "36gb", "36gib" -> 36; nullopt for any other word. `bare`: whether it had no unit.
std::optional<std::uint64_t> size_word(const std::string& w, bool& bare) {
  std::size_t i = 0;
  while (i < w.size() && is_digit(w[i])) ++i;
  const std::string unit = w.substr(i);
  bare = unit.empty();
  // At most 3 digits: no card or Mac is sold with 1000 GB or more, and "4090" is a model.
  if (i == 0 || i > 3 || !(bare || unit == "g" || unit == "gb" || unit == "gib")) return std::nullopt;
  return std::stoull(w.substr(0, i));
}

// A query split into the model's words and the memory size it names, if any. A word with a unit ("36gb") is
// a size; a bare number is one only as the last of several words ("m3 max 36"), and only if `bare_sizes`.
struct Query {
  std::vector<std::string> words;
  std::optional<std::uint64_t> gib;
};

Query split_query(std::string_view text, bool bare_sizes) {
  Query q;
  const std::vector<std::string> ws = words(text);
  for (std::size_t i = 0; i < ws.size(); ++i) {
    bool bare = false;
    const std::optional<std::uint64_t> size = size_word(ws[i], bare);
    const bool last_of_several = i + 1 == ws.size() && i > 0;
    if (size && !q.gib && (!bare || (bare_sizes && last_of_several))) {
      q.gib = size;
    } else {
      q.words.push_back(ws[i]);
    }
  }
  return q;
}

// Sizes as sold: a profile of 23.99 GiB (the driver's figure) is the 24 GB card.
bool memory_matches(const Hardware& h, const Query& q) {
  if (!q.gib) return true;
  return std::fabs(static_cast<double>(h.memory_bytes) / static_cast<double>(k_gib) - static_cast<double>(*q.gib)) < 0.5;
}

// The query's model words begin the profile's (its id or its name), and what follows is not a variant word.
bool starts_model(const std::vector<std::string>& profile, const std::vector<std::string>& query) {
  if (query.empty() || query.size() > profile.size()) return false;
  if (!std::equal(query.begin(), query.end(), profile.begin())) return false;
  return query.size() == profile.size() || !is_variant(profile[query.size()]);
}

std::string compact(const std::vector<std::string>& ws) {
  std::string out;
  for (const std::string& w : ws) out += w;
  return out;
}

template <class Accept>
std::vector<const Hardware*> select(const std::vector<Hardware>& hardware, Accept accept) {
  std::vector<const Hardware*> out;
  for (const Hardware& h : hardware) {
    if (accept(h)) out.push_back(&h);
  }
  return out;
}

std::vector<const Hardware*> by_model(const std::vector<Hardware>& hardware, const Query& q) {
  const std::vector<std::string> wanted = model_tokens(q.words);
  if (wanted.empty()) return {};
  return select(hardware, [&](const Hardware& h) {
    return memory_matches(h, q) &&
           (starts_model(model_tokens(words(h.id)), wanted) || starts_model(model_tokens(words(h.name)), wanted));
  });
}

// Looser: the query's words, run together, appear in the id, the name or the vendor run together.
std::vector<const Hardware*> by_text(const std::vector<Hardware>& hardware, const Query& q) {
  const std::string wanted = compact(q.words);
  return select(hardware, [&](const Hardware& h) {
    const auto has = [&](std::string_view text) { return compact(words(text)).find(wanted) != std::string::npos; };
    return memory_matches(h, q) && (wanted.empty() || has(h.id) || has(h.name) || has(h.vendor));
  });
}

// A trailing bare number is a size first ("m3 max 36"), else part of the name ("rtx 580").
template <class Tier>
std::vector<const Hardware*> with_sizes(const std::vector<Hardware>& hardware, std::string_view text, Tier tier) {
  const Query sized = split_query(text, true);
  std::vector<const Hardware*> found = tier(hardware, sized);
  if (found.empty() && sized.gib) found = tier(hardware, split_query(text, false));
  return found;
}

}  // namespace

std::vector<const Hardware*> Catalog::match_hardware(std::string_view query) const {
  for (const Hardware& h : hardware) {
    if (text::equals_ignoring_case(h.id, query)) return {&h};
  }
  if (query.size() > 128) return {};  // no name is that long
  std::vector<const Hardware*> found = with_sizes(hardware, query, by_model);
  if (found.empty()) found = with_sizes(hardware, query, by_text);
  return found;
}

std::vector<const Hardware*> Catalog::filter_hardware(std::string_view word) const {
  if (word.size() > 128) return {};
  return with_sizes(hardware, word, by_text);
}

const Hardware& Catalog::lookup_hardware(std::string_view query) const {
  const std::vector<const Hardware*> found = match_hardware(query);
  if (found.empty()) return find_hardware(query);  // throws with its "did you mean"
  if (found.size() == 1) return *found.front();
  constexpr std::size_t k_shown = 8;
  std::string ids;
  for (std::size_t i = 0; i < found.size() && i < k_shown; ++i) ids += (i ? ", " : "") + found[i]->id;
  std::string more;
  if (found.size() > k_shown) {
    ids += " and " + std::to_string(found.size() - k_shown) + " more";
    more = " (see 'fitcheck list gpus " + std::string(text::trim(query)) + "')";
  }
  throw Error(Errc::usage, "'" + std::string(query) + "' matches " + ids + ": give one" + more);
}

}  // namespace fitcheck
