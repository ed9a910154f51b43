// The CPU GEMM, compiled once per instruction-set level (included by isa_kernels.inl inside the
// level's namespace; no include guard for that reason). Goto/BLIS blocking: op(B) is packed in
// blocks of KC x NC into panels NR columns wide, and a register-blocked micro-kernel multiplies MR
// rows of op(A) by one B panel with MR x NR accumulators. A row-major A is read in place (its MR
// rows are MR sequential streams, and packing it cost as much as the product at the layers' sizes);
// a transposed A, and a last block of fewer than MR rows, are packed into MR-row panels. Alpha and
// beta are applied when the accumulators are written. Eigen's general product reached 56-71 % of the
// FMA peak here; its packing of the whole right-hand side on every call also made the recurrent
// layers' per-step products (16 rows against a 4 MB weight matrix) memory-bound, hence the pre-packed
// entry points for a B used many times.
//
// Determinism: the sum over k runs in KC blocks in a fixed order, and nothing depends on the thread
// count (one call runs on one thread; callers split work by shape).
//
// Expects `arch` (the xsimd architecture of this level) and index_t in scope.

// Full unrolling keeps the accumulators in registers; nvcc's host pass does not know the pragma.
#ifndef CANTUS_GEMM_UNROLL
#if defined(__GNUC__) && !defined(__CUDACC__)
#define CANTUS_GEMM_UNROLL(n) _Pragma(CANTUS_GEMM_UNROLL_STR(GCC unroll n))
#define CANTUS_GEMM_UNROLL_STR(x) #x
#else
#define CANTUS_GEMM_UNROLL(n)
#endif
#endif

// Register blocking: MR rows x NV vectors of columns, as many accumulators as the register file
// allows. AVX-512 (32 registers) has two shapes: 8 x 3 vectors (24 accumulators + 3 of B + 1
// broadcast) and 8 x 2 for widths that 48 columns would pad (64, 128, 256: a third of the work
// wasted at n = 64); 8 rows rather than 12 or 14 because the recurrent steps multiply 8 or 16 rows.
// AVX2 and SSE (16 registers): 6 x 2.
template <class T>
inline constexpr bool gemm_wide_registers = sizeof(xsimd::batch<T, arch>) >= 64;

template <class T, int NV>
struct gemm_blocking {
  static constexpr int lanes = static_cast<int>(xsimd::batch<T, arch>::size);
  static constexpr int nv = NV;
  static constexpr int nr = nv * lanes;
  static constexpr int mr = gemm_wide_registers<T> ? 8 : 6;
  // KC x NR of B (at most 48 KiB) stays in L1 while the A panels of one block stream by; MC x KC of
  // A (192 KiB) in L2; KC x NC of B (up to 4 MiB for float) in the shared L3.
  static constexpr index_t kc = 256;
  static constexpr index_t mc = mr * 24;
  static constexpr index_t nc = 4096;
};

// The column blocking for n columns: three vectors unless that pads n by more than 4 % over two.
template <class T>
constexpr int gemm_nv_for(index_t n) {
  if (!gemm_wide_registers<T>) return 2;
  constexpr index_t w = static_cast<index_t>(xsimd::batch<T, arch>::size);
  const index_t pad3 = (n + 3 * w - 1) / (3 * w) * (3 * w), pad2 = (n + 2 * w - 1) / (2 * w) * (2 * w);
  return pad3 * 100 <= pad2 * 104 ? 3 : 2;
}

// Scratch buffers of one thread, grown on demand and kept: a training step calls the same shapes
// again and again. Plain C allocation: nothing inline from the standard library in a dispatch unit.
template <class T>
struct gemm_scratch {
  T* a = nullptr;
  T* b = nullptr;
  std::size_t a_size = 0, b_size = 0;
  ~gemm_scratch() {
    std::free(a);
    std::free(b);
  }
  static T* grow(T*& p, std::size_t& have, std::size_t want) {
    if (want <= have) return p;
    std::free(p);
    const std::size_t bytes = (want * sizeof(T) + 63) / 64 * 64;
    p = static_cast<T*>(std::aligned_alloc(64, bytes));
    if (!p) {
      have = 0;
      return nullptr;
    }
    have = bytes / sizeof(T);
    return p;
  }
};
template <class T>
gemm_scratch<T>& thread_gemm_scratch() {
  static thread_local gemm_scratch<T> s;
  return s;
}

