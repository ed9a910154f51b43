#pragma once
// The data component's name for core's checksum64, and one-call forms of it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cantus/core/checksum.hpp"

namespace cantus::data {

using cantus::checksum64;
inline std::uint64_t checksum(const void* data, std::size_t bytes) { return checksum64().add(data, bytes).value(); }
inline std::uint64_t checksum(std::string_view s) { return checksum64().add(s).value(); }

}  // namespace cantus::data
