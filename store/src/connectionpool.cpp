#include "connectionpool.h"

#include <QAtomicInteger>
#include <QHash>
#include <QLoggingCategory>
#include <QSet>
#include <QSqlDriver>
#include <QSqlError>

#include "pg/nativehandle.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include <poll.h>

Q_LOGGING_CATEGORY(lcPool, "eventium.pool")

namespace eventium {

namespace {

std::atomic<quint64> g_nextThreadKey {1};
std::atomic<quint64> g_nextPoolId {1};

quint64 currentThreadKey();

} // namespace

struct PoolEntry
{
    QSqlDatabase db;
    QSet<QByteArray> nativeStatements;
    quint64 threadKey = 0;

    ~PoolEntry() { close(); }
    void close()
    {
        if (!db.isValid())
            return;
        const QString name = db.connectionName();
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
    }
};

class PoolState : public std::enable_shared_from_this<PoolState>
{
public:
    PoolState(ConnectionOptions o, ConnectionPool::Settings s)
        : options(std::move(o))
        , settings(std::move(s))
        , id(g_nextPoolId++)
        , named(settings.namedStatements)
    {
    }
    ~PoolState()
    {
        // Entries of other threads are closed here; acceptable once every lease is back.
        idle.clear();
    }

    Result<PooledConnection> acquire();
    void giveBack(std::unique_ptr<PoolEntry> entry, bool broken);
    void closeThread(quint64 threadKey);
    Result<std::unique_ptr<PoolEntry>> openNew();

    const ConnectionOptions options;
    const ConnectionPool::Settings settings;
    const quint64 id;
    QAtomicInteger<quint64> counter;
    // Statements by name (Settings::namedStatements); cleared for good when a connection
    // finds its server session changed.
    std::atomic<bool> named;