#if defined(__AVX__)
// dst[p * ldd + r] = src[r * lds + p] for an 8 x 8 block of floats: eight row loads, three rounds of
// shuffles, eight row stores (the scalar loop took longer than the product it fed at the layers'
// weight-gradient shapes).
template <class T>
inline void gemm_transpose_8x8(const T* src, index_t lds, T* dst, index_t ldd) {
  __m256 r0 = _mm256_loadu_ps(src + 0 * lds), r1 = _mm256_loadu_ps(src + 1 * lds);
  __m256 r2 = _mm256_loadu_ps(src + 2 * lds), r3 = _mm256_loadu_ps(src + 3 * lds);
  __m256 r4 = _mm256_loadu_ps(src + 4 * lds), r5 = _mm256_loadu_ps(src + 5 * lds);
  __m256 r6 = _mm256_loadu_ps(src + 6 * lds), r7 = _mm256_loadu_ps(src + 7 * lds);
  const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  const __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  _mm256_storeu_ps(dst + 0 * ldd, _mm256_permute2f128_ps(u0, u4, 0x20));
  _mm256_storeu_ps(dst + 1 * ldd, _mm256_permute2f128_ps(u1, u5, 0x20));
  _mm256_storeu_ps(dst + 2 * ldd, _mm256_permute2f128_ps(u2, u6, 0x20));
  _mm256_storeu_ps(dst + 3 * ldd, _mm256_permute2f128_ps(u3, u7, 0x20));
  _mm256_storeu_ps(dst + 4 * ldd, _mm256_permute2f128_ps(u0, u4, 0x31));
  _mm256_storeu_ps(dst + 5 * ldd, _mm256_permute2f128_ps(u1, u5, 0x31));
  _mm256_storeu_ps(dst + 6 * ldd, _mm256_permute2f128_ps(u2, u6, 0x31));
  _mm256_storeu_ps(dst + 7 * ldd, _mm256_permute2f128_ps(u3, u7, 0x31));
}
#endif

// Rows [r0, r0 + rows) of a row-major A, columns [p0, p0 + kc), as one MR-row panel: MR values per
// p, rows past `rows` zero.
template <class T>
void gemm_pack_a_panel(const T* a, index_t lda, index_t r0, index_t rows, index_t p0, index_t kc, T* dst) {
  constexpr int mr = gemm_blocking<T, 2>::mr;
#if defined(__AVX__)
  if constexpr (sizeof(T) == 4 && mr == 8)
    if (rows == mr) {
      index_t p = 0;
      for (; p + 8 <= kc; p += 8) gemm_transpose_8x8(a + r0 * lda + p0 + p, lda, dst + p * mr, index_t(mr));
      for (; p < kc; ++p)
        for (index_t r = 0; r < mr; ++r) dst[p * mr + r] = a[(r0 + r) * lda + p0 + p];
      return;
    }
#endif
  for (index_t p = 0; p < kc; ++p)
    for (index_t r = 0; r < mr; ++r) dst[p * mr + r] = r >= rows ? T(0) : a[(r0 + r) * lda + p0 + p];
}

// Rows [i0, i0 + mc) of a transposed A (stored k x m), columns [p0, p0 + kc), into MR-row panels
// (panel i at dst + i * kc, MR values per p, rows past mc zero). Four panels at a time: each p then
// reads 32 values side by side (two cache lines, each read once) and writes four sequential streams.
// One panel at a time read half a line lda apart per p; p by p across all panels, the writes were
// kc * MR apart, often 4 KiB: one L1 set.
template <class T>
void gemm_pack_a_transposed(const T* a, index_t lda, index_t i0, index_t mc, index_t p0, index_t kc, T* dst) {
  constexpr int mr = gemm_blocking<T, 2>::mr;
  // One p's MR values of a whole panel: a single 8-float vector move for float with AVX.
  auto copy_run = [](const T* src, T* d) {
#if defined(__AVX__)
    if constexpr (sizeof(T) == 4 && mr == 8) {
      _mm256_storeu_ps(d, _mm256_loadu_ps(src));
      return;
    }
#endif
    for (int r = 0; r < mr; ++r) d[r] = src[r];
  };
  constexpr index_t group = 4 * mr;
  const index_t full = mc / mr * mr;
  index_t i = 0;
  for (; i + group <= full; i += group)
    for (index_t p = 0; p < kc; ++p) {
      const T* src = a + (p0 + p) * lda + i0 + i;
      CANTUS_GEMM_UNROLL(4)
      for (int g = 0; g < 4; ++g) copy_run(src + g * mr, dst + (i + g * mr) * kc + p * mr);
    }
  for (; i < full; i += mr)
    for (index_t p = 0; p < kc; ++p) copy_run(a + (p0 + p) * lda + i0 + i, dst + i * kc + p * mr);
  if (full < mc)
    for (index_t p = 0; p < kc; ++p) {
      const T* src = a + (p0 + p) * lda + i0 + full;
      for (index_t r = 0; r < mr; ++r) dst[full * kc + p * mr + r] = full + r < mc ? src[r] : T(0);
    }
}

