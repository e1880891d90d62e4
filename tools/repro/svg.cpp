#include "repro/svg.h"

#include <cstdio>

namespace repro {

namespace {

constexpr double kWidth = 900;
constexpr double kHeight = 560;
constexpr double kLeft = 80;    // plot area
constexpr double kRight = 870;
constexpr double kTop = 80;
constexpr double kBottom = 470;

std::string fmt(const char* format, double a) {
  char text[64];
  std::snprintf(text, sizeof text, format, a);
  return text;
}

double clamp01(double v) { return v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v); }
double y_of(double value) { return kBottom - clamp01(value) * (kBottom - kTop); }

void text(std::string& out, double x, double y, const char* anchor, int size,
          const std::string& body, const char* extra = "") {
  svg_text(out, x, y, anchor, size, body, extra);
}

void line(std::string& out, double x1, double y1, double x2, double y2,
          const char* stroke, double width, const char* extra = "") {
  svg_line(out, x1, y1, x2, y2, stroke, width, extra);
}

std::string num(double v) { return svg_number(v); }

void axes(std::string& out, const BarChart& chart) {
  for (int i = 0; i <= 10; ++i) {
    const double v = i / 10.0;
    const double y = y_of(v);
    line(out, kLeft, y, kRight, y, i == 0 ? "#000000" : "#dddddd", 1);
    text(out, kLeft - 8, y + 4, "end", 12, fmt("%.1f", v));
  }
  line(out, kLeft, kTop, kLeft, kBottom, "#000000", 1);
  const std::string y_mid = num((kTop + kBottom) / 2);
  out += "  <text x=\"24\" y=\"" + y_mid + "\" text-anchor=\"middle\" font-size=\"14\" "
         "transform=\"rotate(-90 24 " + y_mid + ")\">" + xml_escape(chart.y_label) +
         "</text>\n";
}

void bar(std::string& out, const Bar& b, double center, double width) {
  const double top = y_of(b.mean);
  out += "  <rect x=\"" + num(center - width / 2) + "\" y=\"" + num(top) +
         "\" width=\"" + num(width) + "\" height=\"" + num(kBottom - top) +
         "\" fill=\"" + xml_escape(b.color) + "\"/>\n";
  if (b.ci95 > 0.0) {
    const double hi = y_of(b.mean + b.ci95);
    const double lo = y_of(b.mean - b.ci95);
    line(out, center, hi, center, lo, "#000000", 1.5);
    line(out, center - 8, hi, center + 8, hi, "#000000", 1.5);
    line(out, center - 8, lo, center + 8, lo, "#000000", 1.5);
  }
  if (b.paper >= 0.0) {
    const double y = y_of(b.paper);
    line(out, center - width / 2 - 6, y, center + width / 2 + 6, y, "#d62728", 2.5,
         " stroke-dasharray=\"6 3\"");
  }
  // The value sits above whatever is highest: bar, whisker or paper mark.
  double highest = b.mean + (b.ci95 > 0.0 ? b.ci95 : 0.0);
  if (b.paper > highest) highest = b.paper;
  text(out, center, y_of(highest) - 8, "middle", 13, fmt("%.3f", b.mean),
       " font-weight=\"bold\"");
  text(out, center, kBottom + 20, "middle", 13, b.label[0]);
  if (!b.label[1].empty()) text(out, center, kBottom + 37, "middle", 13, b.label[1]);
}

void legend(std::string& out, bool paper) {
  const double y = kBottom + 70;
  if (paper) {
    line(out, kLeft + 10, y - 4, kLeft + 40, y - 4, "#d62728", 2.5,
         " stroke-dasharray=\"6 3\"");
    text(out, kLeft + 48, y, "start", 12, "paper (Figure 10, 100 runs)");
  }
  line(out, kLeft + 300, y - 12, kLeft + 300, y + 4, "#000000", 1.5);
  text(out, kLeft + 310, y, "start", 12, "95% CI of the mean (1.96 std / sqrt n)");
}

}  // namespace

std::string svg_number(double v) { return fmt("%.1f", v); }

void svg_text(std::string& out, double x, double y, const char* anchor, int size,
              const std::string& body, const char* extra) {
  out += "  <text x=\"" + svg_number(x) + "\" y=\"" + svg_number(y) + "\" text-anchor=\"" +
         anchor + "\" font-size=\"" + std::to_string(size) + "\"" + extra + ">" +
         xml_escape(body) + "</text>\n";
}

void svg_line(std::string& out, double x1, double y1, double x2, double y2, const char* stroke,
              double width, const char* extra) {
  out += "  <line x1=\"" + svg_number(x1) + "\" y1=\"" + svg_number(y1) + "\" x2=\"" +
         svg_number(x2) + "\" y2=\"" + svg_number(y2) + "\" stroke=\"" + stroke +
         "\" stroke-width=\"" + svg_number(width) + "\"" + extra + "/>\n";
}

std::string svg_begin(double width, double height, const std::string& title) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" +
         svg_number(width) + "\" height=\"" + svg_number(height) + "\" viewBox=\"0 0 " +
         svg_number(width) + " " + svg_number(height) +
         "\" font-family=\"Helvetica, Arial, sans-serif\">\n";
  out += "  <title>" + xml_escape(title) + "</title>\n";
  out += "  <rect x=\"0\" y=\"0\" width=\"" + svg_number(width) + "\" height=\"" +
         svg_number(height) + "\" fill=\"#ffffff\"/>\n";
  svg_text(out, width / 2, 30, "middle", 18, title, " font-weight=\"bold\"");
  return out;
}

