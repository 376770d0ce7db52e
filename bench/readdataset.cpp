#include "readdataset.h"

#include "benchcontext.h"
#include "pgconnection.h"
#include "workload.h"

#include <eventium/store.h>

#include <QElapsedTimer>

#include <algorithm>
#include <chrono>
#include <thread>

namespace bench {

ReadDataSet::ReadDataSet() = default;

ReadDataSet::~ReadDataSet() = default;

bool ReadDataSet::setUp(const eventium::ConnectionOptions &options, QString *error)
{
    eventium::StoreSettings settings;
    settings.schema = QLatin1String(BenchContext::oursReadSchema);
    settings.runSequencer = false;
    m_store = std::make_unique<eventium::Store>(options, settings);
    if (auto r = m_store->migrate(); !r) {
        *error = r.error().toString();
        return false;
    }
    return true;
}

void ReadDataSet::tearDown()
{
    m_store.reset();
}

bool ReadDataSet::load(const BenchContext &context, QString *error)
{
    if (m_loaded)
        return true;
    const BenchConfig &config = context.config();
    m_streams = int(config.readEvents / config.streamLength);
    m_events = qint64(m_streams) * config.streamLength;
    QElapsedTimer timer;
    timer.start();
    // Ours through the API: one append of a whole stream per call.
    for (int s = 0; s < m_streams; ++s) {
        auto r = m_store->append(
            eventium::StreamName(Workload::readStreamName(s)),
            eventium::ExpectedVersion::noStream(),
            Workload::newEvents(qint64(s) * config.streamLength, config.streamLength));
        if (!r || r->isConflict()) {
            *error = r ? QStringLiteral("conflict while loading") : r.error().toString();
            return false;
        }
    }
    const qint64 appendMs = timer.restart();
    // Number everything in as few steps as possible (one step is at most maxRows events).
    for (int step = 0; step < 1000; ++step) {
        auto r = m_store->sequenceStep(int(std::min<qint64>(m_events, 1000000)));
        if (!r) {
            *error = r.error().toString();
            return false;
        }
        if (r->numbered == 0 && !r->pending)
            break;
        if (r->numbered <= 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    auto head = m_store->sequenceNow(std::chrono::seconds(300));
    if (!head || head->value < m_events) {
        *error = head
            ? QStringLiteral("only %1 of %2 events numbered").arg(head->value).arg(m_events)
            : head.error().toString();
        return false;
    }
    const qint64 sequenceMs = timer.restart();
    context.progress(
        QStringLiteral("loaded %1 events into ours through Store::append (%2 events/append): "
                       "%3 ms (%4 events/s); numbering finished %5 ms later")
            .arg(m_events)
            .arg(config.streamLength)
            .arg(appendMs)
            .arg(double(m_events) * 1000.0 / double(std::max<qint64>(1, appendMs)), 0, 'f', 0)
            .arg(sequenceMs));
    PgConnection admin(context.conninfo());
    if (!admin.isOk()) {
        *error = admin.errorMessage();
        return false;
    }
    for (const char *s : {BenchContext::rawSchema, BenchContext::lockSchema}) {
        if (!Workload::copyLoad(admin, QLatin1String(s), QStringLiteral("events_read"), m_streams,
                                config.streamLength, error)
            || !admin.exec(Workload::addKeysSql(QLatin1String(s), QStringLiteral("events_read")),
                           error))
            return false;
    }
    context.progress(
        QStringLiteral("loaded %1 events into raw and lock by COPY (keys built afterwards): %2 ms")
            .arg(m_events)
            .arg(timer.restart()));
    if (!admin.exec(QStringLiteral("VACUUM ANALYZE"), error))
        return false;
    context.progress(QStringLiteral("VACUUM ANALYZE: %1 ms").arg(timer.restart()));
    m_loaded = true;
    return true;
}

} // namespace bench