// op(B)[p0 + p, j0 + j] into panels of NR columns: panel q holds columns q*NR.., p-major (NR values
// per p); columns past nc are zero.
template <class T, int NV>
void gemm_pack_b(bool tb, const T* b, index_t ldb, index_t p0, index_t j0, index_t kc, index_t nc, T* out) {
  using batch = xsimd::batch<T, arch>;
  constexpr int nr = gemm_blocking<T, NV>::nr, w = gemm_blocking<T, NV>::lanes;
  if (!tb) {
    // Row by row of B, each row's runs of NR values to their panels: B is read in order (one stream
    // the prefetcher follows), where panel by panel it was read in strides of ldb.
    for (index_t p = 0; p < kc; ++p) {
      const T* src = b + (p0 + p) * ldb + j0;
      for (index_t q = 0; q < nc; q += nr) {
        const index_t cols = nc - q < nr ? nc - q : nr;
        T* d = out + q * kc + p * nr;
        if (cols == nr) {
          CANTUS_GEMM_UNROLL(4)
          for (int v = 0; v < NV; ++v) batch::load_unaligned(src + q + v * w).store_unaligned(d + v * w);
        } else {
          index_t j = 0;
          for (; j < cols; ++j) d[j] = src[q + j];
          for (; j < nr; ++j) d[j] = T(0);
        }
      }
    }
    return;
  }
  // Transposed: eight columns at a time: eight read streams, and each p writes one 8-value run; for
  // float with AVX, 8 x 8 blocks transposed in registers.
  for (index_t q = 0; q < nc; q += nr) {
    const index_t cols = nc - q < nr ? nc - q : nr;
    T* dst = out + q * kc;
    index_t j = 0;
    for (; j + 8 <= cols; j += 8) {
      const T* src = b + (j0 + q + j) * ldb + p0;
      index_t p = 0;
#if defined(__AVX__)
      if constexpr (sizeof(T) == 4)
        for (; p + 8 <= kc; p += 8) gemm_transpose_8x8(src + p, ldb, dst + p * nr + j, nr);
#endif
      for (; p < kc; ++p)
        CANTUS_GEMM_UNROLL(8)
        for (index_t jj = 0; jj < 8; ++jj) dst[p * nr + j + jj] = src[jj * ldb + p];
    }
    for (; j < cols; ++j) {
      const T* src = b + (j0 + q + j) * ldb + p0;
      for (index_t p = 0; p < kc; ++p) dst[p * nr + j] = src[p];
    }
    for (index_t jz = cols; jz < nr; ++jz)
      for (index_t p = 0; p < kc; ++p) dst[p * nr + jz] = T(0);
  }
}

