#include "tailfollower.h"

#include "clierror.h"
#include "exitcode.h"
#include "jsonlineswriter.h"
#include "signalwatcher.h"

#include <QCoreApplication>

namespace eventium::cli {

namespace {

void warn(const QString &message)
{
    CliError::printLine(message);
}

} // namespace

TailFollower::TailFollower(ConnectionOptions options, Follower::Settings settings, qint64 limit,
                           JsonLinesWriter *writer, bool verbose, QObject *parent)
    : QObject(parent)
    , m_follower(std::make_unique<Follower>(std::move(options), std::move(settings)))
    , m_signals(new SignalWatcher(this))
    , m_writer(writer)
    , m_limit(limit)
    , m_verbose(verbose)
{
    connect(m_follower.get(), &Follower::eventsReceived, this, &TailFollower::onEvents);
    connect(m_follower.get(), &Follower::connectionChanged, this,
            &TailFollower::onConnectionChanged);
    connect(m_follower.get(), &Follower::errorOccurred, this, &TailFollower::onError);
    connect(m_signals, &SignalWatcher::terminationRequested, this, [this](int signalNumber) {
        if (m_verbose)
            warn(QStringLiteral("stopping on signal %1").arg(signalNumber));
        finish(ExitSuccess);
    });
}

TailFollower::~TailFollower() = default;

int TailFollower::exec()
{
    if (!m_signals->isValid())
        warn(QStringLiteral("cannot watch for SIGINT/SIGTERM; stop with SIGKILL"));
    m_follower->start();
    const int code = QCoreApplication::exec();
    m_follower->stop();
    m_writer->flush();
    return code;
}

void TailFollower::onEvents(const QList<RecordedEvent> &events)
{
    if (m_done)
        return;
    for (const RecordedEvent &event : events) {
        m_writer->writeEvent(event);
        if (m_limit > 0 && ++m_written >= m_limit) {
            finish(ExitSuccess);
            return;
        }
    }
    m_writer->flush();
    if (!m_writer->ok()) // the reader went away
        finish(ExitSuccess);
}

void TailFollower::onConnectionChanged(bool connected, const QString &message)
{
    if (connected) {
        if (m_disconnected)
            warn(QStringLiteral("reconnected"));
        m_disconnected = false;
        m_lastError.clear();
        return;
    }
    m_disconnected = true;
    warn(QStringLiteral("connection lost, retrying: %1").arg(message));
}

void TailFollower::onError(const StoreError &error)
{
    if (error.kind() == StoreError::Kind::HistoryRewritten) {
        // What was printed is no longer the server's history: stop, and say so.
        warn(error.toString());
        finish(ExitHistoryRewritten);
        return;
    }
    // A lost connection is reported once by onConnectionChanged; the retries stay quiet.
    if (error.kind() == StoreError::Kind::ConnectionLost && !m_verbose)
        return;
    const QString text = error.toString();
    if (text == m_lastError && !m_verbose)
        return; // the same failure again while retrying
    m_lastError = text;
    if (!m_disconnected || m_verbose)
        warn(text);
}

void TailFollower::finish(int code)
{
    if (m_done)
        return;
    m_done = true;
    m_writer->flush();
    QCoreApplication::exit(code);
}

} // namespace eventium::cli
