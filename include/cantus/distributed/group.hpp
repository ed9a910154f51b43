#pragma once
// process_group: the collective operations data-parallel training needs, behind one small interface
// so that the trainer, the models and the feature store never name MPI (or NCCL). A group of one
// (single_process) does nothing; cantus/distributed/mpi.hpp implements it over MPI.
//
// Contract: every member of the group calls the same collectives in the same order with the same
// sizes (as MPI requires); each call returns only when its result is complete on this rank, except
// start_all_reduce_sum, whose buffer may be read only after the returned request's wait().
#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace cantus::distributed {

class process_group {
 public:
  // An all-reduce in flight: wait() completes it (once; the destructor waits if nobody did).
  class request {
   public:
    virtual ~request() = default;
    virtual void wait() = 0;
  };

  virtual ~process_group() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  bool root() const { return rank() == 0; }

  // data[i] <- the sum of data[i] over all ranks, in the same order on every rank (so every rank
  // holds the same bits).
  virtual void all_reduce_sum(float* data, std::size_t n) = 0;
  virtual void all_reduce_sum(double* data, std::size_t n) = 0;
  virtual std::unique_ptr<request> start_all_reduce_sum(float* data, std::size_t n) = 0;
  // data[i] <- the maximum over all ranks.
  virtual void all_reduce_max(double* data, std::size_t n) = 0;
  // bytes <- root's bytes.
  virtual void broadcast(std::string& bytes, int root) = 0;
  // Every rank's string, in rank order.
  virtual std::vector<std::string> all_gather(const std::string& mine) = 0;
  virtual void barrier() = 0;
  // Ends every rank of the job with `why` on stderr (a rank that cannot go on must not leave the
  // others waiting in a collective).
  [[noreturn]] virtual void abort(const std::string& why, int code = 1) = 0;
  // What the group runs on: "1 process", "MPI, 4 ranks on 2 hosts" ...
  virtual std::string description() const = 0;
};

// The group of one: every collective is the identity.
class single_process final : public process_group {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void all_reduce_sum(float*, std::size_t) override {}
  void all_reduce_sum(double*, std::size_t) override {}
  std::unique_ptr<request> start_all_reduce_sum(float*, std::size_t) override { return std::make_unique<done>(); }
  void all_reduce_max(double*, std::size_t) override {}
  void broadcast(std::string&, int) override {}
  std::vector<std::string> all_gather(const std::string& mine) override { return {mine}; }
  void barrier() override {}
  [[noreturn]] void abort(const std::string& why, int code) override;
  std::string description() const override { return "1 process"; }

 private:
  struct done final : request {
    void wait() override {}
  };
};


inline void single_process::abort(const std::string& why, int code) {
  std::fprintf(stderr, "%s\n", why.c_str());
  std::exit(code);
}

// This rank's share [begin, end) of n items split as evenly as possible over `size` ranks (the first
// n % size ranks get one more): the same split on every rank, without communication.
struct shard_range {
  std::size_t begin = 0, end = 0;
  std::size_t size() const { return end - begin; }
};
inline shard_range shard_of(std::size_t n, int rank, int size) {
  const std::size_t r = static_cast<std::size_t>(rank), s = static_cast<std::size_t>(size);
  const std::size_t q = n / s, extra = n % s;
  const std::size_t begin = r * q + std::min(r, extra);
  return {begin, begin + q + (r < extra ? 1 : 0)};
}
}  // namespace cantus::distributed