// C tile (rows x cols of at most MR x NR) = alpha acc + beta C; beta == 0 never reads C. A is read
// at a(i, p) = a[i * a_row + p * a_col]: a packed panel (a_row 1, a_col MR) or A in place
// (a_row lda, a_col 1), the stride fixed at compile time so the addressing stays cheap. (A transposed
// read in place, a_row 1 and a_col lda, ran 15 % slower: its rows, lda apart, share few L1 sets with
// the B panel.) FarB: B's panel comes from beyond L2 (a pre-packed B shared by many products), so it
// is prefetched ahead.
template <class T, int NV, bool InPlaceA, bool FarB>
void gemm_micro(index_t kc, const T* __restrict ap, index_t lda, const T* __restrict bp, T* c, index_t ldc, T alpha,
                T beta, index_t rows, index_t cols) {
  using batch = xsimd::batch<T, arch>;
  using blk = gemm_blocking<T, NV>;
  constexpr int mr = blk::mr, nv = blk::nv, w = blk::lanes;
  constexpr index_t prefetch_distance = 24;  // k steps: about an L3 latency at two FMAs a cycle
  const index_t a_row = InPlaceA ? lda : 1, a_col = InPlaceA ? 1 : mr;
  batch acc[mr][nv];
  CANTUS_GEMM_UNROLL(16)
  for (int i = 0; i < mr; ++i)
    CANTUS_GEMM_UNROLL(4)
    for (int v = 0; v < nv; ++v) acc[i][v] = batch(T(0));
  // C's rows are ldc apart (often a multiple of 4 KiB: one cache set); fetch them while the sums run.
  for (index_t i = 0; i < rows; ++i) {
    __builtin_prefetch(c + i * ldc, 1);
    __builtin_prefetch(c + i * ldc + nv * w - 1, 1);
  }
  for (index_t p = 0; p < kc; ++p) {
    // B arrives from L3 when few rows share it (a recurrent step: 16 rows against 4 MB of weights);
    // its panel is contiguous, so fetch a fixed distance ahead of the loads. A B packed by this call
    // was just written and is in L1 or L2: the prefetches would only take issue slots.
    if constexpr (FarB) {
      __builtin_prefetch(bp + prefetch_distance * nv * w);
      __builtin_prefetch(bp + prefetch_distance * nv * w + nv * w - 1);
    }
    batch bv[nv];
    CANTUS_GEMM_UNROLL(4)
    for (int v = 0; v < nv; ++v) bv[v] = batch::load_unaligned(bp + v * w);
    CANTUS_GEMM_UNROLL(16)
    for (int i = 0; i < mr; ++i) {
      const batch av(ap[i * a_row]);
      CANTUS_GEMM_UNROLL(4)
      for (int v = 0; v < nv; ++v) acc[i][v] = xsimd::fma(av, bv[v], acc[i][v]);
    }
    ap += a_col;
    bp += nv * w;
  }
  // Whole vectors of C directly; only a ragged last vector (n not a multiple of the width) and
  // missing rows go through the scalar path.
  const batch va(alpha), vb(beta);
  auto update = [&](const batch& sum, T* ci) {
    const batch s = alpha == T(1) ? sum : sum * va;
    if (beta == T(0)) s.store_unaligned(ci);
    else if (beta == T(1)) (batch::load_unaligned(ci) + s).store_unaligned(ci);
    else xsimd::fma(vb, batch::load_unaligned(ci), s).store_unaligned(ci);
  };
  if (rows == mr && cols == nv * w) {
    CANTUS_GEMM_UNROLL(16)
    for (int i = 0; i < mr; ++i)
      CANTUS_GEMM_UNROLL(4)
      for (int v = 0; v < nv; ++v) update(acc[i][v], c + i * ldc + v * w);
    return;
  }
  const index_t whole = cols / w;
  CANTUS_GEMM_UNROLL(16)
  for (int i = 0; i < mr; ++i) {
    if (i >= rows) break;
    CANTUS_GEMM_UNROLL(4)
    for (int v = 0; v < nv; ++v) {
      if (v < whole) {
        update(acc[i][v], c + i * ldc + v * w);
      } else if (v == whole && cols % w != 0) {
        alignas(64) T lane[w];
        acc[i][v].store_aligned(lane);
        for (index_t j = 0; j < cols % w; ++j) {
          T& cij = c[i * ldc + v * w + j];
          const T s = alpha * lane[j];
          cij = beta == T(0) ? s : beta == T(1) ? cij + s : beta * cij + s;
        }
      }
    }
  }
}

