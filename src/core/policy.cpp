#include "core/policy.hpp"

#include <algorithm>

#include "fitcheck/units.hpp"

namespace fitcheck {
namespace {

// The candidates of one model: [first, last).
struct ModelRange {
  std::size_t first = 0;
  std::size_t last = 0;
};

class Chooser {
 public:
  Chooser(Plan& plan, std::size_t per_model) : m_plan(plan), m_per_model(per_model) {}

  void run() {
    const std::size_t models = m_per_model == 0 ? 0 : m_plan.candidates.size() / m_per_model;
    for (std::size_t mi = models; mi-- > 0;) {
      if (any_eligible(range(mi))) {
        m_model = mi;
        break;
      }
    }
    if (!m_model) {
      if (models > 0) add_floor_option(0);
      return;
    }
    m_plan.chosen = pick(*m_model, m_plan.constraints.prefer);
    if (m_plan.constraints.prefer == Preference::speed) m_plan.chosen = fastest();
    add_why_not();
    add_alternatives();
  }

 private:
  const Constraints& c() const { return m_plan.constraints; }
  const Candidate& at(std::size_t i) const { return m_plan.candidates[i]; }
  ModelRange range(std::size_t mi) const { return {mi * m_per_model, (mi + 1) * m_per_model}; }

  // Within the quality ceiling: BF16/F16 are chosen only with --prefer quality (no measured gain over Q8_0).
  bool within_ceiling(const Candidate& cand) const {
    return !c().quality_ceiling || cand.quality_rank <= c().quality_ceiling->quality_rank;
  }
  bool eligible(const Candidate& cand, bool ceiling = true) const {
    return cand.above_floor && cand.qualifies() && (!ceiling || within_ceiling(cand));
  }
  bool any_eligible(ModelRange r) const {
    for (std::size_t i = r.first; i < r.last; ++i) {
      if (eligible(at(i))) return true;
    }
    return false;
  }
  std::uint64_t target(const Candidate& cand) const {
    return c().target_context == 0 ? 0 : std::min(c().target_context, cand.model_max_context);
  }

  // The first (best quality) candidate of the range that `accept` takes.
  template <class Accept>
  std::optional<std::size_t> best(ModelRange r, Accept accept) const {
    for (std::size_t i = r.first; i < r.last; ++i) {
      if (accept(at(i))) return i;
    }
    return std::nullopt;
  }

  // The candidate of the range with the longest context that `accept` takes (ties: better quality).
  template <class Accept>
  std::optional<std::size_t> longest(ModelRange r, Accept accept) const {
    std::optional<std::size_t> out;
    for (std::size_t i = r.first; i < r.last; ++i) {
      if (accept(at(i)) && (!out || at(i).max_context > at(*out).max_context)) out = i;
    }
    return out;
  }

  std::size_t pick(std::size_t mi, Preference prefer) {
    const ModelRange r = range(mi);
    if (prefer == Preference::quality) {
      m_plan.why_preset = "the best preset that fits (--prefer quality)";
      return *best(r, [&](const Candidate& cand) { return eligible(cand, false); });
    }
    if (prefer == Preference::context) {
      m_plan.why_preset = "the preset that holds the longest context (--prefer context)";
      return *longest(r, [&](const Candidate& cand) { return eligible(cand); });
    }
    return pick_balanced(r);
  }

  // Balanced: the best preset (up to the ceiling) that holds the target context; else, spending no memory
  // on a preset above the community default, the longest context; else the best that fits.
  std::size_t pick_balanced(ModelRange r) {
    const auto holds_target = [&](const Candidate& cand) { return eligible(cand) && cand.max_context >= target(cand); };
    if (const auto i = best(r, holds_target)) {
      m_plan.why_preset = target(at(*i)) == 0
                              ? "the best preset that fits"
                              : "the best preset that holds the target context of " + format_context(target(at(*i)));
      if (c().quality_ceiling && *i > r.first && !within_ceiling(at(*i - 1)) && at(*i - 1).qualifies()) {
        m_plan.why_preset += " (nothing above " + c().quality_ceiling->id + ": no measured gain)";
      }
      return *i;
    }
    const int default_rank = c().community_default ? c().community_default->quality_rank : 0;
    const auto at_most_default = [&](const Candidate& cand) { return eligible(cand) && cand.quality_rank <= default_rank; };
    if (const auto i = longest(r, at_most_default)) {
      m_plan.why_preset = "no preset holds the target context of " + format_context(target(at(*i))) +
                          "; the longest context at or below " + c().community_default->id;
      return *i;
    }
    m_plan.why_preset = "the best preset that fits";
    return *best(r, [&](const Candidate& cand) { return eligible(cand); });
  }

