#include <gtest/gtest.h>

#include "fitcheck/budget.hpp"
#include "fitcheck/error.hpp"
#include "fitcheck/footprint.hpp"
#include "support/test_support.hpp"

using namespace fitcheck;

namespace {

const Catalog& mini() { return test::mini_catalog(); }

Settings settings_with(std::uint64_t ctx) {
  Settings s = default_settings(mini().default_runtime());
  s.context = ctx;
  return s;
}

KvDetail tiny_kv(const Settings& s) { return kv_cache(mini(), mini().find_model("tiny"), mini().default_runtime(), s); }

// A builtin model's Q4_K_M footprint on the builtin catalog's default runtime.
// tiny's GPU compute buffers at the settings.
GpuCompute tiny_gpu(const Settings& s) { return gpu_compute_buffers(mini().find_model("tiny"), tiny_kv(s), s, mini().gpu_graph); }

Footprint q4km_footprint(const char* model, const Settings& s) {
  const Catalog& c = builtin_catalog();
  return footprint(c, c.find_model(model), c.find_preset("Q4_K_M"), c.default_runtime(), s);
}

}  // namespace

// tiny: 1 full layer (1 KV head x 512), 3 sliding (1 x 256), window 128, f16, ubatch 512.
//   full:    4096 cells x (512 x 2 B K + 512 x 2 B V) = 8,388,608
//   sliding: cells = min(4096, pad256(128 + 512) = 768); 3 layers x 768 x (256 x 2 + 256 x 2) = 2,359,296
TEST(KvCache, TinyByHand) {
  const KvDetail kv = tiny_kv(settings_with(4096));
  EXPECT_EQ(kv.full_cells, 4096U);
  EXPECT_EQ(kv.sliding_cells, 768U);
  EXPECT_EQ(kv.full_bytes, 8388608U);
  EXPECT_EQ(kv.sliding_bytes, 2359296U);
}

// Context is padded to 256 cells: 1000 -> 1024; sliding = min(1024, 768) = 768.
TEST(KvCache, ContextPaddedTo256) {
  const KvDetail kv = tiny_kv(settings_with(1000));
  EXPECT_EQ(kv.context_cells, 1024U);
  EXPECT_EQ(kv.full_bytes, 1024U * 2048);
}

// --swa-full: sliding layers get the whole context: 3 x 4096 x 1024 = 12,582,912.
TEST(KvCache, SwaFull) {
  Settings s = settings_with(4096);
  s.swa_full = true;
  EXPECT_EQ(tiny_kv(s).sliding_bytes, 12582912U);
}

// q8_0 K and V: 34 B per 32 values. Full: 4096 x (512/32 x 34) x 2 = 4,456,448.
TEST(KvCache, QuantizedTypes) {
  Settings s = settings_with(4096);
  s.kv_type_k = s.kv_type_v = "q8_0";
  EXPECT_EQ(tiny_kv(s).full_bytes, 4456448U);
}

// Flash attention off: V rows padded to the widest layer (512). Sliding: 3 x 768 x (256 x 2 + 512 x 2) = 3,538,944.
TEST(KvCache, FlashAttentionOffPadsV) {
  Settings s = settings_with(4096);
  s.flash_attn = false;
  EXPECT_EQ(tiny_kv(s).sliding_bytes, 3538944U);
}

// -np 4, separate caches: 4 streams of pad(4096 / 4) = 1024 cells; sliding min(1024, 768) = 768 per stream.
//   full: 4 x 1024 x 2048 = 8,388,608; sliding: 4 x 3 x 768 x 1024 = 9,437,184.
// Unified (-kvu): 1 stream of 4096; sliding min(4096, pad(128 x 4 + 512) = 1024): 3 x 1024 x 1024 = 3,145,728.
TEST(KvCache, ParallelSequences) {
  Settings s = settings_with(4096);
  s.parallel = 4;
  KvDetail kv = tiny_kv(s);
  EXPECT_EQ(kv.streams, 4U);
  EXPECT_EQ(kv.full_bytes, 8388608U);
  EXPECT_EQ(kv.sliding_bytes, 9437184U);
  s.kv_unified = true;
  kv = tiny_kv(s);
  EXPECT_EQ(kv.streams, 1U);
  EXPECT_EQ(kv.sliding_bytes, 3145728U);
}

