#pragma once
#include <map>
#include <string>
#include <vector>

namespace fitcheck::test {

std::string read_text(const std::string& path);
std::string data_path(const std::string& name);
// A small XML well-formedness check (one root, tags closed in order, attributes quoted, known entities):
// "" when well-formed, else what is wrong.
std::string xml_problem(const std::string& doc);

}  // namespace fitcheck::test

#include "fitcheck/catalog.hpp"

namespace fitcheck::test {

// tests/data/mini_catalog.json: a small fixed catalog, loaded once.
const Catalog& mini_catalog();

// One row of tests/data/llamacpp-allocations.csv, by column name.
using CsvRow = std::map<std::string, std::string>;
// The rows of a CSV file under tests/data (a header line, then one row a line; quoted cells may hold commas).
std::vector<CsvRow> csv_rows(const std::string& name);
std::vector<CsvRow> allocation_rows();

// MiB figure from the CSV (two decimals) to bytes; its rounding allows 0.005 MiB either way.
double mib(const std::string& text);

struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
};
// Runs the CLI in-process.
RunResult run_cli(const std::vector<std::string>& args);

// The catalog model id for the CSV's model column (E2B, 26B-A4B).
std::string model_id_for(const std::string& csv_model);

}  // namespace fitcheck::test
