#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <chrono>

namespace bench {

// Sizes and durations of one run: full (the default), --quick or --smoke.
struct BenchConfig
{
    enum class Mode { Full, Quick, Smoke };

    Mode mode = Mode::Full;
    int rounds = 5; // append scenarios: ours, raw, lock x rounds
    std::chrono::milliseconds appendDuration {2000}; // one timed measurement
    int concurrentWriters = 8;
    int batchWriters = 4;
    int batchSize = 100;
    qint64 readEvents = 1000000; // read_global / read_stream store size
    int streamLength = 1000; // events per stream in the read data set
    int readRounds = 3; // read_global rounds
    int readPage = 1000; // read_global page size
    int streamReads = 200; // read_stream reads per round
    int latencyRounds = 3;
    std::chrono::milliseconds latencyDuration {5000};
    int backgroundWriters = 2;
    int backgroundRatePerWriter = 100; // appends per second per background writer
    int probeIntervalMs = 10; // one probe append every this many ms
    // live_latency_loaded: writers appending single events as fast as about half of
    // append_8w's throughput on a machine of this kind (8 x 190/s, about 1,500 events/s).
    int loadedWriters = 8;
    int loadedRatePerWriter = 190;
    // peer_missed_8w: rounds of missedWriters writers appending single events as fast as they
    // can for missedDuration while a live reader follows the global order.
    int missedRounds = 3;
    int missedWriters = 8;
    std::chrono::milliseconds missedDuration {5000};
    int lifeRounds = 3; // scavenge, erase
    int scavengeEvents = 50000; // rows one scavenge round removes
    int eraseEvents = 2000; // events one erase round erases, one at a time
    int stallRounds = 2; // ui_stall: the browser with big events, then with small ones
    qsizetype stallArrayBytes = 6 * 1024 * 1024; // a payload of many small objects
    qsizetype stallStringBytes = 20 * 1024 * 1024; // a payload of one long string
    int stallElements = 10000; // an array of numbers
    qsizetype stallPasteBytes = 1024 * 1024; // one line of JSON pasted into the append dialog

    // --scale: the sizes of the store (events) at which append_8w, read_global and read_stream
    // run (ours and raw), and the read scenarios' rounds at each size (append_8w: `rounds`).
    QList<qint64> scaleSizes {100000, 1000000, 10000000};
    int scaleReadRounds = 3;

    static BenchConfig forMode(Mode mode);
    QString modeName() const;
    // The names of the scenarios (ScenarioTable), in the order they run.
    static QStringList scenarioNames();
};

} // namespace bench