TEST(Settings, QuantizedVNeedsFlashAttention) {
  Settings s = settings_with(4096);
  s.kv_type_v = "q8_0";
  s.flash_attn = false;
  try {
    validate_settings(mini(), mini().find_model("tiny"), s);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::usage);
  }
}

TEST(Settings, ContextOutsideTheModelIsRejected) {
  const Model& tiny = mini().find_model("tiny");
  EXPECT_THROW(require_context(tiny, 1ULL << 40), Error);
  EXPECT_THROW(require_context(tiny, tiny.max_context + 1), Error);
  EXPECT_THROW(require_context(tiny, 0), Error);
  EXPECT_NO_THROW(require_context(tiny, tiny.max_context));
}

// Compute (tiny, FA on, ctx 4096, ubatch 512): logits 4 x 1024 x 512 = 2,097,152;
// activations max(1024 x 512, 12 x 256 x 512) = max(524,288, 1,572,864) = 1,572,864 -> 3,670,016.
TEST(Compute, TinyByHand) {
  EXPECT_EQ(compute_buffer_bytes(mini().find_model("tiny"), tiny_kv(settings_with(4096)), settings_with(4096)), 3670016U);
}

// FA off: f32 scores 4 x 4096 x 512 x (2 heads + 1) = 25,165,824 in place of the logits' 2,097,152, plus the
// activations 1,572,864 and the sliding layers' f32 mask 4 x 768 cells x 512 = 1,572,864.
TEST(Compute, FlashOffScores) {
  Settings s = settings_with(4096);
  s.flash_attn = false;
  EXPECT_EQ(compute_buffer_bytes(mini().find_model("tiny"), tiny_kv(s), s), 25165824U + 1572864U + 1572864U);
}

// Large vision encoder (26B/31B) at mtmd's warmup image, 2304 patches:
//   FA on:  4 B x 2304 x (2 x 4304 + 4 x 1152) = 4 x 2304 x 13,216 = 121,798,656
//   FA off: + 8 B x 2304 x 2304 x 16 heads = 679,477,248 -> 801,275,904
TEST(Compute, VisionEncoderByHand) {
  const Catalog& c = builtin_catalog();
  Settings s = default_settings(c.default_runtime());
  EXPECT_EQ(projector_compute_bytes(c.find_model("31b"), s), 121798656U);
  s.flash_attn = false;
  EXPECT_EQ(projector_compute_bytes(c.find_model("31b"), s), 801275904U);
}

// E2B holds both encoders; mtmd gives each its own buffer (FA on):
//   vision 4 x 2304 x (2 x 3072 + 4 x 768) = 84,934,656
//   audio  4 x 750 x (2 x 4096 + 4 x 1024) + front end 52,224,000 = 36,864,000 + 52,224,000 = 89,088,000
TEST(Compute, BothEncodersCount) {
  const Catalog& c = builtin_catalog();
  const Settings s = default_settings(c.default_runtime());
  EXPECT_EQ(projector_compute_bytes(c.find_model("e2b"), s), 84934656U + 89088000U);
}

// GPU compute buffers (tiny, mini catalog: GPU activations 2048 B a token, cuda constant 1000 B; ctx 4096, ubatch 512,
// flash attention on): cells 4096 full + 768 sliding; f16 masks 2 x 4864 x 512 = 4,980,736.
//   device, layers: 4,980,736 + 2048 x 512 + 1000 = 6,030,312; output: 4 x 1024 x 1 row + 4 x 256 x 512 = 528,384.
//   host: masks + (2 x 4 x 256 hidden + 40 small) x 512 = 4,980,736 + 1,069,056 = 6,049,792.
TEST(GpuCompute, TinyByHand) {
  Settings s = settings_with(4096);
  s.backend = Backend::cuda;
  const GpuCompute c = gpu_compute_buffers(mini().find_model("tiny"), tiny_kv(s), s, mini().gpu_graph);
  EXPECT_EQ(c.device, 6030312U);
  EXPECT_EQ(c.host, 6049792U);
  EXPECT_EQ(c.basis, ComputeBasis::measured);
  s.backend = Backend::rocm;  // the same constant, not measured on ROCm
  EXPECT_EQ(gpu_compute_buffers(mini().find_model("tiny"), tiny_kv(s), s, mini().gpu_graph).basis, ComputeBasis::derived);
  s.backend = Backend::vulkan;  // its own constant, 3000
  EXPECT_EQ(gpu_compute_buffers(mini().find_model("tiny"), tiny_kv(s), s, mini().gpu_graph).device, 6030312U + 2000U);
}

