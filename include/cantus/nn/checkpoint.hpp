#pragma once
// Checkpoints: one file format, with one writer (write_checkpoint) and one reader (read_checkpoint),
// for everything cantus saves to resume or reuse training:
//   - a layer's, model's or any parameter list's named tensors, its buffers and its nn::optimizer
//     (save_checkpoint / load_checkpoint);
//   - the trainer's state after an epoch (training_checkpoint, written and read by models::train):
//     the bytes the model's and optimizer's own save_state wrote, counters, loss history, best weights.
//
// Format (version 2, little-endian):
//   "CANTUSCK"  u32 version  u32 byte-order mark 0x01020304  u64 total file length
//   str model signature     str element type ("float32" | "float64")
//   i64 step  i64 epoch     u32 n scalars    { str name, f64 value }          (user counters)
//   u32 n parameters { str name, u32 rank, i64 dims[rank], u64 count, T data[count] }
//   u32 n buffers    { same }                                          (BatchNorm running stats)
//   u8 has optimizer [ str kind, f64 lr, i64 steps, u32 n state { str name, u64 count, T data[count] } ]
//   u32 n states     { str name, u64 size, u8 bytes[size] }     (what an object's save_state wrote)
//   u8 has training  [ u64 seed, i64 best epoch, i64 epochs without improvement, f64 best validation
//                      loss, u32 n history { i64 epoch, f64 train loss, f64 validation loss,
//                      f64 seconds, f64 items per second } ]
//   u32 CRC-32 (IEEE) of every byte before it
// str = u32 length + bytes. A trainer checkpoint keeps its epochs done and steps taken in (epoch,
// step) and the states "model", "optimizer" and "best_model", and "run_key" when its run has one
// (models::trainer_options::run_key: the settings the run was started with, which a resume must match).
//
// Files are written with write_file_atomically (temp + fsync + rename). Reading checks the length
// and the checksum before anything else, and every size field against the bytes left, so damage is
// an io_error naming the file and the problem, never a wild allocation. Loading into a model
// validates the whole file first, so a failed load leaves model and optimizer unchanged.
//
// Older files. Version 1 is version 2 without the states and training sections and is read as such.
// The trainer's own earlier format ("CANTUSTR") is read in its version 2 (it ends with a checksum64,
// and its fields map one to one onto a training checkpoint), so runs trained before keep resuming
// and embedding; its version 1 has no checksum, so damage in it could pass for data, and it is
// refused with a message that says to train again.
#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "cantus/base/error.hpp"
#include "cantus/core/atomic_file.hpp"
#include "cantus/core/checksum.hpp"
#include "cantus/nn/optim/optimizer.hpp"
#include "cantus/nn/parameter.hpp"