const char* condition_color(int condition) {
  static const char* const kColor[] = {"#9e9e9e", "#4c72b0", "#55a868", "#8fd19e",
                                       "#dd8452", "#f3b88c", "#8172b3", "#c44e52",
                                       "#937860", "#da8bc3", "#64b5cd", "#ccb974",
                                       "#2f4b7c", "#a05195", "#665191", "#f95d6a",
                                       "#00876c", "#d45087"};
  constexpr int kCount = sizeof kColor / sizeof kColor[0];
  return kColor[condition % kCount];
}

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string bar_chart_svg(const BarChart& chart) {
  std::string out = svg_begin(kWidth, kHeight, chart.title);
  if (!chart.subtitle.empty()) text(out, kWidth / 2, 52, "middle", 12, chart.subtitle);
  axes(out, chart);
  const double n = chart.bars.empty() ? 1.0 : static_cast<double>(chart.bars.size());
  const double slot = (kRight - kLeft) / n;
  for (std::size_t i = 0; i < chart.bars.size(); ++i) {
    bar(out, chart.bars[i], kLeft + slot * (static_cast<double>(i) + 0.5), slot * 0.6);
  }
  bool paper = false;
  for (const Bar& b : chart.bars) paper = paper || b.paper >= 0.0;
  legend(out, paper);
  out += "</svg>\n";
  return out;
}

namespace {


std::string model_text(const Config& c) {
  std::string model = widths_text(c);
  if (c.activation != tacit::Activation::relu) {
    model += std::string(" ") + tacit::activation_name(c.activation);
  }
  return model;
}

}  // namespace

BarChart results_chart(const Results& results) {
  const Config& c = results.config;
  BarChart chart;
  chart.title = "Subliminal learning on MNIST: test accuracy over " +
                std::to_string(results.runs.size()) + " runs";
  char subtitle[256];
  std::snprintf(subtitle, sizeof subtitle,
                "MLP %s, Adam lr %g, batch %d, teacher %d epochs, students %d epochs "
                "(%s) on %d %s noise images, seed %llu (tacit-repro)",
                model_text(c).c_str(), c.lr, c.batch, c.teacher_epochs, c.student_epochs,
                loss_name(c.student_loss), c.noise_images, subliminal::noise_name(c.noise),
                static_cast<unsigned long long>(c.seed));
  chart.subtitle = subtitle;
  chart.y_label = "test accuracy (digit logits, argmax)";
  for (int k = 0; k < condition_count(c); ++k) {
    const ConditionInfo info = condition_info(c, k);
    Bar b;
    b.label[0] = info.short_label[0];
    b.label[1] = info.short_label[1];
    b.mean = results.summary[k].mean;
    b.ci95 = results.summary[k].ci95;
    b.paper = info.paper;
    b.color = condition_color(k);
    chart.bars.push_back(b);
  }
  return chart;
}

std::string trajectory_svg(const Results& results) {
  const Config& c = results.config;
  const std::vector<double> progress = trajectory_progress(c);
  const double epochs = c.student_epochs > 0 ? c.student_epochs : 1;
  const double right = kRight - 220;  // the legend sits right of the plot
  const auto x_of = [&](double p) { return kLeft + p / epochs * (right - kLeft); };
  const std::string title = "Student test accuracy during distillation, mean over " +
                            std::to_string(results.runs.size()) + " runs";
  std::string out = svg_begin(kWidth, kHeight, title);
  char subtitle[256];
  std::snprintf(subtitle, sizeof subtitle,
                "MLP %s, Adam lr %g, batch %d, %s on %d %s noise images, %d points an "
                "epoch, seed %llu (tacit-repro)",
                model_text(c).c_str(), c.lr, c.batch, loss_name(c.student_loss),
                c.noise_images, subliminal::noise_name(c.noise), c.points_per_epoch,
                static_cast<unsigned long long>(c.seed));
  text(out, kWidth / 2, 52, "middle", 12, subtitle);
  for (int i = 0; i <= 10; ++i) {
    const double y = y_of(i / 10.0);
    line(out, kLeft, y, right, y, i == 0 ? "#000000" : "#dddddd", 1);
    text(out, kLeft - 8, y + 4, "end", 12, fmt("%.1f", i / 10.0));
  }
  line(out, kLeft, kTop, kLeft, kBottom, "#000000", 1);
  for (int e = 0; e <= c.student_epochs; ++e) {
    const double x = x_of(e);
    line(out, x, kBottom, x, kBottom + 6, "#000000", 1);
    text(out, x, kBottom + 22, "middle", 12, std::to_string(e));
  }
  text(out, (kLeft + right) / 2, kBottom + 48, "middle", 14, "training progress (epochs)");
  const std::string y_mid = num((kTop + kBottom) / 2);
  out += "  <text x=\"24\" y=\"" + y_mid + "\" text-anchor=\"middle\" font-size=\"14\" "
         "transform=\"rotate(-90 24 " + y_mid + ")\">test accuracy (digit logits, argmax)"
         "</text>\n";
  for (int s = 0; s < static_cast<int>(c.students.size()); ++s) {
    const int condition = kFirstStudent + s;
    const TrajectorySummary t = summarize_trajectory(results, s);
    const std::string color = condition_color(condition);
    std::string points;
    for (std::size_t p = 0; p < t.accuracy_mean.size() && p < progress.size(); ++p) {
      points += (p == 0 ? "" : " ") + num(x_of(progress[p])) + "," + num(y_of(t.accuracy_mean[p]));
    }
    out += "  <polyline points=\"" + points + "\" fill=\"none\" stroke=\"" + color +
           "\" stroke-width=\"2\"/>\n";
    const double y = kTop + 10 + 20 * s;
    line(out, right + 20, y - 4, right + 50, y - 4, color.c_str(), 2);
    text(out, right + 58, y, "start", 12, condition_info(c, condition).label);
  }
  out += "</svg>\n";
  return out;
}

}  // namespace repro