// Flash attention off: f32 masks 4 x 4864 x 512 = 9,961,472 on both sides, and one full layer's scores and softmax
// 4 x 4096 x 512 x (2 heads + 1) = 25,165,824 on the device:
//   device 9,961,472 + 1,048,576 + 1000 + 25,165,824 = 36,176,872; host 9,961,472 + 1,069,056 = 11,030,528.
TEST(GpuCompute, FlashOffScoresAndF32Masks) {
  Settings s = settings_with(4096);
  s.flash_attn = false;
  const GpuCompute c = gpu_compute_buffers(mini().find_model("tiny"), tiny_kv(s), s, mini().gpu_graph);
  EXPECT_EQ(c.device, 36176872U);
  EXPECT_EQ(c.host, 11030528U);
  EXPECT_EQ(c.basis, ComputeBasis::derived);
}

// The output phase wins when many logits rows are reserved (a build or tool that reserves the whole ubatch):
// ctx 256: 256 full + min(256, pad(128 + 256)) = 256 sliding cells, 256 tokens; layers 2 x 512 x 256 + 2048 x 256
// + 1000 = 787,432; output, 256 rows (capped at the ubatch): 4 x 1024 x 256 + 4 x 256 x 256 = 1,310,720.
TEST(GpuCompute, LogitsOfTheReservedOutputsCappedAtTheUbatch) {
  Settings s = settings_with(256);
  GpuGraph whole_ubatch = mini().gpu_graph;
  whole_ubatch.outputs_per_sequence = 4096;
  EXPECT_EQ(gpu_compute_buffers(mini().find_model("tiny"), tiny_kv(s), s, whole_ubatch).device, 1310720U);
  EXPECT_EQ(gpu_compute_buffers(mini().find_model("tiny"), tiny_kv(s), s, mini().gpu_graph).device, 787432U);
}

// Flash attention's f16 copies of a quantized K/V (CUDA and ROCm from llama.cpp b9489, PR #23907), tiny at ctx 4096,
// ubatch 512, q8_0 (the mini catalog's one copied type): live while one layer's attention output is, beside the
// masks, the backend constant and the layer's input and its Q and output in f32, 4 x (256 + 2 x 2 heads x head) a token:
//   full:    copies 512 x 4096 x 2 B x 2 = 8,388,608; live 4 x 2304 x 512 = 4,718,592
//            -> 4,980,736 + 1000 + 4,718,592 + 8,388,608 = 18,088,936 (the layers without it: 6,030,312)
//   sliding: copies 256 x 768 x 2 B x 2 = 786,432; live 4 x 1280 x 512 = 2,621,440 -> 8,389,608 (less)
// K alone copied (V f16): 4,980,736 + 1000 + 4,718,592 + 4,194,304 = 13,894,632.
TEST(GpuCompute, FlashAttentionCopiesAQuantizedCache) {
  Settings s = settings_with(4096);
  s.kv_type_k = s.kv_type_v = "q8_0";
  const GpuCompute c = tiny_gpu(s);
  EXPECT_EQ(c.device, 18088936U);
  EXPECT_EQ(c.basis, ComputeBasis::derived);  // no public log measured the copies
  s.backend = Backend::rocm;                  // ggml-hip builds the CUDA sources
  EXPECT_EQ(tiny_gpu(s).device, 18088936U);
  s.backend = Backend::metal;  // no copy: the layers with Metal's constant, 2000
  EXPECT_EQ(tiny_gpu(s).device, 6030312U + 1000U);
  s.backend = Backend::vulkan;
  EXPECT_EQ(tiny_gpu(s).device, 6030312U + 2000U);
  s.backend = Backend::cuda;
  s.kv_type_v = "f16";
  EXPECT_EQ(tiny_gpu(s).device, 13894632U);
  s.kv_type_v = "q8_0";
  s.flash_attn_kv_copy = false;  // a release before b9489: the copy is not in the compute buffer
  EXPECT_EQ(tiny_gpu(s).device, 6030312U);
  s.flash_attn_kv_copy = true;
  s.kv_offload = false;  // the attention runs on the CPU
  EXPECT_EQ(tiny_gpu(s).device, 6030312U);
  // Two sequences with a cache each: 2 streams of 2048 full cells, the same 8,388,608 copied; masks of one stream
  // 2 x (2048 + 768) x 512 = 2,883,584 -> 2,883,584 + 1000 + 4,718,592 + 8,388,608 = 15,991,784.
  s.kv_offload = true;
  s.parallel = 2;
  EXPECT_EQ(tiny_gpu(s).device, 15991784U);
}

