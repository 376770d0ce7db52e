#include "benchconfig.h"

#include "scenariotable.h"

namespace bench {

BenchConfig BenchConfig::forMode(Mode mode)
{
    BenchConfig c;
    c.mode = mode;
    switch (mode) {
    case Mode::Full:
        break;
    case Mode::Quick:
        c.rounds = 3;
        c.appendDuration = std::chrono::milliseconds(500);
        c.readEvents = 100000;
        c.readRounds = 3;
        c.streamReads = 50;
        c.latencyRounds = 2;
        c.latencyDuration = std::chrono::milliseconds(2000);
        c.missedRounds = 1;
        c.missedDuration = std::chrono::milliseconds(2000);
        c.scaleReadRounds = 2;
        c.scavengeEvents = 20000;
        c.eraseEvents = 500;
        c.stallRounds = 1;
        break;
    case Mode::Smoke:
        c.rounds = 1;
        c.appendDuration = std::chrono::milliseconds(150);
        c.readEvents = 4000;
        c.readRounds = 1;
        c.streamReads = 5;
        c.latencyRounds = 1;
        c.latencyDuration = std::chrono::milliseconds(600);
        c.probeIntervalMs = 20;
        c.loadedRatePerWriter = 20;
        c.missedRounds = 1;
        c.missedDuration = std::chrono::milliseconds(1000);
        c.scaleSizes = {2000, 10000};
        c.scaleReadRounds = 1;
        c.lifeRounds = 1;
        c.scavengeEvents = 2000;
        c.eraseEvents = 50;
        c.stallRounds = 1;
        c.stallArrayBytes = 64 * 1024;
        c.stallStringBytes = 256 * 1024;
        c.stallElements = 1000;
        c.stallPasteBytes = 64 * 1024;
        break;
    }
    return c;
}

QString BenchConfig::modeName() const
{
    switch (mode) {
    case Mode::Full:
        return QStringLiteral("full");
    case Mode::Quick:
        return QStringLiteral("quick");
    case Mode::Smoke:
        return QStringLiteral("smoke");
    }
    return {};
}

QStringList BenchConfig::scenarioNames()
{
    return ScenarioTable::names();
}

} // namespace bench
