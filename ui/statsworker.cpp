#include "statsworker.h"

namespace eventium::ui {

StatsWorker::StatsWorker()
    : StoreThread(QStringLiteral("eventium-ui-stats"))
{
}

StatsWorker::~StatsWorker()
{
    shutdown();
}

quint64 StatsWorker::fetchStats()
{
    return post([this](quint64 token, Store &store) {
        auto stats = store.stats();
        if (!stats)
            return fail(token, stats.error());
        emit statsReady(token, stats.value());
        auto replication = store.replication();
        if (!replication)
            return fail(token, replication.error());
        emit replicationReady(token, replication.value());
    });
}

quint64 StatsWorker::listSubscriptions()
{
    return post([this](quint64 token, Store &store) {
        auto listed = toolkit::Subscription::list(store);
        if (!listed)
            return fail(token, listed.error());
        emit subscriptionsListed(token, listed.value());
    });
}

} // namespace eventium::ui