// The vector kernel reads the cache as it is: with heads up to 512 taken by it at one token, nothing is copied
// (ubatch 1: sliding cells pad256(128 + 1) = 256, masks 2 x (4096 + 256) x 1 = 8,704, the layers 8,704 + 2048 + 1000
// = 11,752); at the real bound (heads up to 256) the full layer's 512-wide heads still copy: 8,704 + 1000 + 4 x 2304
// + 8,388,608 = 8,407,528.
TEST(GpuCompute, TheVectorKernelCopiesNothing) {
  Settings s = settings_with(4096);
  s.kv_type_k = s.kv_type_v = "q8_0";
  s.ubatch = 1;
  GpuGraph wide = mini().gpu_graph;
  wide.kv_copy.vector_max_head_dim = 512;
  EXPECT_EQ(gpu_compute_buffers(mini().find_model("tiny"), tiny_kv(s), s, wide).device, 11752U);
  EXPECT_EQ(tiny_gpu(s).device, 8407528U);
}

// The 31B at 262144 with q8_0 K and V on CUDA, ubatch 512 (the "about 2 GiB" of ggml-org/llama.cpp#24166): masks
// 2 x (262144 + 1536) x 512 = 270,008,320; a full layer's copies 2048 x 262144 x 2 B x 2 = 2,147,483,648; live
// 4 x (5376 + 2 x 32 x 512) x 512 = 78,118,912; with the CUDA constant 1,347,420: 2,496,958,300 (2381.3 MiB),
// where the layers need 270,008,320 + 346,979 x 512 + 1,347,420 = 449,008,988 without it.
TEST(GpuCompute, The31BAtFullContextCopiesTwoGiB) {
  const Catalog& c = builtin_catalog();
  const Model& m = c.find_model("31b");
  Settings s = default_settings(c.default_runtime());
  s.context = 262144;
  s.backend = Backend::cuda;
  s.kv_type_k = s.kv_type_v = "q8_0";
  EXPECT_EQ(gpu_compute_buffers(m, kv_cache(c, m, c.default_runtime(), s), s, c.gpu_graph).device, 2496958300U);
  s.flash_attn_kv_copy = false;
  EXPECT_EQ(gpu_compute_buffers(m, kv_cache(c, m, c.default_runtime(), s), s, c.gpu_graph).device, 449008988U);
  // A fork's type (turbo3) is read by the fork's own kernels: not copied.
  s.flash_attn_kv_copy = true;
  s.kv_type_k = s.kv_type_v = "turbo3";
  EXPECT_EQ(gpu_compute_buffers(m, kv_cache(c, m, c.default_runtime(), s), s, c.gpu_graph).device, 449008988U);
}

// E2B on CUDA, ctx 4096, ubatch 512: cells 4096 + min(4096, pad(512 + 512)) = 1024; f16 masks 2 x 5120 x 512 =
// 5,242,880; host rows (8 x 1536 + 4 x 35 x 256 per-layer + 40) x 512 = 48,168 x 512 = 24,662,016 -> 29,904,896.
// The 31B has no per-layer table: masks 2 x (4096 + 1536) x 512 = 5,767,168 + (8 x 5376 + 40) x 512 = 22,040,576
// -> 27,807,744.
TEST(GpuCompute, HostBufferHoldsThePerLayerRows) {
  const Catalog& c = builtin_catalog();
  Settings s = default_settings(c.default_runtime());
  s.context = 4096;
  s.backend = Backend::cuda;
  const auto host = [&](const char* id) {
    const Model& m = c.find_model(id);
    return gpu_compute_buffers(m, kv_cache(c, m, c.default_runtime(), s), s, c.gpu_graph).host;
  };
  EXPECT_EQ(host("e2b"), 29904896U);
  EXPECT_EQ(host("31b"), 27807744U);
}

