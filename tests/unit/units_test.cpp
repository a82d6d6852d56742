#include <gtest/gtest.h>

#include <limits>

#include "fitcheck/error.hpp"
#include "fitcheck/units.hpp"

using namespace fitcheck;

TEST(ParseSize, AcceptsBinaryDecimalAndPlainBytes) {
  EXPECT_EQ(parse_size("12GiB"), 12ULL * 1073741824);    // 12 x 2^30
  EXPECT_EQ(parse_size("12GB"), 12000000000ULL);         // 12 x 10^9
  EXPECT_EQ(parse_size("12884901888"), 12884901888ULL);  // plain bytes
  EXPECT_EQ(parse_size("512MiB"), 512ULL * 1048576);     // 2^29
  EXPECT_EQ(parse_size("1.5GiB"), 1610612736ULL);        // 1.5 x 2^30
  EXPECT_EQ(parse_size(" 48 gib "), 48ULL * 1073741824);
}

TEST(ParseSize, RejectsGarbageWithUsageError) {
  for (const char* bad : {"", "GiB", "12XB", "-5GiB", "1.2.3GiB", "12.5", "abc"}) {
    try {
      parse_size(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::usage) << bad;
    }
  }
}

TEST(ParseSize, OverflowIsAnErrorNotAWrap) {
  // 2^64 bytes = 16 EiB = 16777216 TiB; 20000000 TiB overflows.
  EXPECT_THROW(parse_size("20000000TiB"), Error);
  EXPECT_THROW(parse_size("99999999999999999999"), Error);
}

TEST(ParseSizeOption, NeedsAUnit) {
  // "24" could be GiB, GB or bytes: the option asks, and says how.
  for (const SizeUnits units : {SizeUnits::decimal, SizeUnits::label}) {
    try {
      parse_size_option("24", units);
      ADD_FAILURE() << "accepted '24'";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::usage);
      EXPECT_STREQ(e.what(), "invalid size '24': add a unit, e.g. 24GiB or 24GB");
    }
  }
  EXPECT_EQ(parse_size_option("12884901888B", SizeUnits::label), 12884901888ULL);  // bytes, said so
  EXPECT_EQ(parse_size_option("12GiB", SizeUnits::decimal), 12ULL << 30);
  EXPECT_THROW(parse_size_option("12XB", SizeUnits::label), Error);
}

TEST(ParseSizeOption, LabelReadsGbAsTheCardsBinaryGigabytes) {
  // A card sold as "12 GB" has 12 x 2^30 bytes; an amount in GB (a reserve) is 10^9 each.
  EXPECT_EQ(parse_size_option("12GB", SizeUnits::label), 12ULL << 30);
  EXPECT_EQ(parse_size_option("36 gb", SizeUnits::label), 36ULL << 30);
  EXPECT_EQ(parse_size_option("512MB", SizeUnits::label), 512ULL << 20);
  EXPECT_EQ(parse_size_option("12GB", SizeUnits::decimal), 12000000000ULL);
}

TEST(ParseContext, AcceptsTokensAndK) {
  EXPECT_EQ(parse_context("32768"), 32768U);
  EXPECT_EQ(parse_context("32k"), 32768U);    // 32 x 1024
  EXPECT_EQ(parse_context("128K"), 131072U);  // 128 x 1024
  EXPECT_THROW(parse_context("32M"), Error);
  EXPECT_THROW(parse_context("1.5k"), Error);
  EXPECT_THROW(parse_context(""), Error);
}

TEST(CheckedArithmetic, DetectsOverflow) {
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(checked_add(1, 2), 3U);
  EXPECT_THROW(checked_add(max, 1), Error);
  EXPECT_EQ(checked_mul(1ULL << 32, 1ULL << 31), 1ULL << 63);
  EXPECT_THROW(checked_mul(1ULL << 32, 1ULL << 32), Error);
  EXPECT_EQ(round_up(1, 256), 256U);
  EXPECT_EQ(round_up(256, 256), 256U);
  EXPECT_EQ(round_up(257, 256), 512U);
}

TEST(Format, GibAndContext) {
  EXPECT_EQ(format_gib(12ULL << 30), "12.00 GiB");
  EXPECT_EQ(format_gib((12ULL << 30) - (512ULL << 20)), "11.50 GiB");
  EXPECT_EQ(format_mib(1536ULL << 10), "1.50 MiB");
  EXPECT_EQ(format_context(131072), "128K");
  EXPECT_EQ(format_context(43776), "43776");  // 42.75 x 1024: not a whole K
}
