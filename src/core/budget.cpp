#include "fitcheck/budget.hpp"

#include <algorithm>

#include "fitcheck/units.hpp"

namespace fitcheck {
namespace {

std::uint64_t share(std::uint64_t bytes, Fraction f) {
  return bytes / f.denominator * f.numerator + bytes % f.denominator * f.numerator / f.denominator;
}

std::uint64_t saturating_sub(std::uint64_t a, std::uint64_t b) { return a > b ? a - b : 0; }

// Apple's working set is the GPU's share; what it leaves of RAM is Apple's own judgment of what the system needs.
// Where that is less than the OS reserve (Macs of 12 GB and less), the OS keeps Apple's share, not the reserve.
void leave_apple_share_to_os(Budget& b, std::uint64_t gpu_limit) {
  const std::uint64_t left = saturating_sub(b.memory_bytes, gpu_limit);
  if (left >= b.os_reserve_bytes) return;
  b.os_reserve_bytes = left;
  b.ram_bytes = saturating_sub(b.memory_bytes, left);
}

}  // namespace

Backend default_backend(const Catalog& catalog, const Hardware& hw) { return parse_backend(catalog.vendor(hw.vendor).backend); }

Budget make_budget(const Catalog& catalog, const Hardware& hw, std::optional<std::uint64_t> reserve) {
  return make_budget(catalog, hw, default_backend(catalog, hw), reserve);
}

Budget make_budget(const Catalog& catalog, const Hardware& hw, Backend backend, std::optional<std::uint64_t> reserve) {
  Budget b;
  b.hardware_id = hw.id;
  b.memory_kind = hw.memory_kind;
  b.memory_bytes = hw.memory_bytes;
  b.backend = backend;
  b.reserve_bytes = backend == Backend::cpu ? 0 : reserve.value_or(catalog.platform(backend_name(backend)).reserve_bytes);
  const UnifiedMemoryRules& u = catalog.unified;
  if (backend == Backend::cpu) {
    // Nothing goes to device memory; on unified memory the whole footprint must fit in RAM.
    b.device_basis = "CPU backend: no device memory";
    if (hw.memory_kind == MemoryKind::unified) {
      b.os_reserve_bytes = u.os_reserve_bytes;
      b.ram_bytes = saturating_sub(hw.memory_bytes, u.os_reserve_bytes);
    }
    return b;
  }
  if (hw.memory_kind == MemoryKind::vram) {
    b.device_bytes = saturating_sub(hw.memory_bytes, b.reserve_bytes);
    b.device_basis = "VRAM less the " + std::string(backend_name(backend)) + " runtime reserve";
    return b;
  }

  b.os_reserve_bytes = u.os_reserve_bytes;
  b.ram_bytes = saturating_sub(hw.memory_bytes, u.os_reserve_bytes);
  std::uint64_t gpu_limit = 0;
  if (hw.gpu_working_set_bytes != 0) {
    gpu_limit = hw.gpu_working_set_bytes;
    b.device_basis = "measured GPU working set";
    leave_apple_share_to_os(b, gpu_limit);
  } else if (catalog.vendor(hw.vendor).wired_memory_limit) {
    const bool small = hw.memory_bytes <= u.small_ram_limit_bytes;
    const Fraction f = small ? u.small_ram_gpu_fraction : u.large_ram_gpu_fraction;
    gpu_limit = share(hw.memory_bytes, f);
    leave_apple_share_to_os(b, gpu_limit);
    b.device_basis = "Metal wired-memory limit, " + std::to_string(f.numerator) + "/" + std::to_string(f.denominator) + " of RAM";
  } else {
    gpu_limit = b.ram_bytes;
    b.device_basis = "unified memory less the OS reserve";
  }
  b.device_bytes = saturating_sub(gpu_limit, b.reserve_bytes);
  if (b.device_bytes > b.ram_bytes) b.device_bytes = b.ram_bytes;
  return b;
}

void apply_headroom(Budget& budget, std::uint64_t bytes) {
  budget.headroom_bytes = std::min(bytes, budget.device_bytes);
  budget.device_bytes -= budget.headroom_bytes;
}

FitResult check_fit(const Budget& budget, const Footprint& f) {
  FitResult r;
  const std::uint64_t device = f.device_bytes();
  r.device_over = saturating_sub(device, budget.device_bytes);
  // What RAM must hold: memory-mapped lookup tables count only the rows in use (the OS pages the rest).
  const std::uint64_t host = f.host_resident_bytes();
  if (budget.ram_bytes != 0) r.ram_over = saturating_sub(checked_add(device, host), budget.ram_bytes);
  if (budget.host_ram_bytes != 0) r.ram_over = saturating_sub(host, budget.host_ram_bytes);
  r.fits = r.device_over == 0 && r.ram_over == 0;
  return r;
}

std::uint64_t spare_bytes(const Budget& budget, const Footprint& f, Split placed) {
  const std::uint64_t device = saturating_sub(budget.device_bytes, placed.device);
  if (budget.ram_bytes == 0) return device;
  return std::min(device, saturating_sub(budget.ram_bytes, checked_add(placed.device, f.resident(placed.host))));
}

}  // namespace fitcheck