// Budget: 1 GiB VRAM - 128 MiB cuda reserve (mini catalog) = 939,524,096.
// Mac 16 GiB: 16 GiB <= small limit -> 2/3 x 17,179,869,184 = 11,453,246,122; RAM budget 16 - 2 GiB = 15,032,385,536.
TEST(Budget, VramAndUnified) {
  const Budget gpu = make_budget(mini(), mini().find_hardware("gpu-1g"), std::nullopt);
  EXPECT_EQ(gpu.device_bytes, 939524096U);
  EXPECT_EQ(gpu.ram_bytes, 0U);
  const Budget mac = make_budget(mini(), mini().find_hardware("mac-16g"), std::nullopt);
  EXPECT_EQ(mac.device_bytes, 11453246122U);
  EXPECT_EQ(mac.ram_bytes, 15032385536U);
  const Budget overridden = make_budget(mini(), mini().find_hardware("gpu-1g"), 0);
  EXPECT_EQ(overridden.device_bytes, 1073741824U);
}

// The built-in catalog's 8 GB M1 (2/3 rule): the GPU may wire 2/3 x 8,589,934,592 = 5,726,623,061 bytes, which
// leaves the OS 2,863,311,531 (less than the 4 GiB reserve), so RAM for device + host is 5,726,623,061 too; the
// 16 GB M1 leaves 5.33 GiB outside its working set, more than the reserve, so it keeps 16 - 4 GiB = 12,884,901,888.
TEST(Budget, SmallMacLeavesTheOsWhatAppleLeaves) {
  const Catalog& catalog = builtin_catalog();
  const Budget eight = make_budget(catalog, catalog.find_hardware("m1-8g"), std::nullopt);
  EXPECT_EQ(eight.os_reserve_bytes, 2863311531U);
  EXPECT_EQ(eight.ram_bytes, 5726623061U);
  const Budget sixteen = make_budget(catalog, catalog.find_hardware("m1-16g"), std::nullopt);
  EXPECT_EQ(sixteen.os_reserve_bytes, 4294967296U);
  EXPECT_EQ(sixteen.ram_bytes, 12884901888U);
}

TEST(Budget, UnifiedChecksDevicePlusHostAgainstRam) {
  Budget b;
  b.device_bytes = 100;
  b.ram_bytes = 150;
  Footprint f;
  f.weights.device = 90;
  f.weights.host = 70;  // device fits (90 <= 100) but 160 > 150 RAM
  const FitResult r = check_fit(b, f);
  EXPECT_FALSE(r.fits);
  EXPECT_EQ(r.device_over, 0U);
  EXPECT_EQ(r.ram_over, 10U);
  // Spare memory is the lesser of the device budget's rest and RAM's rest: with 60 on the host, the device leaves
  // 100 - 90 = 10 and RAM 150 - 150 = 0; a discrete GPU (no RAM check) counts only the device.
  f.weights.host = 60;
  const Split placed{f.device_bytes(), f.host_bytes()};
  EXPECT_EQ(spare_bytes(b, f, placed), 0U);
  b.ram_bytes = 0;
  EXPECT_EQ(spare_bytes(b, f, placed), 10U);
}

