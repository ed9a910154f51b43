#pragma once
// Creating a directory tree with cantus's error contract: a failure is an io_error naming the
// directory (and who asked for it), not std::filesystem's generic "cannot create directories".
#include <filesystem>
#include <string_view>
#include <system_error>

#include "cantus/base/error.hpp"

namespace cantus {

// Creates `dir` and its parents if missing. `who` (a flag such as "--out", or a component such as
// "feature store") starts the message, so the user knows which setting to change.
inline void make_directories(const std::filesystem::path& dir, std::string_view who = {}) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    throw io_error(detail::concat(who, who.empty() ? "" : " ", dir.string(), ": cannot create the directory (",
                                  ec ? ec.message() : "a file of that name is in the way", ")"));
}

}  // namespace cantus
