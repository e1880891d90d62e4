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

// A coordinate with one decimal: enough for a screen, and stable text.
std::string num(double v) { return fmt("%.1f", v); }

double clamp01(double v) { return v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v); }
double y_of(double value) { return kBottom - clamp01(value) * (kBottom - kTop); }

void text(std::string& out, double x, double y, const char* anchor, int size,
          const std::string& body, const char* extra = "") {
  out += "  <text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor +
         "\" font-size=\"" + std::to_string(size) + "\"" + extra + ">" +
         xml_escape(body) + "</text>\n";
}

void line(std::string& out, double x1, double y1, double x2, double y2,
          const char* stroke, double width, const char* extra = "") {
  out += "  <line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) +
         "\" y2=\"" + num(y2) + "\" stroke=\"" + stroke + "\" stroke-width=\"" +
         num(width) + "\"" + extra + "/>\n";
}

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

void legend(std::string& out) {
  const double y = kBottom + 70;
  line(out, kLeft + 10, y - 4, kLeft + 40, y - 4, "#d62728", 2.5,
       " stroke-dasharray=\"6 3\"");
  text(out, kLeft + 48, y, "start", 12, "paper (Figure 10, 100 runs)");
  line(out, kLeft + 300, y - 12, kLeft + 300, y + 4, "#000000", 1.5);
  text(out, kLeft + 310, y, "start", 12, "95% CI of the mean (1.96 std / sqrt n)");
}

}  // namespace

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
  std::string out;
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" +
         num(kWidth) + "\" height=\"" + num(kHeight) + "\" viewBox=\"0 0 " + num(kWidth) +
         " " + num(kHeight) + "\" font-family=\"Helvetica, Arial, sans-serif\">\n";
  out += "  <title>" + xml_escape(chart.title) + "</title>\n";
  out += "  <rect x=\"0\" y=\"0\" width=\"" + num(kWidth) + "\" height=\"" + num(kHeight) +
         "\" fill=\"#ffffff\"/>\n";
  text(out, kWidth / 2, 30, "middle", 18, chart.title, " font-weight=\"bold\"");
  if (!chart.subtitle.empty()) text(out, kWidth / 2, 52, "middle", 12, chart.subtitle);
  axes(out, chart);
  const double n = chart.bars.empty() ? 1.0 : static_cast<double>(chart.bars.size());
  const double slot = (kRight - kLeft) / n;
  for (std::size_t i = 0; i < chart.bars.size(); ++i) {
    bar(out, chart.bars[i], kLeft + slot * (static_cast<double>(i) + 0.5), slot * 0.6);
  }
  legend(out);
  out += "</svg>\n";
  return out;
}

BarChart results_chart(const Results& results) {
  static const char* const kColor[kConditions] = {"#9e9e9e", "#4c72b0", "#55a868",
                                                  "#8fd19e", "#dd8452", "#f3b88c"};
  const Config& c = results.config;
  BarChart chart;
  chart.title = "Subliminal learning on MNIST: test accuracy over " +
                std::to_string(results.runs.size()) + " runs";
  char subtitle[256];
  std::snprintf(subtitle, sizeof subtitle,
                "MLP %s, Adam lr %g, batch %d, teacher %d epochs, students %d epochs "
                "(%s) on %d %s noise images, seed %llu (tacit-repro)",
                widths_text(c).c_str(), c.lr, c.batch, c.teacher_epochs, c.student_epochs,
                loss_name(c.student_loss), c.noise_images, subliminal::noise_name(c.noise),
                static_cast<unsigned long long>(c.seed));
  chart.subtitle = subtitle;
  chart.y_label = "test accuracy (digit logits, argmax)";
  for (int k = 0; k < kConditions; ++k) {
    const ConditionInfo& info = condition_info(k);
    Bar b;
    b.label[0] = info.short_label[0];
    b.label[1] = info.short_label[1];
    b.mean = results.summary[k].mean;
    b.ci95 = results.summary[k].ci95;
    b.paper = info.paper;
    b.color = kColor[k];
    chart.bars.push_back(b);
  }
  return chart;
}

}  // namespace repro
