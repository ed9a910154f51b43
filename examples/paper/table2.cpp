// Table 2: how well the reconstructing models reconstruct the test tracks. Each model is measured in
// its own domain, on exactly what it is trained to reproduce (docs/results.md explains why):
//   step_vae, seq2seq_mel  MSE per log-mel bin on the standardised log-mel (zero mean, unit variance
//                          per bin over the training tracks, so 1.0 = predicting the training mean)
//   naive_seq2seq          MSE per sample of the raw waveform (teacher-forced decoder)
//   wavenet                not an autoencoder: cross-entropy of the next mu-law sample, for reference
//   table2 [--fma ROOT | --folders ROOT] [--quick] [--threads N] [--seed K] [--out DIR] [--models ...]
// Writes DIR/table2.json and DIR/table2.md (DIR/results.json belongs to table1).
#include "paper_experiment.hpp"

int main(int argc, char** argv) {
  auto o = paper::parse(argc, argv);
  if (o.models == paper::all_models()) o.models = paper::unsupervised_models();
  try {
    auto p = paper::prepare(o);
    std::string json = "{\n  \"program\": \"table2\",\n  \"corpus\": " + paper::json_string(p.description) +
                       ",\n  \"quick\": " + (o.quick ? "true" : "false") + ",\n  \"rows\": [\n";
    std::string md = "# Table 2: reconstruction error on the test tracks\n\n" + p.description + ", " +
                     (o.quick ? "--quick" : "full settings") + ", seed " + std::to_string(o.seed) +
                     ".\n\n| model | test error | measure |\n|---|---|---|\n";
    for (std::size_t i = 0; i < o.models.size(); ++i) {
      const auto r = paper::run_model(o.models[i], p, o, /*measure_error=*/true);
      json += "    {\"model\": " + paper::json_string(r.model) + ", \"test_error\": " + paper::json_number(r.test_error) +
              ", \"measure\": " + paper::json_string(r.error_measure) + "}" + (i + 1 < o.models.size() ? ",\n" : "\n");
      char line[512];
      std::snprintf(line, sizeof line, "| %s | %.5g | %s |\n", r.model.c_str(), r.test_error, r.error_measure.c_str());
      md += line;
    }
    json += "  ]\n}\n";
    paper::write_text(o.out / "table2.json", json);
    paper::write_text(o.out / "table2.md", md);
    std::printf("%s\nwritten: %s, %s\n", md.c_str(), (o.out / "table2.json").c_str(), (o.out / "table2.md").c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "table2: error: %s\n", e.what());
    return 1;
  }
}
