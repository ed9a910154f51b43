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

#include "cantus/base/error.hpp"

namespace cantus::data::csv {

using record = std::vector<std::string>;

struct table {
  std::vector<record> records;
  std::vector<std::size_t> lines;  // 1-based line on which each record starts (for messages)
};

// Calls on_record(const record&, std::size_t line) for every record of `text`, in order (the record
// is reused between calls); `source` names the text in error messages (usually the file path).
template <class OnRecord>
void parse_each(std::string_view text, std::string_view source, OnRecord&& on_record) {
  record current;
  std::size_t used = 0;  // fields of `current` in use (its strings keep their capacity between records)
  std::string* field = nullptr;
  std::size_t line = 1, record_line = 1;
  bool in_quotes = false, field_was_quoted = false, record_has_content = false;
  const std::size_t n = text.size();
  std::size_t i = 0;
  if (n >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // UTF-8 byte order mark
  auto new_field = [&] {
    if (used == current.size()) current.emplace_back();
    field = &current[used++];
    field->clear();
    field_was_quoted = false;
  };
  auto end_record = [&] {
    current.resize(used);
    on_record(static_cast<const record&>(current), record_line);
    used = 0;
    new_field();
    record_has_content = false;
  };
  new_field();
  for (; i < n; ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < n && text[i + 1] == '"') {
          *field += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        // Copy the run up to the next quote at once: long quoted fields (bios, lyrics) are common.
        const auto q = text.find('"', i);
        const auto run = text.substr(i, (q == std::string_view::npos ? n : q) - i);
        for (char r : run) line += r == '\n';
        field->append(run);
        i += run.size() - 1;
      }
      continue;
    }
    switch (c) {
      case '"':
        if (!field->empty() || field_was_quoted)
          throw io_error(detail::concat(source, ":", line, ": stray '\"' inside an unquoted field (field ", used,
                                        " starting '", *field, "')"));
        in_quotes = field_was_quoted = record_has_content = true;
        break;
      case ',':
        record_has_content = true;
        new_field();
        break;
      case '\r':
        if (i + 1 < n && text[i + 1] == '\n') break;  // CRLF: the LF ends the record
        [[fallthrough]];
      case '\n':
        if (record_has_content || !field->empty() || used > 1) end_record();
        ++line;
        record_line = line;
        break;
      default:
        if (field_was_quoted)
          throw io_error(detail::concat(source, ":", line, ": text after the closing quote of field ", used, " ('", *field,
                                        "' then '", c, "')"));
        *field += c;
        record_has_content = true;
    }
  }
  if (in_quotes)
    throw io_error(detail::concat(source, ":", record_line, ": quoted field never closed (file ends inside quotes)"));
  if (record_has_content || !field->empty() || used > 1) end_record();
}

inline table parse(std::string_view text, std::string_view source = "<csv>") {
  table out;
  parse_each(text, source, [&](const record& r, std::size_t line) {
    out.records.push_back(r);
    out.lines.push_back(line);
  });
  return out;
}

// The whole file as one string (read in one go: tracks.csv is a few hundred megabytes).
inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw io_error(detail::concat(path.string(), ": cannot open CSV file"));
  const auto size = static_cast<std::size_t>(in.tellg());
  std::string text(size, '\0');
  in.seekg(0);
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (!in) throw io_error(detail::concat(path.string(), ": read error"));
  return text;
}

inline table read_file(const std::filesystem::path& path) { return parse(read_text(path), path.string()); }

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
