#include "support/test_support.hpp"

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "cli/cli.hpp"

namespace fitcheck::test {

// A small well-formedness check: one root, every tag closed in order, attributes quoted, entities known.
// Returns "" when well-formed, else what is wrong.
std::string xml_problem(const std::string& doc) {
  std::vector<std::string> open;
  bool seen_root = false;
  std::size_t i = 0;
  if (doc.rfind("<?xml", 0) == 0) i = doc.find("?>") + 2;
  while (i < doc.size()) {
    if (doc[i] != '<') {
      if (doc[i] == '&') {
        const std::size_t end = doc.find(';', i);
        const std::string entity = doc.substr(i, end == std::string::npos ? 1 : end - i + 1);
        if (entity != "&amp;" && entity != "&lt;" && entity != "&gt;" && entity != "&quot;") return "bad entity " + entity;
      } else if (open.empty() && !std::isspace(static_cast<unsigned char>(doc[i]))) {
        return "text outside the root";
      }
      ++i;
      continue;
    }
    const std::size_t close = doc.find('>', i);
    if (close == std::string::npos) return "unterminated tag";
    const std::string tag = doc.substr(i + 1, close - i - 1);
    if (std::count(tag.begin(), tag.end(), '"') % 2 != 0) return "unbalanced quotes in <" + tag + ">";
    static const std::regex k_open(R"(^([A-Za-z][\w-]*)(\s+[\w:-]+="[^"<]*")*\s*(/?)$)");
    std::smatch m;
    if (!tag.empty() && tag[0] == '/') {
      if (open.empty() || open.back() != tag.substr(1)) return "mismatched </" + tag.substr(1) + ">";
      open.pop_back();
    } else if (std::regex_match(tag, m, k_open)) {
      if (open.empty() && seen_root) return "second root element";
      seen_root = true;
      if (m[3].str().empty()) open.push_back(m[1].str());
    } else {
      return "malformed tag <" + tag + ">";
    }
    i = close + 1;
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  return seen_root ? "" : "no root element";
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string data_path(const std::string& name) { return std::string(FITCHECK_TEST_DATA) + "/" + name; }

const Catalog& mini_catalog() {
  static const Catalog c = load_catalog({{"mini.json", read_text(data_path("mini_catalog.json"))}}, "mini.json");
  return c;
}

namespace {
std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  for (char c : line) {
    if (c == '\r') continue;  // the file has CRLF line ends
    if (c == '"')
      quoted = !quoted;
    else if (c == ',' && !quoted) {
      cells.push_back(cell);
      cell.clear();
    } else
      cell += c;
  }
  cells.push_back(cell);
  return cells;
}
}  // namespace

std::vector<CsvRow> csv_rows(const std::string& name) {
  std::istringstream in(read_text(data_path(name)));
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = split_csv_line(line);
  std::vector<CsvRow> rows;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const std::vector<std::string> cells = split_csv_line(line);
    CsvRow row;
    for (std::size_t i = 0; i < header.size(); ++i) row[header[i]] = i < cells.size() ? cells[i] : "";
    rows.push_back(row);
  }
  return rows;
}

std::vector<CsvRow> allocation_rows() { return csv_rows("llamacpp-allocations.csv"); }

double mib(const std::string& text) { return std::stod(text) * 1024.0 * 1024.0; }

RunResult run_cli(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  RunResult r;
  r.code = cli::run(args, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

std::string model_id_for(const std::string& csv_model) {
  if (csv_model == "E2B") return "gemma-4-e2b";
  if (csv_model == "26B-A4B") return "gemma-4-26b-a4b";
  throw std::runtime_error("unknown CSV model " + csv_model);
}

}  // namespace fitcheck::test
