#pragma once
// Small text helpers with one home each: case folding, trimming, and making untrusted text safe to print
// (valid UTF-8, one line, XML-escaped). Used by the core, the readers and the CLI.
#include <string>
#include <string_view>

namespace fitcheck::text {

// ASCII lower case (names, ids and units are ASCII; other bytes are kept as they are).
std::string lower(std::string_view text);
bool equals_ignoring_case(std::string_view a, std::string_view b);
// Without leading and trailing ASCII white space.
std::string_view trim(std::string_view text);

// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF).
bool is_utf8(std::string_view text);
// `text` with every byte that is not part of well-formed UTF-8 replaced by U+FFFD.
std::string to_utf8(std::string_view text);
// Valid UTF-8 on one line: control characters (newlines, tabs, escape...) shown as \n, \t, \xNN; trailing
// white space dropped. For messages built from what a file or argument says.
std::string one_line(std::string_view text);
// Valid UTF-8 for XML text and attributes: & < > " ' escaped, control characters other than \n and \t
// (which XML 1.0 cannot hold) replaced by a space.
std::string xml_escape(std::string_view text);

}  // namespace fitcheck::text