  // The fastest candidate among models of at least half the chosen model's size (a faster model of the
  // same class, such as an MoE beside a dense model; not a far smaller one).
  std::size_t fastest() const {
    std::size_t out = *m_plan.chosen;
    const std::uint64_t floor = at(out).model_params / 2;
    for (std::size_t i = 0; i < m_plan.candidates.size(); ++i) {
      const Candidate& cand = at(i);
      if (eligible(cand) && cand.model_params >= floor && cand.verdict.decode_tps() > at(out).verdict.decode_tps()) out = i;
    }
    return out;
  }

  void add_floor_option(std::size_t mi) {
    std::optional<std::size_t> smallest;
    const ModelRange r = range(mi);
    for (std::size_t i = r.first; i < r.last; ++i) {
      if (!at(i).above_floor) continue;
      if (!smallest || at(i).footprint.device_bytes() < at(*smallest).footprint.device_bytes()) smallest = i;
    }
    if (smallest) m_plan.next_bigger.push_back(*smallest);
  }

  // Why not bigger: the next better preset of the chosen model (within the ceiling), and the next larger model.
  void add_why_not() {
    const std::size_t chosen = *m_plan.chosen;
    const ModelRange r = range(chosen / m_per_model);
    for (std::size_t i = chosen; i-- > r.first;) {
      if (at(i).above_floor && within_ceiling(at(i))) {
        m_plan.next_bigger.push_back(i);
        break;
      }
    }
    const std::size_t models = m_plan.candidates.size() / m_per_model;
    if (chosen / m_per_model + 1 < models) add_floor_option(chosen / m_per_model + 1);
  }

  void add_alternative(const char* kind, std::optional<std::size_t> i) {
    if (!i || *i == *m_plan.chosen) return;
    for (const Alternative& a : m_plan.alternatives) {
      if (a.candidate.model == at(*i).model && a.candidate.quant == at(*i).quant) return;
    }
    m_plan.alternatives.push_back({kind, at(*i)});
  }

  void add_alternatives() {
    const Candidate& chosen = at(*m_plan.chosen);
    add_alternative("fastest", fastest());
    const std::uint64_t floor = chosen.model_params / 2;
    const ModelRange all{0, m_plan.candidates.size()};
    const auto longer = longest(all, [&](const Candidate& cand) {
      return eligible(cand) && cand.model_params >= floor && cand.max_context > chosen.max_context;
    });
    add_alternative("longest_context", longer);
    const auto better = best(range(*m_plan.chosen / m_per_model),
                             [&](const Candidate& cand) { return eligible(cand) && cand.quality_rank > chosen.quality_rank; });
    add_alternative("best_quality", better);
  }

  Plan& m_plan;
  std::size_t m_per_model;
  std::optional<std::size_t> m_model;
};

}  // namespace

void choose(Plan& plan, std::size_t per_model) { Chooser(plan, per_model).run(); }

const char* why_not_reason(const Candidate& c, const Constraints& constraints) {
  if (c.qualifies()) return "target_context";
  if (c.model_max_context < constraints.min_context) return "min_context";
  const bool runs = c.verdict.fit.fits || c.verdict.offload.has_value();
  return runs && constraints.speed ? "speed" : "memory";
}

bool misses_answer(const Plan& plan) {
  if (!plan.chosen) return true;
  const Candidate& chosen = plan.candidates[*plan.chosen];
  const std::uint64_t target = std::min(plan.constraints.target_context, chosen.model_max_context);
  return plan.constraints.prefer == Preference::balanced && chosen.max_context < target;
}

bool improves_on(const Plan& fallback, const Plan& plan, std::size_t per_model) {
  if (!fallback.chosen) return false;
  if (!plan.chosen) return true;
  const std::size_t model = *plan.chosen / per_model;
  const std::size_t fallback_model = *fallback.chosen / per_model;
  if (fallback_model != model) return fallback_model > model;
  return !misses_answer(fallback);
}

}  // namespace fitcheck
