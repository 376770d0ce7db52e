#pragma once

#include <QList>

#include <chrono>

namespace bench {

using Clock = std::chrono::steady_clock;

double msBetween(Clock::time_point a, Clock::time_point b);
// 0 for no values.
double median(QList<double> values);
// Nearest-rank percentile; 0 for no values.
double percentile(QList<double> values, double p);

} // namespace bench