TEST(Footprint, PartsSumAndPlacement) {
  const Catalog& c = builtin_catalog();
  Settings s = default_settings(c.default_runtime());
  s.context = 32768;
  const Footprint gpu = footprint(c, c.find_model("e2b"), c.find_preset("Q4_K_M"), c.default_runtime(), s);
  EXPECT_EQ(gpu.total_bytes(), gpu.weights.total() + gpu.kv_cache.total() + gpu.compute.total() + gpu.overhead.total());
  EXPECT_EQ(gpu.weights.total(), gpu.weights_bytes);
  EXPECT_GT(gpu.weights.host, 0U);  // token_embd + PLE table stay in host RAM
  s.backend = Backend::cpu;
  const Footprint cpu = footprint(c, c.find_model("e2b"), c.find_preset("Q4_K_M"), c.default_runtime(), s);
  EXPECT_EQ(cpu.device_bytes(), 0U);
  EXPECT_EQ(cpu.weights.host, cpu.weights_bytes);
  EXPECT_GT(cpu.repack.host, 0U);     // Q4_K weights get a second, repacked copy on the CPU
  EXPECT_EQ(gpu.repack.total(), 0U);  // GPU backends do not repack
  const GpuCompute graph = gpu_compute_buffers(c.find_model("e2b"), gpu.kv, gpu.settings, c.gpu_graph);
  EXPECT_EQ(gpu.compute.device, graph.device);
  EXPECT_EQ(gpu.compute.host, graph.host);
  EXPECT_EQ(gpu.compute_basis, ComputeBasis::derived);  // E2B's activations measured (Vulkan), CUDA's constant derived
  EXPECT_EQ(cpu.compute.device, 0U);
  EXPECT_EQ(cpu.compute_basis, ComputeBasis::cpu_fit);
}

TEST(Footprint, ProjectorIsWeightsPlusEncoderBuffersOnTheComputeDevice) {
  const Catalog& c = builtin_catalog();
  Settings s = default_settings(c.default_runtime());
  s.vision = true;
  const Model& m = c.find_model("26b");
  const Footprint gpu = footprint(c, m, c.find_preset("Q4_K_M"), c.default_runtime(), s);
  EXPECT_EQ(gpu.projector_weights_bytes, projector_bytes(c, m, "F16"));
  EXPECT_EQ(gpu.projector_compute_bytes, projector_compute_bytes(m, s));
  EXPECT_EQ(gpu.projector.device, gpu.projector_weights_bytes + gpu.projector_compute_bytes);
  EXPECT_EQ(gpu.projector.host, 0U);
  s.backend = Backend::cpu;
  const Footprint cpu = footprint(c, m, c.find_preset("Q4_K_M"), c.default_runtime(), s);
  EXPECT_EQ(cpu.projector.host, gpu.projector.device);
  s.vision = false;
  EXPECT_EQ(footprint(c, m, c.find_preset("Q4_K_M"), c.default_runtime(), s).projector.total(), 0U);
}

// Gemma 4 12B, f16 cache, default settings (ubatch 512): full layers 8 x 512 (K) + 512 (V) x 2 B = 16,384 B a
// token; sliding layers 40 x (2048 + 2048) x 2 B = 327,680 B a cell over pad256(1024 + 512) = 1536 cells
// = 503,316,480 (480 MiB) at any context. 32K: 536,870,912 + 503,316,480 = 1,040,187,392 (992 MiB);
// 256K: 4,294,967,296 + 503,316,480 = 4,798,283,776 (4576 MiB). K = V layers still store V.
TEST(KvCache, TwelveBByHand) {
  const Catalog& c = builtin_catalog();
  const Model& m = c.find_model("gemma-4-12b");
  Settings s = default_settings(c.default_runtime());
  s.context = 32768;
  const KvDetail at_32k = kv_cache(c, m, c.default_runtime(), s);
  EXPECT_EQ(at_32k.sliding_cells, 1536U);
  EXPECT_EQ(at_32k.full_bytes + at_32k.sliding_bytes, 1040187392ULL);
  s.context = 262144;
  const KvDetail at_256k = kv_cache(c, m, c.default_runtime(), s);
  EXPECT_EQ(at_256k.full_bytes + at_256k.sliding_bytes, 4798283776ULL);
}

// The token embedding is memory-mapped and read a row a token: RAM holds only the rows the context touches.
// tiny F16: token_embd 256 x 1024 x 2 = 524,288 bytes, 512 a row. At 256 tokens 256 x 512 = 131,072 are touched
// and 393,216 stay paged from the file; at 4096 tokens (more than the 1024 rows) nothing is paged.
TEST(Footprint, MappedTablesCountTheRowsInUse) {
  const Catalog& c = mini();
  const Model& m = c.find_model("tiny");
  Settings s = settings_with(256);
  s.backend = Backend::cuda;
  const Footprint small = footprint(c, m, c.find_preset("F16"), c.default_runtime(), s);
  EXPECT_EQ(small.weights.host, 524288U);
  EXPECT_EQ(small.host_paged_bytes, 393216U);
  EXPECT_EQ(small.host_resident_bytes(), small.host_bytes() - 393216U);
  s.context = 4096;
  EXPECT_EQ(footprint(c, m, c.find_preset("F16"), c.default_runtime(), s).host_paged_bytes, 0U);
  // The CPU backend multiplies the tied output with the whole table: nothing is paged there.
  s.context = 256;
  s.backend = Backend::cpu;
  EXPECT_EQ(footprint(c, m, c.find_preset("F16"), c.default_runtime(), s).host_paged_bytes, 0U);
}

