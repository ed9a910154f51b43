#pragma once
// tensor<T, Rank, Backend>: owning, contiguous (row-major), aligned storage in a backend's memory.
// tensor_view<T, Rank, Backend>: a non-owning window with strides (slices, transposed-free reshapes).
// fixed_tensor<T, Backend, Dims...>: a tensor whose shape is part of its type, for what a model fixes.
// static_shape<Dims...>: compile-time rank and partly known extents (`dyn` where data decides) that
// layers check run-time shapes against.
#include <array>
#include <cassert>
#include <initializer_list>
#include <memory>
#include <numeric>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "cantus/backend/backend.hpp"
#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/base/config.hpp"
#include "cantus/base/error.hpp"

namespace cantus {

template <std::size_t Rank>
using shape_t = std::array<index_t, Rank>;

inline constexpr index_t dyn = -1;

template <std::size_t Rank>
constexpr index_t element_count(const shape_t<Rank>& s) {
  index_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

template <std::size_t Rank>
constexpr shape_t<Rank> contiguous_strides(const shape_t<Rank>& s) {
  shape_t<Rank> st{};
  index_t acc = 1;
  for (std::size_t i = Rank; i-- > 0;) {
    st[i] = acc;
    acc *= s[i];
  }
  return st;
}

template <index_t... Dims>
struct static_shape {
  static constexpr std::size_t rank = sizeof...(Dims);
  static constexpr shape_t<rank> dims{Dims...};
  static constexpr bool fully_static = ((Dims != dyn) && ...);

  // Throws shape_error naming `where` when a known extent differs.
  static void check(std::string_view where, const shape_t<rank>& s) {
    for (std::size_t i = 0; i < rank; ++i)
      if (dims[i] != dyn && dims[i] != s[i]) {
        std::array<std::string, rank> expected;
        for (std::size_t j = 0; j < rank; ++j) expected[j] = dims[j] == dyn ? "?" : std::to_string(dims[j]);
        throw_shape_mismatch(where, "input", expected, s);
      }
  }
};

template <class T, std::size_t Rank, class Backend = cpu>
class tensor_view {
 public:
  using value_type = T;
  using backend_type = Backend;
  static constexpr std::size_t rank = Rank;

  tensor_view() = default;
  tensor_view(T* data, const shape_t<Rank>& shape) : data_(data), shape_(shape), strides_(contiguous_strides(shape)) {}
  tensor_view(T* data, const shape_t<Rank>& shape, const shape_t<Rank>& strides)
      : data_(data), shape_(shape), strides_(strides) {}
  // A view of T converts to a view of const T.
  template <class U, std::enable_if_t<std::is_same_v<const U, T> && !std::is_same_v<U, T>, int> = 0>
  tensor_view(const tensor_view<U, Rank, Backend>& o) : data_(o.data()), shape_(o.shape()), strides_(o.strides()) {}

  T* data() const { return data_; }
  const shape_t<Rank>& shape() const { return shape_; }
  const shape_t<Rank>& strides() const { return strides_; }
  index_t extent(std::size_t d) const { return shape_[d]; }
  index_t size() const { return element_count(shape_); }
  bool empty() const { return size() == 0; }
  bool is_contiguous() const { return strides_ == contiguous_strides(shape_); }

  template <class... I>
  T& operator()(I... idx) const {
    static_assert(sizeof...(I) == Rank, "tensor_view: number of indices must equal the rank");
    static_assert(Backend::host_accessible, "tensor_view: element access needs host memory; download first");
    const index_t is[] = {static_cast<index_t>(idx)...};
    index_t off = 0;
    for (std::size_t d = 0; d < Rank; ++d) {
      assert(is[d] >= 0 && is[d] < shape_[d]);
      off += is[d] * strides_[d];
    }
    return data_[off];
  }

  // Index the first dimension: a view one rank lower.
  auto operator[](index_t i) const {
    static_assert(Rank >= 1);
    check_index("operator[]", 0, i);
    if constexpr (Rank == 1) {
      return tensor_view<T, 1, Backend>(data_ + i * strides_[0], {1}, {1});
    } else {
      shape_t<Rank - 1> s, st;
      for (std::size_t d = 1; d < Rank; ++d) s[d - 1] = shape_[d], st[d - 1] = strides_[d];
      return tensor_view<T, Rank - 1, Backend>(data_ + i * strides_[0], s, st);
    }
  }

  // Elements [begin, end) along `dim`, same rank.
  tensor_view slice(std::size_t dim, index_t begin, index_t end) const {
    if (dim >= Rank || begin < 0 || end < begin || end > shape_[dim])
      throw shape_error(detail::concat("tensor_view::slice: range [", begin, ", ", end, ") on dimension ", dim,
                                       " does not fit shape ", shape_string(shape_)));
    auto s = shape_;
    s[dim] = end - begin;
    return tensor_view(data_ + begin * strides_[dim], s, strides_);
  }

  template <std::size_t NewRank>
  tensor_view<T, NewRank, Backend> reshape(const shape_t<NewRank>& s) const {
    if (!is_contiguous())
      throw shape_error(detail::concat("tensor_view::reshape: view of shape ", shape_string(shape_),
                                       " is not contiguous"));
    if (element_count(s) != size())
      throw_shape_mismatch("tensor_view::reshape", "element count of", shape_, s);
    return tensor_view<T, NewRank, Backend>(data_, s);
  }
  tensor_view<T, 1, Backend> flat() const { return reshape<1>({size()}); }

  std::span<T> span() const {
    static_assert(Backend::host_accessible, "tensor_view::span: needs host memory");
    if (!is_contiguous()) throw shape_error("tensor_view::span: view is not contiguous");
    return {data_, static_cast<std::size_t>(size())};
  }

 private:
  void check_index(const char* what, std::size_t d, index_t i) const {
    if (i < 0 || i >= shape_[d])
      throw shape_error(detail::concat("tensor_view::", what, ": index ", i, " out of range for dimension ", d,
                                       " of shape ", shape_string(shape_)));
  }
  T* data_ = nullptr;
  shape_t<Rank> shape_{};
  shape_t<Rank> strides_{};
};

template <class T, std::size_t Rank, class Backend = cpu>
class tensor {
 public:
  using value_type = T;
  using backend_type = Backend;
  using ops = backend_ops<Backend>;
  static constexpr std::size_t rank = Rank;

  tensor() = default;
  explicit tensor(const shape_t<Rank>& shape) : shape_(validated(shape)), data_(allocate(element_count(shape_))) {}
  tensor(const shape_t<Rank>& shape, T value) : tensor(shape) { fill(value); }
  // Host data in row-major order; its length must equal the shape's element count.
  tensor(const shape_t<Rank>& shape, std::span<const T> host) : tensor(shape) {
    if (static_cast<index_t>(host.size()) != size())
      throw shape_error(detail::concat("tensor: ", host.size(), " host values given for shape ", shape_string(shape_),
                                       " (", size(), " elements)"));
    ops::upload(data(), host.data(), host.size());
  }
  tensor(const shape_t<Rank>& shape, std::initializer_list<T> host)
      : tensor(shape, std::span<const T>(host.begin(), host.size())) {}

  tensor(const tensor& o) : tensor(o.shape_) { ops::copy(data(), o.data(), static_cast<std::size_t>(size())); }
  tensor& operator=(const tensor& o) {
    if (this != &o) {
      tensor t(o);
      *this = std::move(t);
    }
    return *this;
  }
  tensor(tensor&&) noexcept = default;
  tensor& operator=(tensor&&) noexcept = default;

  static tensor zeros(const shape_t<Rank>& s) { return tensor(s, T(0)); }
  // A deep copy of any view (strided views are gathered on the host).
  static tensor copy_of(tensor_view<const T, Rank, Backend> v) {
    tensor t(v.shape());
    if (v.is_contiguous()) {
      ops::copy(t.data(), v.data(), static_cast<std::size_t>(v.size()));
    } else {
      static_assert(Backend::host_accessible, "tensor::copy_of: strided device views are not supported");
      index_t i = 0;
      for_each_index(v.shape(), [&](const shape_t<Rank>& idx) {
        index_t off = 0;
        for (std::size_t d = 0; d < Rank; ++d) off += idx[d] * v.strides()[d];
        t.data()[i++] = v.data()[off];
      });
    }
    return t;
  }

  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  const shape_t<Rank>& shape() const { return shape_; }
  index_t extent(std::size_t d) const { return shape_[d]; }
  index_t size() const { return element_count(shape_); }
  bool empty() const { return size() == 0; }

  tensor_view<T, Rank, Backend> view() { return {data(), shape_}; }
  tensor_view<const T, Rank, Backend> view() const { return {data(), shape_}; }
  operator tensor_view<T, Rank, Backend>() { return view(); }
  operator tensor_view<const T, Rank, Backend>() const { return view(); }

  template <class... I>
  T& operator()(I... idx) { return view()(idx...); }
  template <class... I>
  const T& operator()(I... idx) const { return view()(idx...); }
  auto operator[](index_t i) { return view()[i]; }
  auto operator[](index_t i) const { return view()[i]; }

  void fill(T value) { ops::fill(data(), static_cast<std::size_t>(size()), value); }

  // Reshape in place (same element count) — keeps the storage.
  template <std::size_t NewRank>
  tensor<T, NewRank, Backend> reshaped(const shape_t<NewRank>& s) && {
    if (element_count(s) != size()) throw_shape_mismatch("tensor::reshaped", "element count of", shape_, s);
    tensor<T, NewRank, Backend> r;
    r.adopt(data_.release(), s);
    shape_ = {};
    return r;
  }

  std::vector<T> to_vector() const {
    std::vector<T> v(static_cast<std::size_t>(size()));
    ops::download(v.data(), data(), v.size());
    return v;
  }
  template <class Other>
  tensor<T, Rank, Other> to() const {
    tensor<T, Rank, Other> r(shape_);
    if constexpr (std::is_same_v<Other, Backend>) {
      ops::copy(r.data(), data(), static_cast<std::size_t>(size()));
    } else if constexpr (Backend::host_accessible) {
      backend_ops<Other>::upload(r.data(), data(), static_cast<std::size_t>(size()));
    } else {
      static_assert(Other::host_accessible, "tensor::to: copies between two device backends go through the host");
      ops::download(r.data(), data(), static_cast<std::size_t>(size()));
    }
    return r;
  }

  template <class F>
  static void for_each_index(const shape_t<Rank>& s, F&& f) {
    if (element_count(s) == 0) return;
    shape_t<Rank> idx{};
    while (true) {
      f(idx);
      std::size_t d = Rank;
      while (d-- > 0) {
        if (++idx[d] < s[d]) break;
        idx[d] = 0;
        if (d == 0) return;
      }
      if constexpr (Rank == 0) return;
    }
  }

 private:
  template <class, std::size_t, class>
  friend class tensor;
  struct deleter {
    void operator()(T* p) const noexcept { ops::deallocate(p); }
  };
  void adopt(T* d, const shape_t<Rank>& s) {
    data_ = std::unique_ptr<T, deleter>(d);
    shape_ = s;
  }
  static shape_t<Rank> validated(const shape_t<Rank>& s) {
    for (auto d : s)
      if (d < 0) throw shape_error(detail::concat("tensor: negative extent in shape ", shape_string(s)));
    return s;
  }
  static std::unique_ptr<T, deleter> allocate(index_t n) {
    return std::unique_ptr<T, deleter>(ops::template allocate<T>(static_cast<std::size_t>(n)));
  }

  shape_t<Rank> shape_{};
  std::unique_ptr<T, deleter> data_;
};

// A tensor whose extents are fixed by its type (a model's weights, a fixed-size frame).
template <class T, class Backend, index_t... Dims>
class fixed_tensor : public tensor<T, sizeof...(Dims), Backend> {
  static_assert(((Dims > 0) && ...), "fixed_tensor: every extent must be a positive constant");

 public:
  using shape_type = static_shape<Dims...>;
  static constexpr shape_t<sizeof...(Dims)> static_extents{Dims...};
  static constexpr index_t static_size = (Dims * ...);
  fixed_tensor() : tensor<T, sizeof...(Dims), Backend>(static_extents) {}
  explicit fixed_tensor(T value) : tensor<T, sizeof...(Dims), Backend>(static_extents, value) {}
};

// Views over plain host memory.
template <std::size_t Rank, class T>
tensor_view<T, Rank, cpu> host_view(T* data, const shape_t<Rank>& shape) {
  return {data, shape};
}

// Makes `t` a tensor of shape `s`, keeping its storage when the shape is already right: training
// steps see the same shapes every time, and fresh multi-megabyte buffers would cost page faults.
template <class T, std::size_t R, class B>
tensor<T, R, B>& ensure_shape(tensor<T, R, B>& t, const shape_t<R>& s) {
  if (t.shape() != s || t.data() == nullptr) t = tensor<T, R, B>(s);
  return t;
}

}  // namespace cantus
