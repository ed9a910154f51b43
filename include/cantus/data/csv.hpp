#pragma once
// An RFC 4180 CSV reader: fields separated by commas, records by CRLF or LF; a field may be quoted
// with '"', and inside quotes commas, line breaks and doubled quotes ("") are literal. Errors name the
// file and the line where the bad record starts.
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cantus/core/error.hpp"

namespace cantus::data::csv {

using record = std::vector<std::string>;

struct table {
  std::vector<record> records;
  std::vector<std::size_t> lines;  // 1-based line on which each record starts (for messages)
};

// Parses `text`; `source` names it in error messages (usually the file path).
inline table parse(std::string_view text, std::string_view source = "<csv>") {
  table out;
  record current;
  std::string field;
  std::size_t line = 1, record_line = 1;
  bool in_quotes = false, field_was_quoted = false, record_has_content = false;
  const std::size_t n = text.size();
  std::size_t i = 0;
  if (n >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // UTF-8 byte order mark
  auto end_field = [&] {
    current.push_back(std::move(field));
    field.clear();
    field_was_quoted = false;
  };
  auto end_record = [&] {
    end_field();
    out.records.push_back(std::move(current));
    out.lines.push_back(record_line);
    current.clear();
    record_has_content = false;
  };
  for (; i < n; ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < n && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    switch (c) {
      case '"':
        if (!field.empty() || field_was_quoted)
          throw io_error(detail::concat(source, ":", line, ": stray '\"' inside an unquoted field (field ",
                                        current.size() + 1, " starting '", field, "')"));
        in_quotes = field_was_quoted = record_has_content = true;
        break;
      case ',':
        record_has_content = true;
        end_field();
        break;
      case '\r':
        if (i + 1 < n && text[i + 1] == '\n') break;  // CRLF: the LF ends the record
        [[fallthrough]];
      case '\n':
        if (record_has_content || !field.empty() || !current.empty()) end_record();
        ++line;
        record_line = line;
        break;
      default:
        if (field_was_quoted)
          throw io_error(detail::concat(source, ":", line, ": text after the closing quote of field ",
                                        current.size() + 1, " ('", field, "' then '", c, "')"));
        field += c;
        record_has_content = true;
    }
  }
  if (in_quotes)
    throw io_error(detail::concat(source, ":", record_line, ": quoted field never closed (file ends inside quotes)"));
  if (record_has_content || !field.empty() || !current.empty()) end_record();
  return out;
}

inline table read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error(detail::concat(path.string(), ": cannot open CSV file"));
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) throw io_error(detail::concat(path.string(), ": read error"));
  return parse(s.str(), path.string());
}

// Quotes a field when it needs it (comma, quote, CR or LF), doubling inner quotes.
inline std::string quote(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string q = "\"";
  for (char c : field) {
    if (c == '"') q += '"';
    q += c;
  }
  q += '"';
  return q;
}

inline std::string format_record(const record& r) {
  std::string line;
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (i) line += ',';
    line += quote(r[i]);
  }
  line += '\n';
  return line;
}

}  // namespace cantus::data::csv
