// The classifiers' member functions, compiled once for a whole build tree (see classify/common.hpp):
// the object library cantus_classify_objects, linked into every program of the tree.
#define CANTUS_CLASSIFY_IMPLEMENTATION
#include "cantus/classify/logistic_regression.hpp"
#include "cantus/classify/random_forest.hpp"
#include "cantus/classify/trustworthiness.hpp"
#include "cantus/classify/tsne.hpp"