namespace cantus::nn {

inline constexpr std::uint32_t checkpoint_version = 2;

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

// One epoch of a training run, as the trainer records it.
struct epoch_record {
  std::int64_t epoch = 0;
  double train_loss = 0, validation_loss = 0;
  double seconds = 0, items_per_second = 0;
};

// A checkpoint file's contents as plain data: what write_checkpoint writes and read_checkpoint returns.
struct stored_tensor {
  std::string name;
  std::vector<index_t> shape;  // optimizer state: [count]
  std::vector<char> data;      // raw values of the file's element type
};
struct stored_optimizer {
  std::string kind;
  double lr = 0;
  std::int64_t steps = 0;
  std::vector<stored_tensor> state;
};
struct stored_training {
  std::uint64_t seed = 0;
  std::int64_t best_epoch = -1, bad_epochs = 0;
  double best_validation_loss = std::numeric_limits<double>::infinity();
  std::vector<epoch_record> history;
};
struct checkpoint_file {
  std::uint32_t version = checkpoint_version;  // as read (0: the trainer's former format); always written in the current one
  std::string signature, element_type;
  checkpoint_counters counters;
  std::vector<stored_tensor> parameters, buffers;
  std::optional<stored_optimizer> optimizer;
  std::map<std::string, std::string> states;
  std::optional<stored_training> training;
};

namespace checkpoint_detail {

inline constexpr char magic[8] = {'C', 'A', 'N', 'T', 'U', 'S', 'C', 'K'};
inline constexpr char trainer_magic[8] = {'C', 'A', 'N', 'T', 'U', 'S', 'T', 'R'};  // the trainer's former format
inline constexpr std::uint32_t byte_order_mark = 0x01020304;
inline constexpr std::size_t header_bytes = 8 + 4 + 4 + 8;

template <class T>
constexpr const char* type_name() {
  return std::is_same_v<T, float> ? "float32" : "float64";
}
// 0: not an element type tensors can be stored in.
inline std::size_t element_size(const std::string& type) { return type == "float32" ? 4 : type == "float64" ? 8 : 0; }

class writer {
 public:
  template <class V>
  void pod(const V& v) {
    bytes.append(reinterpret_cast<const char*>(&v), sizeof(V));
  }
  void str(const std::string& s) {
    pod(static_cast<std::uint32_t>(s.size()));
    bytes += s;
  }
  void tensors(const std::vector<stored_tensor>& ts) {
    pod(static_cast<std::uint32_t>(ts.size()));
    for (auto& t : ts) {
      str(t.name);
      pod(static_cast<std::uint32_t>(t.shape.size()));
      for (auto d : t.shape) pod(static_cast<std::int64_t>(d));
      values(t);
    }
  }
  void values(const stored_tensor& t) {
    if (t.data.size() % element != 0)
      throw_value_error("checkpoint: '", t.name, "' holds ", t.data.size(), " bytes, not whole values of ", element, " bytes");
    pod(static_cast<std::uint64_t>(t.data.size() / element));
    bytes.append(t.data.data(), t.data.size());
  }
  std::size_t element = 0;  // bytes per value of the element type
  std::string bytes;
};

// Reads the fields of a file's bytes in order; every size is checked against the bytes left.
class reader {
 public:
  reader(std::string_view b, std::string file) : b_(b), file_(std::move(file)) {}
  template <class V>
  V pod(const char* what) {
    need(sizeof(V), what);
    V v;
    std::memcpy(&v, b_.data() + pos_, sizeof(V));
    pos_ += sizeof(V);
    return v;
  }
  std::string str(const char* what) { return bytes(pod<std::uint32_t>(what), what); }
  std::string bytes(std::uint64_t n, const char* what) {
    need(n, what);
    std::string s(b_.data() + pos_, static_cast<std::size_t>(n));
    pos_ += static_cast<std::size_t>(n);
    return s;
  }
  // A count of items of at least `item_bytes` each that the rest of the data could hold.
  std::uint64_t count(std::uint64_t n, std::size_t item_bytes, const std::string& what) const {
    if (n > left() / item_bytes) fail(cantus::detail::concat("is malformed: ", what, " claims ", n, " entries, more than the file holds"));
    return n;
  }
  std::vector<char> values(std::size_t element, const std::string& what) {
    if (element == 0) fail(cantus::detail::concat("is malformed: ", what, " is stored but the element type is unknown"));
    const auto n = count(pod<std::uint64_t>(what.c_str()), element, what);
    std::vector<char> v(static_cast<std::size_t>(n) * element);
    if (!v.empty()) std::memcpy(v.data(), b_.data() + pos_, v.size());  // an empty vector's data() may be null
    pos_ += v.size();
    return v;
  }
  std::vector<stored_tensor> tensors(std::size_t element, const char* section) {
    const auto n = count(pod<std::uint32_t>(section), 4 + 4 + 8, section);
    std::vector<stored_tensor> out;
    for (std::uint32_t i = 0; i < n; ++i) {
      stored_tensor t;
      t.name = str(section);
      const auto rank = pod<std::uint32_t>(section);
      if (rank > 16) fail(cantus::detail::concat("is malformed: ", section, " '", t.name, "' has rank ", rank));
      for (std::uint32_t k = 0; k < rank; ++k) t.shape.push_back(pod<std::int64_t>(section));
      t.data = values(element, std::string(section) + " '" + t.name + "'");
      out.push_back(std::move(t));
    }
    return out;
  }
  std::size_t left() const { return b_.size() - pos_; }
  [[noreturn]] void fail(const std::string& problem) const { throw io_error(file_ + ": checkpoint " + problem); }

