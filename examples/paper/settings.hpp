#pragma once
// The one place that knows each setting of a paper program: its range and its message. A flag's text
// (--threads 8) and a --config file's value (threads: 8, shown as its JSON text) go through the same
// function, so a value refused on the command line is refused in a config file with the same words:
// "NAME: expected WHAT, found 'TEXT'", NAME being the flag or "FILE: key". Each throws
// cli::validation_error (a usage error, exit status 2).
#include <cstdint>
#include <string>
#include <vector>

#include "paper_experiment.hpp"

namespace paper::setting {

int threads(const std::string& name, const std::string& text);              // 1 to 1024
std::uint64_t seed(const std::string& name, const std::string& text);       // 0 to 2^64 - 1, never wrapped
std::string backend(const std::string& name, const std::string& text);      // cpu | cuda
bool quick_preset(const std::string& name, const std::string& text);        // quick | full
models::pooling pooling(const std::string& name, const std::string& text);  // mean | mean+std
double share(const std::string& name, const std::string& text);             // 0 to 1 (--min-decoded-share)
// Known models, each once, at least one: "a,b,c".
std::vector<std::string> models(const std::string& name, const std::string& text);
double learning_rate(const std::string& name, const std::string& text);  // > 0: 0 would read as "the preset's"
double non_negative(const std::string& name, const std::string& text);   // a finite number >= 0
std::int64_t count(const std::string& name, const std::string& text);    // an integer >= 0 (epochs, patience)
std::int64_t count_or_all(const std::string& name, const std::string& text);  // >= 1, or all (stored as 0)
std::int64_t batch_size(const std::string& name, const std::string& text);    // >= 1
models::lr_schedule schedule(const std::string& name, const std::string& text);

}  // namespace paper::setting