// Rows [i0, i0 + mc) of C against the packed B panels covering nc columns, for k columns
// [p0, p0 + kc) of op(A). The row panels that are packed (A transposed, a short last panel, or A
// reused by many B panels) go to `ap` (MC x KC) first; then each B panel stays in L1 while the A
// panels stream past it from L2.
template <class T, int NV, bool FarB>
void gemm_macro(bool ta, const T* a, index_t lda, index_t i0, index_t mc, index_t p0, index_t kc, index_t nc,
                const T* bp, T alpha, T beta, T* c, index_t ldc, T* ap) {
  constexpr int mr = gemm_blocking<T, NV>::mr, nr = gemm_blocking<T, NV>::nr;
  // In place only when few B panels reuse the rows: across many, A's rows (often 4 KiB apart, one
  // cache set) keep evicting each other, and the packing is shared by more products.
  constexpr index_t in_place_panels = 4;
  const bool few_panels = nc <= in_place_panels * nr;
  auto in_place = [&](index_t i) { return !ta && few_panels && mc - i >= mr; };
  if (ta)
    gemm_pack_a_transposed(a, lda, i0, mc, p0, kc, ap);
  else
    for (index_t i = 0; i < mc; i += mr)
      if (!in_place(i)) gemm_pack_a_panel(a, lda, i0 + i, mc - i < mr ? mc - i : mr, p0, kc, ap + i * kc);
  for (index_t j = 0; j < nc; j += nr) {
    const index_t cols = nc - j < nr ? nc - j : nr;
    for (index_t i = 0; i < mc; i += mr) {
      const index_t rows = mc - i < mr ? mc - i : mr;
      T* ct = c + (i0 + i) * ldc + j;
      if (in_place(i))
        gemm_micro<T, NV, true, FarB>(kc, a + (i0 + i) * lda + p0, lda, bp + j * kc, ct, ldc, alpha, beta, rows, cols);
      else
        gemm_micro<T, NV, false, FarB>(kc, ap + i * kc, lda, bp + j * kc, ct, ldc, alpha, beta, rows, cols);
    }
  }
}

// C = beta C (beta == 0 clears it, NaN included, as BLAS does) when k or alpha leave nothing to add;
// returns whether that was all there was to do.
template <class T>
bool gemm_nothing_to_multiply(index_t m, index_t n, index_t k, T alpha, T beta, T* c, index_t ldc) {
  if (m == 0 || n == 0) return true;
  if (k != 0 && alpha != T(0)) return false;
  if (beta != T(1))
    for (index_t i = 0; i < m; ++i)
      for (index_t j = 0; j < n; ++j) c[i * ldc + j] = beta == T(0) ? T(0) : beta * c[i * ldc + j];
  return true;
}

// The thread's A panels for one KC block of up to MC rows of an m-row product (null when out of memory).
template <class T, int NV>
T* gemm_a_scratch(index_t m, index_t k) {
  using blk = gemm_blocking<T, NV>;
  const index_t kc_max = k < blk::kc ? k : blk::kc;
  const index_t mc_pad = ((m < blk::mc ? m : blk::mc) + blk::mr - 1) / blk::mr * blk::mr;
  auto& s = thread_gemm_scratch<T>();
  return gemm_scratch<T>::grow(s.a, s.a_size, static_cast<std::size_t>(kc_max * mc_pad));
}

// All m rows of C against one packed KC x nc block of B, MC rows at a time.
template <class T, int NV, bool FarB>
void gemm_rows(bool ta, const T* a, index_t lda, index_t m, index_t p0, index_t kc, index_t nc, const T* bp, T alpha,
               T beta, T* c, index_t ldc, T* ap) {
  using blk = gemm_blocking<T, NV>;
  for (index_t i0 = 0; i0 < m; i0 += blk::mc)
    gemm_macro<T, NV, FarB>(ta, a, lda, i0, m - i0 < blk::mc ? m - i0 : blk::mc, p0, kc, nc, bp, alpha, beta, c, ldc, ap);
}

// Calls f(std::integral_constant<int, NV>) with the column blocking gemm_nv_for chooses for n.
template <class T, class F>
decltype(auto) gemm_with_nv(index_t n, F&& f) {
  if (gemm_nv_for<T>(n) == 3) return f(std::integral_constant<int, 3>{});
  return f(std::integral_constant<int, 2>{});
}

