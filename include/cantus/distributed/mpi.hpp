#pragma once
// process_group over MPI (component cantus::mpi: link it and CANTUS_WITH_MPI is defined). A program
// holds one mpi_environment for its lifetime; world() is every rank of the job.
//
// Only the thread that initialised MPI calls it (MPI_THREAD_FUNNELED): the ranks' OpenMP threads
// compute, the main thread communicates. Every MPI error is turned into a message naming the rank and
// the call, and ends the whole job (MPI_Abort), so no rank is left waiting in a collective.
#include <mpi.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cantus/distributed/group.hpp"

namespace cantus::distributed {

class mpi_group final : public process_group {
 public:
  // A group over `comm` (not owned: the caller frees a communicator it created).
  // Collective over `comm` (it counts the hosts).
  explicit mpi_group(MPI_Comm comm = MPI_COMM_WORLD) : comm_(comm) {
    MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    const auto hosts = all_gather(host);
    hosts_ = std::set<std::string>(hosts.begin(), hosts.end()).size();
  }
  MPI_Comm communicator() const { return comm_; }
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void all_reduce_sum(float* data, std::size_t n) override { reduce(data, n, MPI_FLOAT, MPI_SUM, "MPI_Allreduce(sum, float)"); }
  void all_reduce_sum(double* data, std::size_t n) override { reduce(data, n, MPI_DOUBLE, MPI_SUM, "MPI_Allreduce(sum, double)"); }
  void all_reduce_max(double* data, std::size_t n) override { reduce(data, n, MPI_DOUBLE, MPI_MAX, "MPI_Allreduce(max)"); }

  std::unique_ptr<request> start_all_reduce_sum(float* data, std::size_t n) override {
    auto r = std::make_unique<pending>(this);
    if (n > 0)
      check(MPI_Iallreduce(MPI_IN_PLACE, data, count(n), MPI_FLOAT, MPI_SUM, comm_, &r->req), "MPI_Iallreduce");
    return r;
  }

  void broadcast(std::string& bytes, int root) override {
    std::uint64_t n = bytes.size();
    check(MPI_Bcast(&n, 1, MPI_UINT64_T, root, comm_), "MPI_Bcast(size)");
    bytes.resize(static_cast<std::size_t>(n));
    // MPI counts are int: large payloads go in pieces.
    for (std::uint64_t off = 0; off < n; off += chunk)
      check(MPI_Bcast(bytes.data() + off, count(std::min<std::uint64_t>(chunk, n - off)), MPI_CHAR, root, comm_), "MPI_Bcast");
  }

  std::vector<std::string> all_gather(const std::string& mine) override {
    const int len = count(mine.size());
    std::vector<int> lens(static_cast<std::size_t>(size_)), offs(static_cast<std::size_t>(size_));
    check(MPI_Allgather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, comm_), "MPI_Allgather(sizes)");
    std::size_t total = 0;
    for (int r = 0; r < size_; ++r) {
      offs[static_cast<std::size_t>(r)] = static_cast<int>(total);
      total += static_cast<std::size_t>(lens[static_cast<std::size_t>(r)]);
    }
    std::string all(total, '\0');
    check(MPI_Allgatherv(mine.data(), len, MPI_CHAR, all.data(), lens.data(), offs.data(), MPI_CHAR, comm_), "MPI_Allgatherv");
    std::vector<std::string> out;
    for (int r = 0; r < size_; ++r)
      out.push_back(all.substr(static_cast<std::size_t>(offs[static_cast<std::size_t>(r)]),
                               static_cast<std::size_t>(lens[static_cast<std::size_t>(r)])));
    return out;
  }

  void barrier() override { check(MPI_Barrier(comm_), "MPI_Barrier"); }

  [[noreturn]] void abort(const std::string& why, int code) override {
    std::fprintf(stderr, "rank %d of %d: %s\n", rank_, size_, why.c_str());
    std::fflush(stderr);
    MPI_Abort(comm_, code);
    std::_Exit(code);  // MPI_Abort does not return; this is for the type system
  }

  std::string description() const override {
    return "MPI, " + std::to_string(size_) + (size_ == 1 ? " rank" : " ranks") + " on " + std::to_string(hosts_) +
           (hosts_ == 1 ? " host" : " hosts");
  }

 private:
  static constexpr std::uint64_t chunk = std::uint64_t(1) << 30;

  struct pending final : request {
    explicit pending(mpi_group* g) : g(g) {}
    ~pending() override {
      if (req != MPI_REQUEST_NULL) wait();
    }
    void wait() override {
      if (req != MPI_REQUEST_NULL) g->check(MPI_Wait(&req, MPI_STATUS_IGNORE), "MPI_Wait(MPI_Iallreduce)");
    }
    mpi_group* g;
    MPI_Request req = MPI_REQUEST_NULL;
  };

  int count(std::size_t n) {
    if (n > static_cast<std::size_t>(INT32_MAX)) abort("a collective of " + std::to_string(n) + " elements exceeds MPI's int count", 2);
    return static_cast<int>(n);
  }
  void reduce(void* data, std::size_t n, MPI_Datatype t, MPI_Op op, const char* what) {
    if (n > 0) check(MPI_Allreduce(MPI_IN_PLACE, data, count(n), t, op, comm_), what);
  }
  void check(int rc, const char* call) {
    if (rc == MPI_SUCCESS) return;
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, msg, &len);
    abort(std::string(call) + " failed: " + std::string(msg, static_cast<std::size_t>(len)), 3);
  }

  MPI_Comm comm_;
  int rank_ = 0, size_ = 1;
  std::size_t hosts_ = 1;
};

// MPI for the lifetime of a program: initialised when the program was started by an MPI launcher
// (mpirun/mpiexec, srun with PMI/PMIx), so that a plain start needs no MPI runtime at all.
class mpi_environment {
 public:
  mpi_environment(int* argc, char*** argv) {
    int init = 0;
    MPI_Initialized(&init);
    if (init || !launched()) return;
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
      std::fprintf(stderr, "cantus: MPI_Init_thread failed\n");
      std::exit(3);
    }
    owned_ = true;
    world_ = std::make_unique<mpi_group>(MPI_COMM_WORLD);
  }
  ~mpi_environment() {
    world_.reset();
    if (owned_) MPI_Finalize();
  }
  mpi_environment(const mpi_environment&) = delete;
  mpi_environment& operator=(const mpi_environment&) = delete;

  // Whether an MPI launcher started this process (its environment says so).
  static bool launched() {
    for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS", "PMI_RANK"})
      if (const char* e = std::getenv(v); e && *e) return true;
    return false;
  }
  bool active() const { return world_ != nullptr; }
  // Every rank of the job; the single process when not launched by MPI.
  process_group& world() { return world_ ? static_cast<process_group&>(*world_) : single_; }

 private:
  bool owned_ = false;
  std::unique_ptr<mpi_group> world_;
  single_process single_;
};

}  // namespace cantus::distributed