 private:
  void need(std::uint64_t n, const char* what) const {
    if (n > left()) fail(cantus::detail::concat("is malformed: ", what, " runs past the end of the data"));
  }
  std::string_view b_;
  std::size_t pos_ = 0;
  std::string file_;
};

inline epoch_record read_epoch(reader& r) {
  epoch_record e;
  e.epoch = r.pod<std::int64_t>("history");
  e.train_loss = r.pod<double>("history");
  e.validation_loss = r.pod<double>("history");
  e.seconds = r.pod<double>("history");
  e.items_per_second = r.pod<double>("history");
  return e;
}
inline constexpr std::size_t epoch_bytes = 8 + 4 * 8;

// The body after the header, in version 1 or 2.
inline checkpoint_file read_body(reader& r, std::uint32_t version) {
  checkpoint_file c;
  c.version = version;
  c.signature = r.str("signature");
  c.element_type = r.str("element type");
  const std::size_t element = element_size(c.element_type);
  c.counters.step = r.pod<std::int64_t>("step");
  c.counters.epoch = r.pod<std::int64_t>("epoch");
  const auto n_scalars = r.count(r.pod<std::uint32_t>("scalars"), 4 + 8, "scalars");
  for (std::uint32_t i = 0; i < n_scalars; ++i) {
    auto k = r.str("scalar name");
    c.counters.scalars[k] = r.pod<double>("scalar value");
  }
  c.parameters = r.tensors(element, "parameter");
  c.buffers = r.tensors(element, "buffer");
  if (r.pod<std::uint8_t>("optimizer flag") != 0) {
    stored_optimizer o;
    o.kind = r.str("optimizer kind");
    o.lr = r.pod<double>("optimizer lr");
    o.steps = r.pod<std::int64_t>("optimizer steps");
    const auto n = r.count(r.pod<std::uint32_t>("optimizer state"), 4 + 8, "optimizer state");
    for (std::uint32_t i = 0; i < n; ++i) {
      stored_tensor t;
      t.name = r.str("optimizer state name");
      t.data = r.values(element, "optimizer state '" + t.name + "'");
      t.shape = {static_cast<index_t>(t.data.size() / element)};
      o.state.push_back(std::move(t));
    }
    c.optimizer = std::move(o);
  }
  if (version >= 2) {
    const auto n_states = r.count(r.pod<std::uint32_t>("states"), 4 + 8, "states");
    for (std::uint32_t i = 0; i < n_states; ++i) {
      auto name = r.str("state name");
      const auto size = r.pod<std::uint64_t>("state size");
      c.states[name] = r.bytes(size, "state");
    }
    if (r.pod<std::uint8_t>("training flag") != 0) {
      stored_training t;
      t.seed = r.pod<std::uint64_t>("seed");
      t.best_epoch = r.pod<std::int64_t>("best epoch");
      t.bad_epochs = r.pod<std::int64_t>("epochs without improvement");
      t.best_validation_loss = r.pod<double>("best validation loss");
      const auto n = r.count(r.pod<std::uint32_t>("history length"), epoch_bytes, "history");
      for (std::uint32_t i = 0; i < n; ++i) t.history.push_back(read_epoch(r));
      c.training = std::move(t);
    }
  }
  if (r.left() != 0) r.fail("is malformed: unread bytes before the checksum");
  return c;
}

// The trainer's format before this one (models/trainer.hpp up to 81b0cf9), version 2:
//   "CANTUSTR" u32 version u64 seed i64 epochs done i64 steps i64 best epoch i64 bad epochs
//   f64 best loss u64 n history { i64 epoch, f64 train, f64 validation, f64 seconds, f64 items/s }
//   blob model, blob optimizer, blob best model (blob = u64 size + bytes)  u64 checksum64
inline checkpoint_file read_trainer_format(std::string_view b, const std::string& file) {
  reader r(b, file);
  r.bytes(8, "magic");
  const auto version = r.pod<std::uint32_t>("version");
  const std::string written_by = cantus::detail::concat(" (the trainer's former format CANTUSTR, version ", version, ")");
  if (version == 1)
    r.fail("is in the trainer's former format CANTUSTR, version 1 (cantus before b7a69b7, 2026-12-04), which carries no "
           "checksum, so damage to it cannot be told from data; this build does not read it: delete it (and previous.ckpt "
           "beside it) and train again, or finish the run with the cantus that wrote it");
  if (version != 2)
    r.fail(cantus::detail::concat("has an unknown version", written_by, "; this build reads CANTUSTR version 2 and CANTUSCK "
                                  "versions 1 to ", checkpoint_version));
  std::uint64_t stored = 0;
  if (b.size() < 8 + 4 + sizeof stored) r.fail(cantus::detail::concat("is truncated: ", b.size(), " bytes", written_by));
  std::memcpy(&stored, b.data() + b.size() - sizeof stored, sizeof stored);
  if (checksum64().add(b.data(), b.size() - sizeof stored).value() != stored)
    r.fail("is damaged: checksum mismatch" + written_by);
  reader body(b.substr(0, b.size() - sizeof stored), file);
  body.bytes(8 + 4, "header");
  checkpoint_file c;
  c.version = 0;
  c.element_type = "float32";
  stored_training t;
  t.seed = body.pod<std::uint64_t>("seed");
  c.counters.epoch = body.pod<std::int64_t>("epoch");
  c.counters.step = body.pod<std::int64_t>("steps");
  t.best_epoch = body.pod<std::int64_t>("best epoch");
  t.bad_epochs = body.pod<std::int64_t>("epochs without improvement");
  t.best_validation_loss = body.pod<double>("best validation loss");
  const auto n = body.count(body.pod<std::uint64_t>("history length"), epoch_bytes, "history");
  for (std::uint64_t i = 0; i < n; ++i) t.history.push_back(read_epoch(body));
  for (const char* name : {"model", "optimizer", "best_model"}) {
    const auto size = body.pod<std::uint64_t>("state size");
    c.states[name] = body.bytes(size, "state");
  }
  if (body.left() != 0) body.fail("is malformed: unread bytes before the checksum" + written_by);
  c.training = std::move(t);
  return c;
}

// The host values of a parameter list, as stored tensors.
template <class T, class B>
std::vector<stored_tensor> to_stored(const parameter_list<T, B>& ps) {
  std::vector<stored_tensor> out;
  for (auto& p : ps) {
    stored_tensor t{p.name, p.shape, std::vector<char>(static_cast<std::size_t>(p.value.size()) * sizeof(T))};
    backend_ops<B>::download(reinterpret_cast<T*>(t.data.data()), p.value.data(), static_cast<std::size_t>(p.value.size()));
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
    if (it == by_name.end()) r.fail(cantus::detail::concat("has no ", what, " '", p.name, "' that the model needs"));
    if (it->second->shape != p.shape)
      r.fail(cantus::detail::concat(what, " '", p.name, "': the model expects shape ", shape_string(p.shape),
                                    " but the checkpoint holds ", shape_string(it->second->shape)));
    if (static_cast<index_t>(it->second->data.size() / sizeof(T)) != p.value.size())
      r.fail(cantus::detail::concat("is malformed: ", what, " '", p.name, "' holds ", it->second->data.size() / sizeof(T),
                                    " values for shape ", shape_string(p.shape)));
    plan.emplace_back(&p, it->second);
    by_name.erase(it);
  }
  if (!by_name.empty())
    r.fail(cantus::detail::concat("holds ", what, " '", by_name.begin()->first, "' that the model does not have (",
                                  by_name.size(), " unexpected in all)"));
  return plan;
}

// Helpers of save_parameters / load_parameters (a model's state as its save_state writes it).
template <class V>
void put(std::ostream& o, const V& v) {
  o.write(reinterpret_cast<const char*>(&v), sizeof v);
}
template <class V>
V get(std::istream& i, const std::string& where, const char* what) {
  V v{};
  if (!i.read(reinterpret_cast<char*>(&v), sizeof v)) throw io_error(cantus::detail::concat(where, ": truncated while reading ", what));
  return v;
}
inline std::string get_name(std::istream& i, const std::string& where) {
  const auto n = get<std::uint64_t>(i, where, "parameter name");
  if (n > (std::uint64_t(1) << 20)) throw io_error(cantus::detail::concat(where, ": malformed parameter name (length ", n, ")"));
  std::string s(static_cast<std::size_t>(n), '\0');
  if (!i.read(s.data(), static_cast<std::streamsize>(n))) throw io_error(cantus::detail::concat(where, ": truncated in a parameter name"));
  return s;
}

template <class S>
std::string state_bytes(S& s) {
  std::ostringstream o(std::ios::binary);
  s.save_state(o);
  return std::move(o).str();
}
template <class S>
void load_state_bytes(S& s, const std::string& bytes) {
  std::istringstream i(bytes, std::ios::binary);
  s.load_state(i);
}

}  // namespace checkpoint_detail

// The one writer: the file's bytes in the current version, written atomically.
inline std::string encode_checkpoint(const checkpoint_file& c) {
  checkpoint_detail::writer w;
  w.element = checkpoint_detail::element_size(c.element_type);
  const bool tensors = !c.parameters.empty() || !c.buffers.empty() || (c.optimizer && !c.optimizer->state.empty());
  if (tensors && w.element == 0) throw_value_error("checkpoint: tensors of element type '", c.element_type, "' cannot be stored");
  w.bytes.append(checkpoint_detail::magic, 8);
  w.pod(checkpoint_version);
  w.pod(checkpoint_detail::byte_order_mark);
  const std::size_t length_at = w.bytes.size();
  w.pod(std::uint64_t{0});  // patched below
  w.str(c.signature);
  w.str(c.element_type);
  w.pod(static_cast<std::int64_t>(c.counters.step));
  w.pod(static_cast<std::int64_t>(c.counters.epoch));
  w.pod(static_cast<std::uint32_t>(c.counters.scalars.size()));
  for (auto& [k, v] : c.counters.scalars) w.str(k), w.pod(v);
  w.tensors(c.parameters);
  w.tensors(c.buffers);
  w.pod(static_cast<std::uint8_t>(c.optimizer ? 1 : 0));
  if (c.optimizer) {
    w.str(c.optimizer->kind);
    w.pod(c.optimizer->lr);
    w.pod(static_cast<std::int64_t>(c.optimizer->steps));
    w.pod(static_cast<std::uint32_t>(c.optimizer->state.size()));
    for (auto& s : c.optimizer->state) w.str(s.name), w.values(s);
  }
  w.pod(static_cast<std::uint32_t>(c.states.size()));
  for (auto& [name, bytes] : c.states) w.str(name), w.pod(static_cast<std::uint64_t>(bytes.size())), w.bytes += bytes;
  w.pod(static_cast<std::uint8_t>(c.training ? 1 : 0));
  if (c.training) {
    w.pod(c.training->seed);
    w.pod(c.training->best_epoch);
    w.pod(c.training->bad_epochs);
    w.pod(c.training->best_validation_loss);
    w.pod(static_cast<std::uint32_t>(c.training->history.size()));
    for (auto& e : c.training->history)
      w.pod(e.epoch), w.pod(e.train_loss), w.pod(e.validation_loss), w.pod(e.seconds), w.pod(e.items_per_second);
  }
  const std::uint64_t total = w.bytes.size() + sizeof(std::uint32_t);
  std::memcpy(w.bytes.data() + length_at, &total, sizeof total);
  w.pod(crc32(w.bytes.data(), w.bytes.size()));
  return std::move(w.bytes);
}
inline void write_checkpoint(const std::filesystem::path& path, const checkpoint_file& c) {
  const std::string bytes = encode_checkpoint(c);
  write_file_atomically(path, [&](std::ofstream& out) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); });
}

