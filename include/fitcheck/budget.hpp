#pragma once
// How much memory a deployment may use on a piece of hardware, and whether a footprint fits.
#include <cstdint>
#include <optional>
#include <string>

#include "fitcheck/catalog.hpp"
#include "fitcheck/footprint.hpp"

namespace fitcheck {

struct Budget {
  std::string hardware_id;
  MemoryKind memory_kind = MemoryKind::vram;
  std::uint64_t memory_bytes = 0;
  Backend backend = Backend::cuda;     // the llama.cpp backend the budget is for (its platform's reserve)
  std::uint64_t reserve_bytes = 0;     // runtime reserve taken off device memory (VRAM)
  std::uint64_t device_bytes = 0;      // what device-resident parts may use (after the headroom)
  std::uint64_t headroom_bytes = 0;    // kept free on the device (llama.cpp --fit's margin by default)
  std::string device_basis;            // how device_bytes was found, in words
  std::uint64_t os_reserve_bytes = 0;  // unified: taken off RAM for the OS
  std::uint64_t ram_bytes = 0;         // unified: device + host must fit here; 0 = host unchecked
  std::uint64_t host_ram_bytes = 0;    // discrete GPU: the host RAM host-resident parts may use; 0 = unchecked
};

// The backend llama.cpp would use on this hardware: its vendor's (data/runtimes.json "vendors").
Backend default_backend(const Catalog& catalog, const Hardware& hardware);

// Budget for a catalog profile or a custom device under a backend; `reserve` overrides the platform reserve.
// The cpu backend uses no device memory: only RAM (unified memory) is checked.
Budget make_budget(const Catalog& catalog, const Hardware& hardware, Backend backend, std::optional<std::uint64_t> reserve);
// The same with the hardware's default backend.
Budget make_budget(const Catalog& catalog, const Hardware& hardware, std::optional<std::uint64_t> reserve);

// Keeps `bytes` of the device budget free: a plan must fit in what is left.
void apply_headroom(Budget& budget, std::uint64_t bytes);

struct FitResult {
  bool fits = false;
  std::uint64_t device_over = 0;  // bytes over the device budget (0 when within)
  std::uint64_t ram_over = 0;     // unified: bytes over RAM less the OS reserve
};
FitResult check_fit(const Budget& budget, const Footprint& footprint);

// What a plan placed as `placed` leaves free beyond the headroom: the device budget's rest, and on unified
// memory no more than RAM's rest (device + resident host within RAM less the OS reserve).
std::uint64_t spare_bytes(const Budget& budget, const Footprint& footprint, Split placed);

}  // namespace fitcheck
