#pragma once
// Checkpoints: one binary file with everything needed to resume training exactly.
//
// Format (version 1, little-endian):
//   "CANTUSCK"  u32 version  u32 byte-order mark 0x01020304  u64 total file length
//   str model signature     str element type ("float32" | "float64")
//   i64 step  i64 epoch     u32 n scalars    { str name, f64 value }          (user counters)
//   u32 n parameters { str name, u32 rank, i64 dims[rank], u64 count, T data[count] }
//   u32 n buffers    { same }                                          (BatchNorm running stats)
//   u8 has optimizer [ str kind, f64 lr, i64 steps, u32 n state { str name, u64 count, T data[count] } ]
//   u32 CRC-32 (IEEE) of every byte before it
// str = u32 length + bytes. Files are written with write_file_atomically (temp + fsync + rename).
// Loading validates the whole file (length, checksum, signature, names, shapes, optimizer kind)
// before touching the model, so a failed load leaves model and optimizer unchanged; every failure
// is an io_error naming the file and the problem.
#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "cantus/base/error.hpp"
#include "cantus/core/atomic_file.hpp"
#include "cantus/nn/optim/optimizer.hpp"
#include "cantus/nn/parameter.hpp"

namespace cantus::nn {

inline constexpr std::uint32_t checkpoint_version = 1;

// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as zlib's crc32().
inline std::uint32_t crc32(const void* data, std::size_t n, std::uint32_t crc = 0) {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  const auto* p = static_cast<const unsigned char*>(data);
  crc = ~crc;
  for (std::size_t i = 0; i < n; ++i) crc = table[(crc ^ p[i]) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

// What a checkpoint holds besides the model's tensors.
struct checkpoint_counters {
  std::int64_t step = 0;
  std::int64_t epoch = 0;
  std::map<std::string, double> scalars;  // e.g. "best_validation_loss", "scheduler_epoch"
};

// The tensors of a model (and optionally its optimizer) as checkpoints see them.
// Tensors on a device backend are staged through host memory; the file format is the same.
template <class T, class B = cpu>
struct checkpoint_target {
  std::string signature;              // the model type, e.g. Model::signature() or describe()
  parameter_list<T, B> parameters;
  parameter_list<T, B> buffers;       // non-trainable state; may be empty
  optimizer<T, B>* optim = nullptr;   // optional
};

namespace checkpoint_detail {
template <class T>
constexpr const char* type_name() {
  return std::is_same_v<T, float> ? "float32" : "float64";
}

class writer {
 public:
  template <class V>
  void pod(const V& v) {
    const auto* p = reinterpret_cast<const char*>(&v);
    bytes.insert(bytes.end(), p, p + sizeof(V));
  }
  void str(const std::string& s) {
    pod(static_cast<std::uint32_t>(s.size()));
    bytes.insert(bytes.end(), s.begin(), s.end());
  }
  template <class T>
  void array(const T* p, std::uint64_t n) {
    pod(n);
    const auto* c = reinterpret_cast<const char*>(p);
    bytes.insert(bytes.end(), c, c + n * sizeof(T));
  }
  std::vector<char> bytes;
};

class reader {
 public:
  reader(const std::vector<char>& b, std::size_t end, std::string file) : b_(b), end_(end), file_(std::move(file)) {}
  template <class V>
  V pod(const char* what) {
    need(sizeof(V), what);
    V v;
    std::memcpy(&v, b_.data() + pos_, sizeof(V));
    pos_ += sizeof(V);
    return v;
  }
  std::string str(const char* what) {
    const auto n = pod<std::uint32_t>(what);
    need(n, what);
    std::string s(b_.data() + pos_, n);
    pos_ += n;
    return s;
  }
  template <class T>
  std::vector<T> array(const std::string& what) {
    const auto n = pod<std::uint64_t>(what.c_str());
    if (n > (end_ - pos_) / sizeof(T)) fail(detail::concat("malformed: ", what, " claims ", n, " values, more than the file holds"));
    std::vector<T> v(n);
    if (n) std::memcpy(v.data(), b_.data() + pos_, n * sizeof(T));  // an empty vector's data() may be null
    pos_ += n * sizeof(T);
    return v;
  }
  std::size_t position() const { return pos_; }
  [[noreturn]] void fail(const std::string& problem) const { throw io_error(file_ + ": checkpoint " + problem); }

 private:
  void need(std::size_t n, const char* what) const {
    if (n > end_ - pos_) fail(detail::concat("malformed: ", what, " runs past the end of the data"));
  }
  const std::vector<char>& b_;
  std::size_t pos_ = 0, end_;
  std::string file_;
};

struct stored_tensor {
  std::string name;
  std::vector<index_t> shape;
  std::vector<char> data;  // raw values of the stored element type
};

// The values of a backend view, on the host.
template <class T, class B>
std::vector<T> host_copy(const tensor_view<T, 1, B>& v) {
  std::vector<T> h(static_cast<std::size_t>(v.size()));
  backend_ops<B>::download(h.data(), v.data(), h.size());
  return h;
}

template <class T, class B>
void write_tensors(writer& w, const parameter_list<T, B>& ps) {
  w.pod(static_cast<std::uint32_t>(ps.size()));
  for (auto& p : ps) {
    w.str(p.name);
    w.pod(static_cast<std::uint32_t>(p.shape.size()));
    for (auto d : p.shape) w.pod(static_cast<std::int64_t>(d));
    const auto h = host_copy(p.value);
    w.array(h.data(), static_cast<std::uint64_t>(h.size()));
  }
}

template <class T>
std::vector<stored_tensor> read_tensors(reader& r, const char* section) {
  const auto n = r.pod<std::uint32_t>(section);
  std::vector<stored_tensor> out;
  for (std::uint32_t i = 0; i < n; ++i) {
    stored_tensor t;
    t.name = r.str(section);
    const auto rank = r.pod<std::uint32_t>(section);
    if (rank > 16) r.fail(detail::concat("malformed: ", section, " '", t.name, "' has rank ", rank));
    for (std::uint32_t k = 0; k < rank; ++k) t.shape.push_back(r.pod<std::int64_t>(section));
    auto v = r.array<T>(std::string(section) + " '" + t.name + "'");
    t.data.resize(v.size() * sizeof(T));
    if (!v.empty()) std::memcpy(t.data.data(), v.data(), t.data.size());
    out.push_back(std::move(t));
  }
  return out;
}

// Matches stored tensors to the model's one-to-one by name, checking shapes; returns the copy plan.
template <class T, class B>
std::vector<std::pair<const parameter<T, B>*, const stored_tensor*>> match(const reader& r, const char* what,
                                                                           const parameter_list<T, B>& model,
                                                                           const std::vector<stored_tensor>& stored) {
  std::map<std::string, const stored_tensor*> by_name;
  for (auto& s : stored) by_name[s.name] = &s;
  std::vector<std::pair<const parameter<T, B>*, const stored_tensor*>> plan;
  for (auto& p : model) {
    auto it = by_name.find(p.name);
    if (it == by_name.end()) r.fail(detail::concat("has no ", what, " '", p.name, "' that the model needs"));
    if (it->second->shape != p.shape)
      r.fail(detail::concat(what, " '", p.name, "': the model expects shape ", shape_string(p.shape),
                            " but the checkpoint holds ", shape_string(it->second->shape)));
    if (static_cast<index_t>(it->second->data.size() / sizeof(T)) != p.value.size())
      r.fail(detail::concat("malformed: ", what, " '", p.name, "' holds ", it->second->data.size() / sizeof(T),
                            " values for shape ", shape_string(p.shape)));
    plan.emplace_back(&p, it->second);
    by_name.erase(it);
  }
  if (!by_name.empty())
    r.fail(detail::concat("holds ", what, " '", by_name.begin()->first, "' that the model does not have (",
                          by_name.size(), " unexpected in all)"));
  return plan;
}
}  // namespace checkpoint_detail

template <class T, class B>
void save_checkpoint(const std::filesystem::path& path, const checkpoint_target<T, B>& target,
                     const checkpoint_counters& counters = {}) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "checkpoints hold float or double tensors");
  checkpoint_detail::writer w;
  w.bytes.insert(w.bytes.end(), {'C', 'A', 'N', 'T', 'U', 'S', 'C', 'K'});
  w.pod(checkpoint_version);
  w.pod(std::uint32_t{0x01020304});
  const std::size_t length_at = w.bytes.size();
  w.pod(std::uint64_t{0});  // patched below
  w.str(target.signature);
  w.str(checkpoint_detail::type_name<T>());
  w.pod(static_cast<std::int64_t>(counters.step));
  w.pod(static_cast<std::int64_t>(counters.epoch));
  w.pod(static_cast<std::uint32_t>(counters.scalars.size()));
  for (auto& [k, v] : counters.scalars) w.str(k), w.pod(v);
  checkpoint_detail::write_tensors(w, target.parameters);
  checkpoint_detail::write_tensors(w, target.buffers);
  w.pod(static_cast<std::uint8_t>(target.optim ? 1 : 0));
  if (target.optim) {
    w.str(target.optim->kind());
    w.pod(target.optim->lr());
    w.pod(static_cast<std::int64_t>(target.optim->steps()));
    auto state = target.optim->state();
    w.pod(static_cast<std::uint32_t>(state.size()));
    for (auto& s : state) {
      const auto h = checkpoint_detail::host_copy(s.value);
      w.str(s.name), w.array(h.data(), static_cast<std::uint64_t>(h.size()));
    }
  }
  const std::uint64_t total = w.bytes.size() + sizeof(std::uint32_t);
  std::memcpy(w.bytes.data() + length_at, &total, sizeof total);
  w.pod(crc32(w.bytes.data(), w.bytes.size()));
  write_file_atomically(path, [&](std::ofstream& out) { out.write(w.bytes.data(), static_cast<std::streamsize>(w.bytes.size())); });
}

// Restores parameters, buffers and (when target.optim is set) the optimizer; returns the counters.
template <class T, class B>
checkpoint_counters load_checkpoint(const std::filesystem::path& path, const checkpoint_target<T, B>& target) {
  const std::string file = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error(file + ": cannot open checkpoint (" + (std::filesystem::exists(path) ? "unreadable" : "no such file") + ")");
  std::vector<char> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  constexpr std::size_t header = 8 + 4 + 4 + 8;
  checkpoint_detail::reader r(b, b.size(), file);
  if (b.size() < 8 || std::memcmp(b.data(), "CANTUSCK", 8) != 0) r.fail("is not a cantus checkpoint (bad magic)");
  if (b.size() < header + 4) r.fail(detail::concat("is truncated: ", b.size(), " bytes, shorter than the header"));
  std::uint32_t version, bom;
  std::uint64_t length;
  std::memcpy(&version, b.data() + 8, 4);
  std::memcpy(&bom, b.data() + 12, 4);
  std::memcpy(&length, b.data() + 16, 8);
  if (bom != 0x01020304u) r.fail("was written on a machine of the other byte order");
  if (version != checkpoint_version)
    r.fail(detail::concat("has format version ", version, "; this build reads version ", checkpoint_version));
  if (b.size() < length) r.fail(detail::concat("is truncated: ", b.size(), " of ", length, " bytes present"));
  if (b.size() > length) r.fail(detail::concat("has ", b.size() - length, " bytes of trailing data after its ", length, " bytes"));
  std::uint32_t stored_crc;
  std::memcpy(&stored_crc, b.data() + b.size() - 4, 4);
  const std::uint32_t actual_crc = crc32(b.data(), b.size() - 4);
  if (stored_crc != actual_crc)
    r.fail(detail::concat("is corrupted: CRC-32 mismatch (stored ", std::hex, stored_crc, ", computed ", actual_crc, ")"));

  checkpoint_detail::reader body(b, b.size() - 4, file);
  body.pod<std::array<char, header>>("header");
  const std::string signature = body.str("signature");
  if (signature != target.signature)
    r.fail(detail::concat("was saved from model '", signature, "' but is being loaded into model '", target.signature, "'"));
  const std::string type = body.str("element type");
  if (type != checkpoint_detail::type_name<T>())
    r.fail(detail::concat("holds ", type, " tensors but the model is ", checkpoint_detail::type_name<T>()));
  checkpoint_counters counters;
  counters.step = body.pod<std::int64_t>("step");
  counters.epoch = body.pod<std::int64_t>("epoch");
  const auto n_scalars = body.pod<std::uint32_t>("scalars");
  for (std::uint32_t i = 0; i < n_scalars; ++i) {
    auto k = body.str("scalar name");
    counters.scalars[k] = body.pod<double>("scalar value");
  }
  auto params = checkpoint_detail::read_tensors<T>(body, "parameter");
  auto buffers = checkpoint_detail::read_tensors<T>(body, "buffer");
  const auto param_plan = checkpoint_detail::match(r, "parameter", target.parameters, params);
  const auto buffer_plan = checkpoint_detail::match(r, "buffer", target.buffers, buffers);

  const bool has_optim = body.pod<std::uint8_t>("optimizer flag") != 0;
  double lr = 0;
  std::int64_t steps = 0;
  std::vector<std::pair<std::string, std::vector<T>>> state;
  if (has_optim) {
    const auto kind = body.str("optimizer kind");
    lr = body.pod<double>("optimizer lr");
    steps = body.pod<std::int64_t>("optimizer steps");
    const auto n = body.pod<std::uint32_t>("optimizer state");
    for (std::uint32_t i = 0; i < n; ++i) {
      auto name = body.str("optimizer state name");
      state.emplace_back(name, body.template array<T>("optimizer state '" + name + "'"));
    }
    if (target.optim && kind != target.optim->kind())
      r.fail(detail::concat("holds state of optimizer '", kind, "' but is being loaded into optimizer '", target.optim->kind(), "'"));
  } else if (target.optim) {
    r.fail("holds no optimizer state, but an optimizer was given to restore");
  }
  if (body.position() != b.size() - 4) r.fail("is malformed: unread bytes before the checksum");

  std::vector<optimizer_state_tensor<T, B>> live;
  if (target.optim) {
    live = target.optim->state();
    if (live.size() != state.size())
      r.fail(detail::concat("holds ", state.size(), " optimizer state tensors but the optimizer has ", live.size(),
                            " (different options, e.g. momentum or amsgrad?)"));
    for (std::size_t i = 0; i < live.size(); ++i) {
      if (live[i].name != state[i].first)
        r.fail(detail::concat("optimizer state ", i, " is '", state[i].first, "' but the optimizer expects '", live[i].name, "'"));
      if (static_cast<index_t>(state[i].second.size()) != live[i].value.size())
        r.fail(detail::concat("optimizer state '", live[i].name, "' holds ", state[i].second.size(), " values, expected ",
                              live[i].value.size()));
    }
  }
  // Everything is valid: copy.
  for (auto& plan : {param_plan, buffer_plan})
    for (auto& [p, s] : plan)
      backend_ops<B>::upload(p->value.data(), reinterpret_cast<const T*>(s->data.data()), s->data.size() / sizeof(T));
  if (target.optim) {
    for (std::size_t i = 0; i < live.size(); ++i)
      backend_ops<B>::upload(live[i].value.data(), state[i].second.data(), state[i].second.size());
    target.optim->set_lr(lr);
    target.optim->set_steps(steps);
  }
  return counters;
}

// A model's signature: its own signature() (static or member) if it has one; for an nn::sequential
// the chain of its layers' descriptions, "sequential[gru(1->32), tanh, linear(32->8)]"; else describe().
template <class Model>
std::string model_signature(const Model& m) {
  if constexpr (requires { Model::signature(); }) {
    return Model::signature();
  } else if constexpr (requires { m.signature(); }) {
    return m.signature();
  } else if constexpr (requires { Model::size; m.template get<0>().describe(); }) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      std::string s = m.name() + "[";
      ((s += (I ? ", " : "") + m.template get<I>().describe()), ...);
      return s + "]";
    }(std::make_index_sequence<Model::size>{});
  } else {
    return m.describe();
  }
}

// Whole-model conveniences for anything with parameters(out, prefix) / buffers(out, prefix).
template <class Model, class T = typename Model::value_type, class B = typename Model::backend_type>
checkpoint_target<T, B> checkpoint_target_of(Model& model, optimizer<T, B>* optim = nullptr) {
  checkpoint_target<T, B> t{model_signature(model), {}, {}, optim};
  model.parameters(t.parameters, "");
  if constexpr (requires { model.buffers(t.buffers, std::string()); }) model.buffers(t.buffers, "");
  return t;
}
template <class Model, class T = typename Model::value_type, class B = typename Model::backend_type>
void save_checkpoint(const std::filesystem::path& path, Model& model, optimizer<T, B>* optim = nullptr,
                     const checkpoint_counters& counters = {}) {
  save_checkpoint(path, checkpoint_target_of(model, optim), counters);
}
template <class Model, class T = typename Model::value_type, class B = typename Model::backend_type>
checkpoint_counters load_checkpoint(const std::filesystem::path& path, Model& model, optimizer<T, B>* optim = nullptr) {
  return load_checkpoint(path, checkpoint_target_of(model, optim));
}

}  // namespace cantus::nn