// The one reader: a checkpoint of any version this build reads, from its bytes; `file` names it in
// errors. The envelope (magic, byte order, version, length, checksum) is checked before the body.
inline checkpoint_file decode_checkpoint(std::string_view b, const std::string& file) {
  checkpoint_detail::reader r(b, file);
  if (b.size() >= 8 && std::memcmp(b.data(), checkpoint_detail::trainer_magic, 8) == 0)
    return checkpoint_detail::read_trainer_format(b, file);
  if (b.size() < 8 || std::memcmp(b.data(), checkpoint_detail::magic, 8) != 0) r.fail("is not a cantus checkpoint (bad magic)");
  if (b.size() < checkpoint_detail::header_bytes + 4)
    r.fail(cantus::detail::concat("is truncated: ", b.size(), " bytes, shorter than the header"));
  std::uint32_t version, bom;
  std::uint64_t length;
  std::memcpy(&version, b.data() + 8, 4);
  std::memcpy(&bom, b.data() + 12, 4);
  std::memcpy(&length, b.data() + 16, 8);
  if (bom != checkpoint_detail::byte_order_mark) r.fail("was written on a machine of the other byte order");
  if (version < 1 || version > checkpoint_version)
    r.fail(cantus::detail::concat("has format version ", version, "; this build reads versions 1 to ", checkpoint_version,
                                  version > checkpoint_version ? " (it was written by a newer cantus)" : ""));
  if (b.size() < length) r.fail(cantus::detail::concat("is truncated: ", b.size(), " of ", length, " bytes present"));
  if (b.size() > length) r.fail(cantus::detail::concat("has ", b.size() - length, " bytes of trailing data after its ", length, " bytes"));
  std::uint32_t stored_crc;
  std::memcpy(&stored_crc, b.data() + b.size() - 4, 4);
  const std::uint32_t actual_crc = crc32(b.data(), b.size() - 4);
  if (stored_crc != actual_crc)
    r.fail(cantus::detail::concat("is damaged: CRC-32 mismatch (stored ", std::hex, stored_crc, ", computed ", actual_crc, ")"));
  checkpoint_detail::reader body(b.substr(checkpoint_detail::header_bytes, b.size() - 4 - checkpoint_detail::header_bytes), file);
  return checkpoint_detail::read_body(body, version);
}
inline std::string read_checkpoint_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw io_error(path.string() + ": cannot open checkpoint (" + (std::filesystem::exists(path) ? "unreadable" : "no such file") + ")");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
inline checkpoint_file read_checkpoint(const std::filesystem::path& path) {
  return decode_checkpoint(read_checkpoint_bytes(path), path.string());
}

