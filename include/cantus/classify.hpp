#pragma once
// cantus::classify — scikit-learn-style classifiers and analysis on Eigen matrices: random forest,
// multinomial logistic regression (L-BFGS), metrics, Barnes-Hut t-SNE and trustworthiness.
// Plots live in cantus/viz.hpp (Cairo, target cantus::viz).
#include "cantus/classify/common.hpp"
#include "cantus/classify/io.hpp"
#include "cantus/classify/lbfgs.hpp"
#include "cantus/classify/logistic_regression.hpp"
#include "cantus/classify/metrics.hpp"
#include "cantus/classify/quadtree.hpp"
#include "cantus/classify/random_forest.hpp"
#include "cantus/classify/trustworthiness.hpp"
#include "cantus/classify/tsne.hpp"
#include "cantus/classify/vp_tree.hpp"