// --no-kv-offload (llama.cpp -nkvo): the attention runs on the CPU, which holds one layer's f32 Q, attention output
// (n_head x head_dim each), and new K and V rows (kv_width each) for the ubatch. tiny's widest layer is the full one:
// 2 x 2 heads x 512 + 2 x 512 = 3072 floats x 4 B x 512 tokens = 6,291,456 added to the host's 6,049,792 =
// 12,341,248 (GpuCompute.TinyByHand); the device keeps its 6,030,312.
// Flash attention off: the scores, 25,165,824 (GpuCompute.FlashOffScoresAndF32Masks), leave the device for the host:
// device 36,176,872 - 25,165,824 = 11,011,048; host 11,030,528 + 6,291,456 + 25,165,824 = 42,487,808.
TEST(GpuCompute, NoKvOffloadRunsTheAttentionOnTheCpu) {
  Settings s = settings_with(4096);
  s.kv_offload = false;
  EXPECT_EQ(tiny_gpu(s).device, 6030312U);
  EXPECT_EQ(tiny_gpu(s).host, 12341248U);
  s.flash_attn = false;
  const GpuCompute no_fa = tiny_gpu(s);
  EXPECT_EQ(no_fa.device, 11011048U);
  EXPECT_EQ(no_fa.host, 42487808U);
}

// The KV cache's bytes move from the device to the host whole; the weights stay where they were.
TEST(Footprint, NoKvOffloadKeepsTheKvCacheInHostRam) {
  Settings s = default_settings(builtin_catalog().default_runtime());
  s.context = 32768;
  const Footprint on = q4km_footprint("12b", s);
  s.kv_offload = false;
  const Footprint off = q4km_footprint("12b", s);
  EXPECT_GT(on.kv_cache.device, 0U);
  EXPECT_EQ(on.kv_cache.host, 0U);
  EXPECT_EQ(off.kv_cache.device, 0U);
  EXPECT_EQ(off.kv_cache.host, on.kv_cache.device);
  EXPECT_EQ(off.weights.device, on.weights.device);
  EXPECT_EQ(off.device_bytes(), on.device_bytes() - on.kv_cache.device);
  EXPECT_GT(off.compute.host, on.compute.host);  // the CPU's attention
}

// TurboQuant fork types (data/quants.json): 128-element blocks of 34, 50 and 68 bytes. The 31B's full layers
// store K and V rows of 4 KV heads x 512 = 2048 elements: turbo3 2048 / 128 x 50 = 800 B each, 1600 a cell
// (f16: 2 x 2048 x 2 = 8192); turbo2 2 x 16 x 34 = 1088; turbo4 2 x 16 x 68 = 2176.
TEST(KvCache, TurboQuantForkTypes) {
  const Catalog& c = builtin_catalog();
  const Model& m = c.find_model("31b");
  std::uint64_t full = 0;
  while (m.layers[full] != LayerKind::full) ++full;
  Settings s = default_settings(c.default_runtime());
  const auto cell = [&](const char* type) {
    s.kv_type_k = s.kv_type_v = type;
    return kv_bytes_per_cell(c, m, full, s);
  };
  EXPECT_EQ(cell("f16"), 8192U);
  EXPECT_EQ(cell("turbo3"), 1600U);
  EXPECT_EQ(cell("turbo2"), 1088U);
  EXPECT_EQ(cell("turbo4"), 2176U);
  EXPECT_EQ(c.find_kv_type("turbo3").fork, "TheTom/llama-cpp-turboquant");
  EXPECT_TRUE(c.find_kv_type("q8_0").fork.empty());
}