// Row-major C (m x n) = alpha op(A) op(B) + beta C. Returns false only when scratch memory ran out.
template <class T, int NV>
bool gemm_blocked_nv(bool ta, bool tb, index_t m, index_t n, index_t k, T alpha, const T* a, index_t lda, const T* b,
                     index_t ldb, T beta, T* c, index_t ldc) {
  using blk = gemm_blocking<T, NV>;
  if (gemm_nothing_to_multiply(m, n, k, alpha, beta, c, ldc)) return true;
  auto& s = thread_gemm_scratch<T>();
  const index_t kc_max = k < blk::kc ? k : blk::kc, nc_max = n < blk::nc ? n : blk::nc;
  const index_t nc_pad = (nc_max + blk::nr - 1) / blk::nr * blk::nr;
  T* bp = gemm_scratch<T>::grow(s.b, s.b_size, static_cast<std::size_t>(kc_max * nc_pad));
  T* ap = gemm_a_scratch<T, NV>(m, k);
  if (!bp || !ap) return false;
  // KC blocks of equal length: k = 288 as 256 + 32 left a 32-step block whose packing and C updates
  // cost as much as its multiply-adds (the CNN's 3x3 convolutions over 32 channels).
  const index_t k_blocks = (k + blk::kc - 1) / blk::kc;
  const index_t kc_even = ((k + k_blocks - 1) / k_blocks + 7) / 8 * 8;
  for (index_t j0 = 0; j0 < n; j0 += blk::nc) {
    const index_t nc = n - j0 < blk::nc ? n - j0 : blk::nc;
    for (index_t p0 = 0; p0 < k; p0 += kc_even) {
      const index_t kc = k - p0 < kc_even ? k - p0 : kc_even;
      gemm_pack_b<T, NV>(tb, b, ldb, p0, j0, kc, nc, bp);
      gemm_rows<T, NV, false>(ta, a, lda, m, p0, kc, nc, bp, alpha, p0 == 0 ? beta : T(1), c + j0, ldc, ap);
    }
  }
  return true;
}

template <class T>
bool gemm_blocked(bool ta, bool tb, index_t m, index_t n, index_t k, T alpha, const T* a, index_t lda, const T* b,
                  index_t ldb, T beta, T* c, index_t ldc) {
  return gemm_with_nv<T>(n, [&](auto nv) {
    return gemm_blocked_nv<T, decltype(nv)::value>(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  });
}

// A B used by many products (a recurrent layer's weights, once per time step) is packed once:
// the whole of op(B) (k x n), KC blocks one after another, each in NR-column panels (NR chosen from
// n, so packing and product agree).
template <class T>
index_t gemm_padded_n(index_t n) {
  const index_t nr = gemm_nv_for<T>(n) * static_cast<index_t>(xsimd::batch<T, arch>::size);
  return (n + nr - 1) / nr * nr;
}
template <class T>
std::size_t gemm_packed_b_size(index_t k, index_t n) {
  return static_cast<std::size_t>(k) * static_cast<std::size_t>(gemm_padded_n<T>(n));
}
template <class T>
void gemm_pack_b_all(bool tb, index_t k, index_t n, const T* b, index_t ldb, T* packed) {
  gemm_with_nv<T>(n, [&](auto nv) {
    constexpr index_t kc_block = gemm_blocking<T, decltype(nv)::value>::kc;
    const index_t n_pad = gemm_padded_n<T>(n);
    for (index_t p0 = 0; p0 < k; p0 += kc_block)
      gemm_pack_b<T, decltype(nv)::value>(tb, b, ldb, p0, 0, k - p0 < kc_block ? k - p0 : kc_block, n, packed + p0 * n_pad);
  });
}
// C (m x n) = alpha op(A) B + beta C with B packed by gemm_pack_b_all for the same k and n.
template <class T>
bool gemm_with_packed_b(bool ta, index_t m, index_t n, index_t k, T alpha, const T* a, index_t lda, const T* packed,
                        T beta, T* c, index_t ldc) {
  if (gemm_nothing_to_multiply(m, n, k, alpha, beta, c, ldc)) return true;
  return gemm_with_nv<T>(n, [&](auto nv) {
    constexpr int NV = decltype(nv)::value;
    constexpr index_t kc_block = gemm_blocking<T, NV>::kc;
    T* ap = gemm_a_scratch<T, NV>(m, k);
    if (!ap) return false;
    const index_t n_pad = gemm_padded_n<T>(n);
    for (index_t p0 = 0; p0 < k; p0 += kc_block)
      gemm_rows<T, NV, true>(ta, a, lda, m, p0, k - p0 < kc_block ? k - p0 : kc_block, n, packed + p0 * n_pad, alpha,
                       p0 == 0 ? beta : T(1), c, ldc, ap);
    return true;
  });
}