    // std::mutex and std::condition_variable rather than QMutex and QWaitCondition: the
    // standard ones go through pthread, which ThreadSanitizer intercepts, so it sees the
    // unlock and relock inside wait() (QWaitCondition does them inside libQt6Core).
    std::mutex mutex;
    std::condition_variable released;
    int open = 0;
    int waiting = 0; // threads waiting for room
    std::vector<std::unique_ptr<PoolEntry>> idle;
};

namespace {

// Closes a thread's connections in every pool when the thread exits.
struct ThreadRegistry
{
    quint64 key = g_nextThreadKey++;
    std::vector<std::weak_ptr<PoolState>> pools;
    ~ThreadRegistry()
    {
        for (auto &weak : pools) {
            if (auto pool = weak.lock())
                pool->closeThread(key);
        }
    }
    void note(const std::shared_ptr<PoolState> &pool)
    {
        for (auto &weak : pools) {
            if (weak.lock() == pool)
                return;
        }
        std::erase_if(pools, [](const std::weak_ptr<PoolState> &w) { return w.expired(); });
        pools.push_back(pool);
    }
};

thread_local ThreadRegistry t_registry;

quint64 currentThreadKey()
{
    return t_registry.key;
}

} // namespace

Result<std::unique_ptr<PoolEntry>> PoolState::openNew()
{
    auto entry = std::make_unique<PoolEntry>();
    entry->threadKey = currentThreadKey();
    const QString name
        = QStringLiteral("eventium-pool-%1-%2").arg(id).arg(counter.fetchAndAddRelaxed(1));
    entry->db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
    if (!entry->db.isValid()) {
        entry->db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
        return StoreError(
            StoreError::Kind::Other,
            QStringLiteral(
                "the Qt PostgreSQL driver (QPSQL) is not available; install libqt6sql6-psql"));
    }
    options.applyTo(entry->db);
    if (!entry->db.open()) {
        StoreError err = StoreError::fromSql(
            entry->db.lastError(),
            QStringLiteral("cannot connect to %1").arg(options.toDisplayString()));
        if (err.kind() == StoreError::Kind::Other)
            err = StoreError(StoreError::Kind::ConnectionLost, err.message(), err.sqlState());
        return err;
    }
    installNoticeProcessor(entry->db);
    return entry;
}

Result<PooledConnection> PoolState::acquire()
{
    const quint64 me = currentThreadKey();
    t_registry.note(shared_from_this());
    const auto deadline = std::chrono::steady_clock::now() + settings.acquireTimeout;
    std::unique_lock lock(mutex);
    while (true) {
        // An idle connection of this thread, if it is still alive.
        while (true) {
            std::unique_ptr<PoolEntry> entry;
            for (auto it = idle.end(); it != idle.begin();) {
                --it;
                if ((*it)->threadKey == me) {
                    entry = std::move(*it);
                    idle.erase(it);
                    break;
                }
            }
            if (!entry)
                break;
            lock.unlock();
            PooledConnection lease(shared_from_this(), std::move(entry));
            if (!lease.isDead())
                return lease;
            qCInfo(lcPool) << "dropping a dead connection";
            lease.markBroken();
            lease.release();
            lock.lock();
        }
        // Room for a new one. Another thread's idle connection is never closed from here (a
        // QSqlDatabase belongs to the thread that opened it): while this thread waits, the
        // others close their connections as they give them back (giveBack).
        if (open < settings.maxConnections) {
            ++open;
            lock.unlock();
            auto entry = openNew();
            if (!entry) {
                lock.lock();
                --open;
                released.notify_one();
                return entry.error();
            }
            return PooledConnection(shared_from_this(), std::move(entry.value()));
        }
        ++waiting;
        const bool woken = released.wait_until(lock, deadline) == std::cv_status::no_timeout;
        --waiting;
        if (!woken)
            return StoreError(
                StoreError::Kind::Timeout,
                QStringLiteral("no database connection free within %1 ms (pool size %2)")
                    .arg(settings.acquireTimeout.count())
                    .arg(settings.maxConnections));
    }
}

void PoolState::giveBack(std::unique_ptr<PoolEntry> entry, bool broken)
{
    std::unique_lock lock(mutex);
    // Closed rather than kept: a lost connection, one of another thread (cannot happen with
    // leases used as documented), or one that a thread waiting for room needs more.
    if (broken || entry->threadKey != currentThreadKey()
        || (waiting > 0 && open >= settings.maxConnections)) {
        --open;
        lock.unlock();
        entry.reset();
        lock.lock();
        released.notify_one();
        return;
    }
    idle.push_back(std::move(entry));
    released.notify_one();
}

void PoolState::closeThread(quint64 threadKey)
{
    std::vector<std::unique_ptr<PoolEntry>> mine;
    {
        std::lock_guard lock(mutex);
        for (auto it = idle.begin(); it != idle.end();) {
            if ((*it)->threadKey == threadKey) {
                mine.push_back(std::move(*it));
                it = idle.erase(it);
                --open;
            } else {
                ++it;
            }
        }
        released.notify_all();
    }
    mine.clear();
}

PooledConnection::PooledConnection() = default;

PooledConnection::PooledConnection(std::shared_ptr<PoolState> pool,
                                   std::unique_ptr<PoolEntry> entry)
    : m_pool(std::move(pool))
    , m_entry(std::move(entry))
{
}

PooledConnection::PooledConnection(PooledConnection &&other) noexcept
    : m_pool(std::move(other.m_pool))
    , m_entry(std::move(other.m_entry))
    , m_broken(other.m_broken)
{
}

PooledConnection &PooledConnection::operator=(PooledConnection &&other) noexcept
{
    if (this != &other) {
        release();
        m_pool = std::move(other.m_pool);
        m_entry = std::move(other.m_entry);
        m_broken = other.m_broken;
    }
    return *this;
}

PooledConnection::~PooledConnection()
{
    release();
}

QSqlDatabase &PooledConnection::db()
{
    return m_entry->db;
}

void installNoticeProcessor(const QSqlDatabase &db)
{
    if (PGconn *conn = pgHandle(db)) {
        PQsetNoticeProcessor(
            conn,
            [](void *, const char *message) {
                qCDebug(lcPool).noquote() << "server:" << QString::fromUtf8(message).trimmed();
            },
            nullptr);
    }
}

bool PooledConnection::hasNativeStatement(const QByteArray &name) const
{
    return m_entry && m_entry->nativeStatements.contains(name);
}

void PooledConnection::addNativeStatement(const QByteArray &name)
{
    if (m_entry)
        m_entry->nativeStatements.insert(name);
}

bool PooledConnection::namedStatements() const
{
    return m_pool && m_pool->named.load(std::memory_order_relaxed);
}

bool PooledConnection::dropNamedStatements()
{
    if (m_entry)
        m_entry->nativeStatements.clear();
    return m_pool && m_pool->named.exchange(false);
}

void *PooledConnection::nativeHandle() const
{
    return m_entry ? pgHandle(m_entry->db) : nullptr;
}

bool PooledConnection::isDead() const
{
    if (!m_entry)
        return true;
    PGconn *conn = pgHandle(m_entry->db);
    if (!conn || PQstatus(conn) == CONNECTION_BAD)
        return true;
    // An idle connection has nothing to read, unless the server said goodbye (a restart, a
    // terminated backend): read it now, so that a dead connection is found before anything
    // is sent on it rather than by the statement that follows.
    pollfd fd {PQsocket(conn), POLLIN, 0};
    if (fd.fd < 0)
        return true;
    if (::poll(&fd, 1, 0) > 0 && (!PQconsumeInput(conn) || PQstatus(conn) == CONNECTION_BAD))
        return true;
    return false;
}

void PooledConnection::release()
{
    if (!m_entry || !m_pool)
        return;
    m_pool->giveBack(std::move(m_entry), m_broken || isDead());
    m_pool.reset();
}

ConnectionPool::ConnectionPool(ConnectionOptions options, Settings settings)
    : m_state(std::make_shared<PoolState>(std::move(options), std::move(settings)))
{
}

ConnectionPool::ConnectionPool(ConnectionOptions options)
    : ConnectionPool(std::move(options), Settings {})
{
}

ConnectionPool::~ConnectionPool() = default;

Result<PooledConnection> ConnectionPool::acquire()
{
    return m_state->acquire();
}

const ConnectionOptions &ConnectionPool::options() const
{
    return m_state->options;
}

int ConnectionPool::openConnections() const
{
    std::lock_guard lock(m_state->mutex);
    return m_state->open;
}

int ConnectionPool::maxConnections() const
{
    return m_state->settings.maxConnections;
}

bool ConnectionPool::namedStatements() const
{
    return m_state->named.load(std::memory_order_relaxed);
}

void ConnectionPool::closeIdleConnectionsOfThisThread()
{
    m_state->closeThread(currentThreadKey());
}

} // namespace eventium
