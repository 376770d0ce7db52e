#pragma once

#include "variant.h"

#include <QList>
#include <QString>

namespace bench {

class BenchContext;

// One round of one variant of a scenario, as the function that measures it sees it.
struct Round
{
    BenchContext &context;
    QString scenario; // the scenario's name
    int number = 1; // 1 up to the scenario's rounds
    Variant variant = Variant::Ours;
    // The variant's samples of the earlier rounds; the round appends its own (one or many).
    QList<double> *samples = nullptr;
    // Probes that never arrived (live latency); the round adds its own.
    int *missing = nullptr;
    // Events the round wrote (append scenarios add theirs; for the WAL figures and
    // Samples::events()).
    qint64 *events = nullptr;
};

} // namespace bench
