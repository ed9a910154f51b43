// The paper application's registry: every entry's derived parts (configuration in each preset, plans,
// data kind, synthetic batch) and the model entry docs/models.md shows, compiled from the page.
#include <cmath>
#include <string>

#include "app/registry.hpp"
#include "cantus/models/optimizer_adapter.hpp"
#include "cantus/nn/optim/adam.hpp"
#include "cantus_test.hpp"
#include "deep_vae.hpp"

namespace paper::entries {
#include "docs_models_entry.hpp"
}  // namespace paper::entries

using namespace cantus;

namespace {

// One training step of an entry's model in a preset, on its synthetic batch: finite loss, and the
// configuration the preset gives validates.
template <class E>
double one_step(bool quick, index_t batch) {
  auto cfg = E::config(quick);
  cfg.validate();
  typename E::model m(cfg, 3);
  const auto b = E::synthetic_batch(cfg, batch, 5);
  nn::adam<float> opt(m.parameters());
  models::optimizer_adapter ad(opt);
  ad.zero_grad();
  const double loss = m.loss_and_backward(b, {});
  ad.step();
  return loss;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(registry)

BOOST_AUTO_TEST_CASE(every_entry_derives_a_valid_model_in_both_presets) {
  std::apply(
      [](auto... e) {
        (
            [&] {
              using E = decltype(e);
              BOOST_TEST_CONTEXT(E::name) {
                for (bool quick : {true, false}) {
                  E::config(quick).validate();
                  const auto pl = E::plan(quick);
                  pl.validate(E::name);
                  BOOST_TEST(pl.training.learning_rate == static_cast<double>(1e-3f));
                  BOOST_TEST(E::eval_batch(quick) >= 1);
                }
                BOOST_TEST(std::isfinite(one_step<E>(true, 2)));
              }
            }(),
            ...);
      },
      paper::model_entries{});
}

BOOST_AUTO_TEST_CASE(presets_are_the_paper_programs_sizes) {
  // The quick preset's sizes and batches (what table1 --quick trains; changing them changes its results).
  BOOST_TEST(paper::naive_seq2seq_entry::config(true).hidden == 16);
  BOOST_TEST(paper::naive_seq2seq_entry::config(false).hidden == 32);
  BOOST_TEST(paper::step_vae_entry::config(true).latent == 32);
  BOOST_TEST(paper::step_vae_entry::plan(true).training.batch_size == 128);
  BOOST_TEST(paper::step_vae_entry::plan(false).training.batch_size == 512);
  BOOST_TEST(paper::step_vae_entry::eval_batch(true) == 512);
  BOOST_TEST(paper::wavenet_entry::config(true).layers() == 6);
  BOOST_TEST(paper::wavenet_entry::plan(false).train_windows == 4);
  BOOST_TEST(paper::supervised_cnn_entry::supervised);
  BOOST_TEST(!paper::seq2seq_mel_entry::supervised);
  BOOST_TEST(std::string(paper::seq2seq_mel_entry::reference) == "lstm_seq2seq");
  BOOST_TEST(std::string(paper::step_vae_entry::reference) == "step_vae");  // defaulted to the name
}

BOOST_AUTO_TEST_CASE(naive_latent_sizes_are_names) {
  BOOST_TEST(paper::known_model("naive_seq2seq_z8"));
  BOOST_TEST(!paper::known_model("naive_seq2seq_z0"));
  BOOST_TEST(!paper::known_model("naive_seq2seq_zx"));
  BOOST_TEST(paper::naive_seq2seq_entry::config(true, "naive_seq2seq_z8").hidden == 8);
  const auto n = paper::visit_model("naive_seq2seq_z32", [](auto e) { return std::string(decltype(e)::name); });
  BOOST_TEST(n == "naive_seq2seq");
  BOOST_CHECK_EXCEPTION(paper::visit_model("nope", [](auto) { return 0; }), value_error, [](const value_error& e) {
    return std::string(e.what()).find("unknown model 'nope' (known: naive_seq2seq, step_vae") != std::string::npos;
  });
}

BOOST_AUTO_TEST_CASE(the_docs_entry_is_a_working_model) {
  using E = paper::model_entry<paper::entries::deep_vae>;
  BOOST_TEST(std::string(E::name) == "deep_vae");
  BOOST_TEST(!E::supervised);
  const auto cfg = E::config(true);
  BOOST_TEST(cfg.channels.size() == 5u);  // its own configure() on top of step_vae_config's quick preset
  BOOST_TEST(cfg.latent == 32);
  BOOST_TEST(E::plan(true).training.batch_size == 32);  // no preset of its own: the default plan
  static_assert(std::is_same_v<E::model, custom::deep_vae<cpu>>);
  BOOST_TEST(std::isfinite(one_step<E>(true, 4)));
}

BOOST_AUTO_TEST_SUITE_END()
