#pragma once
// Limited-memory BFGS (Nocedal & Wright, Algorithms 7.4 and 3.5/3.6) with a strong-Wolfe line search,
// stopping like SciPy's L-BFGS-B as scikit-learn calls it: when the largest gradient component is
// <= gtol, when the relative decrease of f falls below ftol (both reported as converged, as SciPy
// does), or after max_iter iterations (not converged).
#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <deque>
#include <string>

namespace cantus::classify {

struct lbfgs_options {
  int max_iter = 100;
  double gtol = 1e-4;                     // on max_i |g_i|, SciPy's pgtol
  double ftol = 2.220446049250313e-09;    // SciPy's factr * eps default
  int history = 10;                       // SciPy's maxcor
  int max_line_search = 25;
};

struct lbfgs_report {
  int iterations = 0;
  int function_evaluations = 0;
  double loss = 0.0;
  double gradient_norm = 0.0;  // max_i |g_i| at the solution
  bool converged = false;
  std::string message;
};

// f(x, grad) returns f(x) and writes its gradient into grad. x holds the start and gets the result.
template <class Objective>
lbfgs_report lbfgs_minimize(Objective&& f, Eigen::VectorXd& x, const lbfgs_options& opt = {}) {
  using vec = Eigen::VectorXd;
  lbfgs_report rep;
  vec g(x.size()), g_new(x.size()), x_new(x.size()), d(x.size());
  double fx = f(x, g);
  rep.function_evaluations = 1;
  std::deque<vec> S, Y;
  std::deque<double> rho;
  auto finish = [&](bool converged, std::string msg) {
    rep.loss = fx;
    rep.gradient_norm = g.size() ? g.cwiseAbs().maxCoeff() : 0.0;
    rep.converged = converged;
    rep.message = std::move(msg);
    return rep;
  };
  if (!std::isfinite(fx)) return finish(false, "the objective is not finite at the starting point");
  for (rep.iterations = 0;;) {
    if (g.cwiseAbs().maxCoeff() <= opt.gtol) return finish(true, "gradient max-norm <= gtol");
    if (rep.iterations >= opt.max_iter) return finish(false, "reached max_iter");
    // Two-loop recursion: d = -H g.
    d = -g;
    std::vector<double> alpha(S.size());
    for (int k = static_cast<int>(S.size()) - 1; k >= 0; --k) {
      alpha[k] = rho[k] * S[k].dot(d);
      d -= alpha[k] * Y[k];
    }
    if (!S.empty()) d *= S.back().dot(Y.back()) / Y.back().squaredNorm();
    for (std::size_t k = 0; k < S.size(); ++k) {
      const double beta = rho[k] * Y[k].dot(d);
      d += (alpha[k] - beta) * S[k];
    }
    double dphi0 = g.dot(d);
    if (!(dphi0 < 0)) {  // not a descent direction (numerical trouble): restart from steepest descent
      S.clear(), Y.clear(), rho.clear();
      d = -g;
      dphi0 = g.dot(d);
    }
    const double step0 = S.empty() ? std::min(1.0, 1.0 / d.norm()) : 1.0;

    // Strong-Wolfe line search; every accepted step is the last one evaluated.
    constexpr double c1 = 1e-4, c2 = 0.9;
    double phi_new = 0;
    int evals = 0;
    auto phi = [&](double a, double& dphi) {
      x_new = x + a * d;
      phi_new = f(x_new, g_new);
      ++evals;
      dphi = g_new.dot(d);
      return phi_new;
    };
    auto interpolate = [](double a_lo, double f_lo, double d_lo, double a_hi, double f_hi, double d_hi) {
      // Minimiser of the cubic through both ends, kept inside the interval's central 80%.
      const double d1 = d_lo + d_hi - 3 * (f_lo - f_hi) / (a_lo - a_hi);
      const double disc = d1 * d1 - d_lo * d_hi;
      double a = 0.5 * (a_lo + a_hi);
      if (disc >= 0) {
        const double d2 = std::copysign(std::sqrt(disc), a_hi - a_lo);
        const double t = a_hi - (a_hi - a_lo) * (d_hi + d2 - d1) / (d_hi - d_lo + 2 * d2);
        if (std::isfinite(t)) a = t;
      }
      const double lo = std::min(a_lo, a_hi), hi = std::max(a_lo, a_hi), w = hi - lo;
      return std::clamp(a, lo + 0.1 * w, hi - 0.1 * w);
    };
    bool accepted = false;
    {
      double a_prev = 0, f_prev = fx, d_prev = dphi0, a = step0;
      auto zoom = [&](double a_lo, double f_lo, double d_lo, double a_hi, double f_hi, double d_hi) {
        while (evals < opt.max_line_search) {
          const double a_j = interpolate(a_lo, f_lo, d_lo, a_hi, f_hi, d_hi);
          double d_j;
          const double f_j = phi(a_j, d_j);
          if (f_j > fx + c1 * a_j * dphi0 || f_j >= f_lo) {
            a_hi = a_j, f_hi = f_j, d_hi = d_j;
          } else {
            if (std::abs(d_j) <= -c2 * dphi0) return true;
            if (d_j * (a_hi - a_lo) >= 0) a_hi = a_lo, f_hi = f_lo, d_hi = d_lo;
            a_lo = a_j, f_lo = f_j, d_lo = d_j;
          }
          if (std::abs(a_hi - a_lo) <= 1e-16 * std::max(1.0, a_lo)) break;
        }
        return false;  // out of evaluations; the caller still takes the last point if it decreased f
      };
      while (evals < opt.max_line_search) {
        double dphi;
        const double fa = phi(a, dphi);
        if (!std::isfinite(fa) || fa > fx + c1 * a * dphi0 || (evals > 1 && fa >= f_prev)) {
          if (!std::isfinite(fa)) {  // overshoot into overflow: shrink and retry
            a *= 0.1;
            continue;
          }
          accepted = zoom(a_prev, f_prev, d_prev, a, fa, dphi);
          break;
        }
        if (std::abs(dphi) <= -c2 * dphi0) {
          accepted = true;
          break;
        }
        if (dphi >= 0) {
          accepted = zoom(a, fa, dphi, a_prev, f_prev, d_prev);
          break;
        }
        a_prev = a, f_prev = fa, d_prev = dphi;
        a *= 2;
      }
    }
    rep.function_evaluations += evals;
    if (!accepted) {
      if (phi_new < fx && std::isfinite(phi_new)) {  // a decrease without the curvature condition
        accepted = true;
      } else {
        return finish(false, "line search found no decrease (the gradient may be inaccurate or tol too small)");
      }
    }
    ++rep.iterations;
    vec s = x_new - x, y = g_new - g;
    const double f_old = fx;
    x = x_new;
    g = g_new;
    fx = phi_new;
    const double sy = s.dot(y);
    if (sy > 1e-10 * y.squaredNorm()) {
      S.push_back(std::move(s));
      Y.push_back(std::move(y));
      rho.push_back(1.0 / sy);
      if (static_cast<int>(S.size()) > opt.history) S.pop_front(), Y.pop_front(), rho.pop_front();
    }
    if ((f_old - fx) / std::max({std::abs(f_old), std::abs(fx), 1.0}) <= opt.ftol)
      return finish(true, "relative reduction of f <= ftol");  // SciPy counts this as convergence too
  }
}

}  // namespace cantus::classify