// ---- Tensors and an nn::optimizer ----

template <class T, class B>
void save_checkpoint(const std::filesystem::path& path, const checkpoint_target<T, B>& target,
                     const checkpoint_counters& counters = {}) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "checkpoints hold float or double tensors");
  checkpoint_file c;
  c.signature = target.signature;
  c.element_type = checkpoint_detail::type_name<T>();
  c.counters = counters;
  c.parameters = checkpoint_detail::to_stored(target.parameters);
  c.buffers = checkpoint_detail::to_stored(target.buffers);
  if (target.optim) {
    stored_optimizer o{target.optim->kind(), target.optim->lr(), target.optim->steps(), {}};
    for (auto& s : target.optim->state()) {
      stored_tensor t{s.name, {s.value.size()}, std::vector<char>(static_cast<std::size_t>(s.value.size()) * sizeof(T))};
      backend_ops<B>::download(reinterpret_cast<T*>(t.data.data()), s.value.data(), static_cast<std::size_t>(s.value.size()));
      o.state.push_back(std::move(t));
    }
    c.optimizer = std::move(o);
  }
  write_checkpoint(path, c);
}

// Restores parameters, buffers and (when target.optim is set) the optimizer; returns the counters.
template <class T, class B>
checkpoint_counters load_checkpoint(const std::filesystem::path& path, const checkpoint_target<T, B>& target) {
  const checkpoint_file c = read_checkpoint(path);
  const checkpoint_detail::reader r({}, path.string());
  if (c.training)
    r.fail("holds a trainer's state (models::train), whose model is stored as its save_state bytes, not as named "
           "tensors; restore it with training_checkpoint::restore");
  if (c.signature != target.signature)
    r.fail(cantus::detail::concat("was saved from model '", c.signature, "' but is being loaded into model '", target.signature, "'"));
  if (c.element_type != checkpoint_detail::type_name<T>())
    r.fail(cantus::detail::concat("holds ", c.element_type, " tensors but the model is ", checkpoint_detail::type_name<T>()));
  const auto param_plan = checkpoint_detail::match(r, "parameter", target.parameters, c.parameters);
  const auto buffer_plan = checkpoint_detail::match(r, "buffer", target.buffers, c.buffers);
  std::vector<optimizer_state_tensor<T, B>> live;
  if (target.optim) {
    if (!c.optimizer) r.fail("holds no optimizer state, but an optimizer was given to restore");
    if (c.optimizer->kind != target.optim->kind())
      r.fail(cantus::detail::concat("holds state of optimizer '", c.optimizer->kind, "' but is being loaded into optimizer '",
                                    target.optim->kind(), "'"));
    const auto& state = c.optimizer->state;
    live = target.optim->state();
    if (live.size() != state.size())
      r.fail(cantus::detail::concat("holds ", state.size(), " optimizer state tensors but the optimizer has ", live.size(),
                                    " (different options, e.g. momentum or amsgrad?)"));
    for (std::size_t i = 0; i < live.size(); ++i) {
      if (live[i].name != state[i].name)
        r.fail(cantus::detail::concat("optimizer state ", i, " is '", state[i].name, "' but the optimizer expects '", live[i].name, "'"));
      if (static_cast<index_t>(state[i].data.size() / sizeof(T)) != live[i].value.size())
        r.fail(cantus::detail::concat("optimizer state '", live[i].name, "' holds ", state[i].data.size() / sizeof(T),
                                      " values, expected ", live[i].value.size()));
    }
  }
  // Everything is valid: copy.
  for (auto& plan : {param_plan, buffer_plan})
    for (auto& [p, s] : plan)
      backend_ops<B>::upload(p->value.data(), reinterpret_cast<const T*>(s->data.data()), s->data.size() / sizeof(T));
  if (target.optim) {
    for (std::size_t i = 0; i < live.size(); ++i)
      backend_ops<B>::upload(live[i].value.data(), reinterpret_cast<const T*>(c.optimizer->state[i].data.data()),
                             c.optimizer->state[i].data.size() / sizeof(T));
    target.optim->set_lr(c.optimizer->lr);
    target.optim->set_steps(c.optimizer->steps);
  }
  return c.counters;
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

// ---- A model's state as its save_state writes it ----

// Writes/reads the parameters of a model (values only, in order, with names and sizes checked):
// the default save_state/load_state for models whose whole state is their parameters.
// The bytes are the same for every backend (device values go through a host copy), so a state saved
// on one backend loads on another.
template <class B>
void save_parameters(std::ostream& o, const parameter_list<float, B>& ps) {
  using checkpoint_detail::put;
  put<std::uint64_t>(o, ps.size());
  std::vector<float> host;
  for (auto& p : ps) {
    put<std::uint64_t>(o, p.name.size());
    o.write(p.name.data(), static_cast<std::streamsize>(p.name.size()));
    put<std::int64_t>(o, p.value.size());
    const float* values = p.value.data();
    if constexpr (!B::host_accessible) {
      host.resize(static_cast<std::size_t>(p.value.size()));
      backend_ops<B>::download(host.data(), p.value.data(), host.size());
      values = host.data();
    }
    o.write(reinterpret_cast<const char*>(values), static_cast<std::streamsize>(p.value.size() * sizeof(float)));
  }
}
template <class B>
void load_parameters(std::istream& i, parameter_list<float, B>& ps, const std::string& where = "model state") {
  using checkpoint_detail::get;
  const auto n = get<std::uint64_t>(i, where, "parameter count");
  if (n != ps.size()) throw io_error(cantus::detail::concat(where, ": holds ", n, " parameters but the model has ", ps.size()));
  for (auto& p : ps) {
    const auto name = checkpoint_detail::get_name(i, where);
    const auto size = get<std::int64_t>(i, where, "parameter size");
    if (name != p.name || size != p.value.size())
      throw io_error(cantus::detail::concat(where, ": parameter '", name, "' with ", size, " values where the model has '",
                                            p.name, "' with ", p.value.size()));
    std::vector<float> host;
    float* values = p.value.data();
    if constexpr (!B::host_accessible) {
      host.resize(static_cast<std::size_t>(size));
      values = host.data();
    }
    if (!i.read(reinterpret_cast<char*>(values), static_cast<std::streamsize>(size * sizeof(float))))
      throw io_error(cantus::detail::concat(where, ": truncated in parameter '", name, "'"));
    if constexpr (!B::host_accessible) backend_ops<B>::upload(p.value.data(), host.data(), host.size());
  }
}

// ---- The trainer's state ----

// Saved after every epoch: everything needed to continue exactly where training stopped. The model
// and optimizer are whatever their save_state wrote, so any model and optimizer the trainer takes fit.
struct training_checkpoint {
  std::uint64_t seed = 0;
  std::int64_t epochs_done = 0, steps = 0, best_epoch = -1, bad_epochs = 0;
  double best_validation_loss = std::numeric_limits<double>::infinity();
  std::vector<epoch_record> history;
  std::string model, optimizer, best_model;
  std::string run_key;  // what the run was started with (trainer_options::run_key); empty: not recorded

  checkpoint_file to_file() const {
    checkpoint_file c;
    c.element_type = "float32";
    c.counters.step = steps;
    c.counters.epoch = epochs_done;
    c.states = {{"model", model}, {"optimizer", optimizer}, {"best_model", best_model}};
    if (!run_key.empty()) c.states["run_key"] = run_key;
    c.training = stored_training{seed, best_epoch, bad_epochs, best_validation_loss, history};
    return c;
  }
  static training_checkpoint from_file(checkpoint_file&& c, const std::string& file) {
    const checkpoint_detail::reader r({}, file);
    if (!c.training)
      r.fail("holds tensors but no trainer state (written by nn::save_checkpoint, not models::train); load it with "
             "nn::load_checkpoint");
    training_checkpoint t;
    t.seed = c.training->seed;
    t.epochs_done = c.counters.epoch;
    t.steps = c.counters.step;
    t.best_epoch = c.training->best_epoch;
    t.bad_epochs = c.training->bad_epochs;
    t.best_validation_loss = c.training->best_validation_loss;
    t.history = std::move(c.training->history);
    const auto take = [&](const char* name, std::string& field) {
      auto it = c.states.find(name);
      if (it == c.states.end()) r.fail(cantus::detail::concat("is malformed: it has no ", name, " state"));
      field = std::move(it->second);
    };
    take("model", t.model);
    take("optimizer", t.optimizer);
    take("best_model", t.best_model);
    if (const auto it = c.states.find("run_key"); it != c.states.end()) t.run_key = std::move(it->second);
    return t;
  }

  void save(const std::filesystem::path& path) const { write_checkpoint(path, to_file()); }
  static training_checkpoint load(const std::filesystem::path& path) { return parse(read_bytes(path), path.string()); }
  static std::string read_bytes(const std::filesystem::path& path) { return read_checkpoint_bytes(path); }
  // A checkpoint from its bytes; `file` names it in errors.
  static training_checkpoint parse(const std::string& bytes, const std::string& file) {
    return from_file(decode_checkpoint(bytes, file), file);
  }

  // Takes the model's and optimizer's state as they are now (after an epoch), then writes dir/last.ckpt,
  // keeping the one it replaces as dir/previous.ckpt.
  template <class Model, class Optimizer>
  void save_in(const std::filesystem::path& dir, Model& m, Optimizer& o) {
    model = checkpoint_detail::state_bytes(m);
    optimizer = checkpoint_detail::state_bytes(o);
    // Atomic; keeps the last good one. Synced, so that a power cut cannot undo it after last.ckpt is replaced.
    if (std::filesystem::exists(dir / "last.ckpt")) publish_file(dir / "last.ckpt", dir / "previous.ckpt", false);
    save(dir / "last.ckpt");
  }
  // Loads the model and optimizer states into `m` and `o`. Their load_state may change them before it
  // finds a mismatch, so both are put back as they were when either fails: a failed restore changes
  // nothing. Errors name `file`.
  template <class Model, class Optimizer>
  void restore(Model& m, Optimizer& o, const std::string& file) const {
    const std::string m_before = checkpoint_detail::state_bytes(m), o_before = checkpoint_detail::state_bytes(o);
    // Best effort: the error to report is the first one, not one from putting back.
    const auto put_back = [&] {
      try {
        checkpoint_detail::load_state_bytes(m, m_before);
      } catch (...) {
      }
      try {
        checkpoint_detail::load_state_bytes(o, o_before);
      } catch (...) {
      }
    };
    try {
      checkpoint_detail::load_state_bytes(m, model);
      checkpoint_detail::load_state_bytes(o, optimizer);
    } catch (const error& e) {
      put_back();
      throw io_error(cantus::detail::concat(file, ": checkpoint does not fit this model and optimizer: ", e.what()));
    } catch (...) {
      put_back();
      throw;
    }
  }
};

// The checkpoint a run directory holds: last.ckpt, or previous.ckpt when the last is damaged or
// missing (a torn disk, a kill between the two renames of a save). Nothing damaged is returned.
struct checkpoint_in_dir {
  std::optional<training_checkpoint> checkpoint;  // empty: neither file exists
  std::filesystem::path path;                     // the file it came from
  std::string bytes;                              // its bytes, when asked for (to send to other ranks)
  std::string fallback_note;                      // why previous.ckpt was used; empty when it was not
};

// Throws io_error naming both files when both exist in some form but neither is intact.
inline checkpoint_in_dir read_newest_intact_checkpoint(const std::filesystem::path& dir, bool keep_bytes = false) {
  namespace fs = std::filesystem;
  const fs::path last = dir / "last.ckpt", previous = dir / "previous.ckpt";
  checkpoint_in_dir out;
  std::string last_error, errors;
  for (const fs::path& candidate : {last, previous}) {
    if (!fs::exists(candidate)) {
      if (candidate == last) last_error = last.string() + " is missing";
      continue;
    }
    try {
      std::string bytes = training_checkpoint::read_bytes(candidate);
      out.checkpoint = training_checkpoint::parse(bytes, candidate.string());  // checksum and structure
      out.path = candidate;
      if (candidate == previous) out.fallback_note = cantus::detail::concat(last_error, "; using ", previous.string(), " instead");
      if (keep_bytes) out.bytes = std::move(bytes);
      return out;
    } catch (const std::exception& e) {
      if (candidate == last) last_error = e.what();
      errors += errors.empty() ? e.what() : cantus::detail::concat("; ", e.what());
    }
  }
  if (!errors.empty()) throw io_error(errors);
  return out;
}

}  // namespace cantus::nn
