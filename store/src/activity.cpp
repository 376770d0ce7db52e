// Activity: events over time, counted from the positions (or versions) at the buckets' bounds.
#include "pg/sql.h"
#include "storeprivate.h"

#include <QHash>

#include <algorithm>
#include <numeric>

namespace eventium {

namespace {

// A bucket of at most kExactBucket events has its types counted exactly, as long as the
// buckets counted so far (the smallest first) hold at most kExactRows events; a larger one has
// them estimated from kSamples evenly spaced events, fewer when there are many such buckets
// (kSampleProbes over all, at least kMinSamples each). So one call reads at most about
// kExactRows + kSampleProbes index entries, whatever the range and the store.
constexpr qint64 kExactBucket = 5000;
constexpr qint64 kExactRows = 50000;
constexpr qint64 kSamples = 500;
constexpr qint64 kSampleProbes = 20000;
constexpr qint64 kMinSamples = 32;
constexpr qint64 kMaxBuckets = 10000;
constexpr int kMaxTopTypes = 50;

QString timeText(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QByteArray int8Array(const QList<qint64> &values)
{
    QByteArray out = "{";
    for (qsizetype i = 0; i < values.size(); ++i) {
        if (i)
            out += ',';
        out += QByteArray::number(values.at(i));
    }
    return out + '}';
}

// Splits `total` over the sampled counts in proportion (largest remainders): the estimates
// add up to the exact total.
QList<qint64> scaled(const QList<qint64> &sampled, qint64 total)
{
    qint64 sum = 0;
    for (qint64 c : sampled)
        sum += c;
    QList<qint64> out(sampled.size(), 0);
    if (sum == 0)
        return out;
    QList<std::pair<qint64, qsizetype>> remainders;
    qint64 given = 0;
    for (qsizetype i = 0; i < sampled.size(); ++i) {
        // total and sampled are far below 2^31 x 2^31 in any store: no overflow.
        const qint64 product = sampled.at(i) * total;
        out[i] = product / sum;
        given += out[i];
        remainders.append({product % sum, i});
    }
    std::sort(remainders.begin(), remainders.end(),
              [](const auto &a, const auto &b) { return a.first > b.first; });
    for (qsizetype i = 0; given < total && i < remainders.size(); ++i, ++given)
        ++out[remainders.at(i).second];
    return out;
}

} // namespace

qint64 Activity::total() const
{
    qint64 sum = 0;
    for (const ActivityBucket &b : buckets)
        sum += b.total;
    return sum;
}

bool Activity::anyEstimated() const
{
    return std::any_of(buckets.begin(), buckets.end(),
                       [](const ActivityBucket &b) { return b.estimated; });
}

QDateTime Activity::end() const
{
    return buckets.isEmpty() ? QDateTime() : buckets.last().start.addSecs(bucketSeconds);
}

qint64 Activity::autoBucketSeconds(std::chrono::milliseconds span, int maxBuckets)
{
    static constexpr qint64 widths[]
        = {1,          2,          5,           10,         15,        30,        60,
           2 * 60,     5 * 60,     10 * 60,     15 * 60,    30 * 60,   3600,      2 * 3600,
           3 * 3600,   6 * 3600,   12 * 3600,   86400,      2 * 86400, 7 * 86400, 14 * 86400,
           30 * 86400, 91 * 86400, 182 * 86400, 365 * 86400};
    const qint64 buckets = qMax(1, maxBuckets);
    for (qint64 w : widths) {
        // Aligned buckets: a span may touch one more than span / width.
        if (span.count() / (w * 1000) + 1 <= buckets)
            return w;
    }
    const qint64 year = 365 * 86400;
    return (span.count() / (year * 1000) / buckets + 1) * year;
}

Result<Activity> Store::activity(const ActivityQuery &query)
{
    const bool ofStream = !query.stream.isEmpty();
    if (ofStream) {
        if (QString why = StreamName::validate(query.stream); !why.isEmpty())
            return invalidInput(why);
    }
    if ((!query.from.isNull() && !query.from.isValid())
        || (!query.to.isNull() && !query.to.isValid()))
        return invalidInput(QStringLiteral("an invalid time"));
    if (query.from.isValid() && query.to.isValid() && query.to <= query.from)
        return invalidInput(QStringLiteral("the end of the range must be after its start"));
    if (query.bucketSeconds < 0)
        return invalidInput(QStringLiteral("a bucket width cannot be negative"));
    if (query.topTypes < 1 || query.topTypes > kMaxTopTypes)
        return invalidInput(
            QStringLiteral("the number of types to name is between 1 and %1").arg(kMaxTopTypes));
    if (query.maxBuckets < 1 || query.maxBuckets > kMaxBuckets)
        return invalidInput(
            QStringLiteral("the number of buckets is between 1 and %1").arg(kMaxBuckets));

    Activity activity;
    activity.stream = query.stream;
    const QString what = ofStream ? QStringLiteral("activity of stream \"%1\"").arg(query.stream)
                                  : QStringLiteral("activity");

    // The first and newest event's times, and for a stream the versions readers see (from the
    // first visible one, hidden by age counted as before every time: `cutoff`).
    qint64 streamId = -1;
    qint64 low = 1;
    qint64 top = 1;
    QByteArray cutoff = "-infinity";
    std::optional<qint64> firstMs;
    std::optional<qint64> lastMs;
    if (ofStream) {
        auto r = d->readOn(
            StoreConnection::Read,
            QStringLiteral(
                "SELECT st.stream_id, v.low, st.version, %2, "
                "(SELECT %3 FROM %1.events e WHERE e.stream_id = st.stream_id AND e.version >= "
                "v.low AND e.created_at >= v.cutoff ORDER BY e.version LIMIT 1), "
                "(SELECT %3 FROM %1.events e WHERE e.stream_id = st.stream_id AND e.version = "
                "st.version AND e.version >= v.low AND e.created_at >= v.cutoff) "
                "FROM %1.streams st CROSS JOIN LATERAL (SELECT greatest(st.first_visible, CASE "
                "WHEN st.max_count IS NULL THEN 1 ELSE st.version - st.max_count + 1 END) AS low, "
                "CASE WHEN st.max_age IS NULL THEN '-infinity'::timestamptz ELSE now() - "
                "st.max_age END AS cutoff) v WHERE st.name = $1")
                .arg(d->s, QStringLiteral("v.cutoff::text"),
                     pg::epochMillis(QStringLiteral("e.created_at"))),
            {query.stream.toUtf8()}, what);
        if (!r)
            return r.error();
        if (r->rows() == 0)
            return activity; // no such stream
        streamId = r->int64(0, 0);
        low = r->int64(0, 1);
        top = qMax(low, r->int64(0, 2) + 1);
        cutoff = r->bytes(0, 3);
        if (!r->isNull(0, 4))
            firstMs = r->int64(0, 4);
        if (!r->isNull(0, 5))
            lastMs = r->int64(0, 5);
    } else {
        // Through the events' primary key: the oldest and newest rows there are.
        auto r
            = d->readOn(StoreConnection::Read,
                        QStringLiteral("SELECT (SELECT %2 FROM %1.events e ORDER BY e.id LIMIT 1), "
                                       "(SELECT %2 FROM %1.events e ORDER BY e.id DESC LIMIT 1)")
                            .arg(d->s, pg::epochMillis(QStringLiteral("e.created_at"))),
                        {}, what);
        if (!r)
            return r.error();
        if (!r->isNull(0, 0))
            firstMs = r->int64(0, 0);
        if (!r->isNull(0, 1))
            lastMs = r->int64(0, 1);
    }

    // The range, then whole aligned buckets over it.
    if ((!query.from.isValid() && !firstMs) || (!query.to.isValid() && !lastMs))
        return activity; // nothing to count, and no range given to show empty
    const qint64 toMs = query.to.isValid() ? query.to.toMSecsSinceEpoch() - 1 : *lastMs;
    qint64 fromMs = query.from.isValid() ? query.from.toMSecsSinceEpoch() : *firstMs;
    if (!query.from.isValid())
        fromMs = qMin(fromMs, toMs);
    if (toMs < fromMs)
        return invalidInput(
            QStringLiteral("the range starts after the newest event (%1)").arg(timeText(*lastMs)));
    const qint64 width = query.bucketSeconds > 0
        ? query.bucketSeconds
        : Activity::autoBucketSeconds(std::chrono::milliseconds(toMs - fromMs), query.maxBuckets);
    activity.bucketSeconds = width;
    const qint64 widthMs = width * 1000;
    auto floorTo = [widthMs](qint64 t) {
        return (t >= 0 ? t / widthMs : (t - widthMs + 1) / widthMs) * widthMs;
    };
    const qint64 endMs = floorTo(toMs) + widthMs;
    qint64 startMs = floorTo(fromMs);
    if (!query.from.isValid())
        startMs = qMax(startMs, endMs - widthMs * query.maxBuckets);
    const qint64 count = (endMs - startMs) / widthMs;
    if (count > kMaxBuckets)
        return invalidInput(QStringLiteral("the range holds %1 buckets of %2 s; at most %3: "
                                           "narrow the range or widen the buckets")
                                .arg(count)
                                .arg(width)
                                .arg(kMaxBuckets));

    // The position (version) at every bound, in one statement.
    QStringList bounds;
    bounds.reserve(count + 1);
    for (qint64 i = 0; i <= count; ++i)
        bounds << timeText(startMs + i * widthMs);
    pg::Params params {pg::textArray(bounds)};
    QString sql;
    if (ofStream) {
        sql = firstAtOrAfterEach(
            QStringLiteral("SELECT $2::int8, $3::int8, $3::int8"),
            QStringLiteral("SELECT e.created_at FROM %1.events e WHERE e.stream_id = $4 AND "
                           "e.version = {n} AND e.created_at >= $5::timestamptz"));
        params << pg::param(low) << pg::param(top) << pg::param(streamId) << cutoff;
    } else {
        sql = firstAtOrAfterEach(
            QString::fromLatin1(kWholeSequenceBounds),
            // A position whose row a scavenge removed takes the time of the next row there
            // is: counted in that event's bucket (as other), not lost.
            QStringLiteral("SELECT e.created_at FROM %1.global_events g JOIN %1.events e "
                           "ON e.id = g.event_row WHERE g.position >= {n} "
                           "ORDER BY g.position LIMIT 1"));
    }
    auto found
        = d->readOn(StoreConnection::Read, sql.replace(QLatin1String("%1"), d->s), params, what);
    if (!found)
        return found.error();
    if (found->rows() != count + 1)
        return StoreError(StoreError::Kind::Other,
                          QStringLiteral("%1: %2 bounds found of %3")
                              .arg(what)
                              .arg(found->rows())
                              .arg(count + 1));
    QList<qint64> at;
    at.reserve(count + 1);
    for (int row = 0; row <= count; ++row)
        at << found->int64(row, 1);

    // The types: counted in small buckets, sampled in large ones. One statement; the exact
    // part reads the bucket's range of the index, the sampled part probes single entries.
    QList<qint64> los;
    QList<qint64> his;
    QList<int> which;
    activity.buckets.reserve(count);
    for (qint64 i = 0; i < count; ++i) {
        ActivityBucket b;
        b.start = QDateTime::fromMSecsSinceEpoch(startMs + i * widthMs, Qt::UTC);
        b.first = at.at(i);
        b.total = at.at(i + 1) - at.at(i);
        if (b.total > 0) {
            los << at.at(i);
            his << at.at(i + 1);
            which << int(i);
        }
        activity.buckets.append(b);
    }
    // Per bucket, each type's count (exact, or in the sample); NULL: a removed row.
    // Which buckets are counted exactly, and how many events the others' samples hold.
    QList<int> bySize(which.size());
    std::iota(bySize.begin(), bySize.end(), 0);
    std::stable_sort(bySize.begin(), bySize.end(),
                     [&](int a, int b) { return his.at(a) - los.at(a) < his.at(b) - los.at(b); });
    QList<bool> exact(which.size(), false);
    qint64 exactRows = 0;
    qint64 sampledBuckets = 0;
    for (int n : std::as_const(bySize)) {
        const qint64 total = his.at(n) - los.at(n);
        if (total <= kExactBucket && exactRows + total <= kExactRows) {
            exact[n] = true;
            exactRows += total;
        } else {
            ++sampledBuckets;
        }
    }
    const qint64 samples = sampledBuckets == 0
        ? kSamples
        : qBound(kMinSamples, kSampleProbes / sampledBuckets, kSamples);
    // A bucket no larger than its sample is read whole.
    for (int n = 0; n < which.size(); ++n) {
        if (!exact.at(n) && his.at(n) - los.at(n) <= samples)
            exact[n] = true;
        activity.buckets[which.at(n)].estimated = !exact.at(n);
    }
    QByteArray exactArray = "{";
    for (int n = 0; n < exact.size(); ++n)
        exactArray += QByteArray(n ? "," : "") + (exact.at(n) ? "t" : "f");
    exactArray += '}';

    QList<QHash<QString, qint64>> perBucket(count);
    QList<qint64> otherPerBucket(count, 0);
    if (!los.isEmpty()) {
        const QString range = ofStream
            ? QStringLiteral("SELECT e.type FROM %1.events e WHERE e.stream_id = $5 AND "
                             "e.version >= w.lo AND e.version < w.hi")
            : QStringLiteral("SELECT e.type FROM %1.global_events g JOIN %1.events e ON e.id = "
                             "g.event_row WHERE g.position >= w.lo AND g.position < w.hi");
        const QString probe = ofStream
            ? QStringLiteral("SELECT e.type FROM %1.events e WHERE e.stream_id = $5 AND "
                             "e.version = w.lo + (j * (w.hi - w.lo)) / $4::int8")
            : QStringLiteral(
                "SELECT e.type FROM %1.global_events g JOIN %1.events e ON e.id = "
                "g.event_row WHERE g.position = w.lo + (j * (w.hi - w.lo)) / $4::int8");
        QString types
            = QStringLiteral("SELECT w.k, x.type, count(*)::int8 FROM unnest($1::int8[], "
                             "$2::int8[], $3::bool[]) WITH ORDINALITY w(lo, hi, exact, k) "
                             "CROSS JOIN LATERAL (SELECT r.type FROM ({range}) r WHERE w.exact "
                             "UNION ALL SELECT ({probe}) FROM generate_series(0, $4::int8 - 1) j "
                             "WHERE NOT w.exact) x(type) GROUP BY w.k, x.type")
                  .replace(QLatin1String("{range}"), range)
                  .replace(QLatin1String("{probe}"), probe);
        pg::Params typeParams {int8Array(los), int8Array(his), exactArray, pg::param(samples)};
        if (ofStream)
            typeParams << pg::param(streamId);
        auto r = d->readOn(StoreConnection::Read, types.replace(QLatin1String("%1"), d->s),
                           typeParams, what);
        if (!r)
            return r.error();
        for (int row = 0; row < r->rows(); ++row) {
            const int bucket = which.at(int(r->int64(row, 0) - 1));
            if (r->isNull(row, 1))
                otherPerBucket[bucket] += r->int64(row, 2);
            else
                perBucket[bucket][r->string(row, 1)] += r->int64(row, 2);
        }
    }

    // Sampled counts scaled to the exact totals, then the most frequent types overall.
    QHash<QString, qint64> overall;
    for (qint64 i = 0; i < count; ++i) {
        ActivityBucket &b = activity.buckets[i];
        QHash<QString, qint64> &counts = perBucket[i];
        if (b.estimated) {
            QStringList names = counts.keys();
            QList<qint64> sampled;
            for (const QString &name : std::as_const(names))
                sampled << counts.value(name);
            sampled << otherPerBucket.at(i);
            const QList<qint64> estimate = scaled(sampled, b.total);
            for (qsizetype n = 0; n < names.size(); ++n)
                counts[names.at(n)] = estimate.at(n);
            otherPerBucket[i] = estimate.last();
        }
        for (auto it = counts.cbegin(); it != counts.cend(); ++it)
            overall[it.key()] += it.value();
    }
    QList<std::pair<qint64, QString>> ranked;
    for (auto it = overall.cbegin(); it != overall.cend(); ++it)
        ranked.append({it.value(), it.key()});
    std::sort(ranked.begin(), ranked.end(), [](const auto &a, const auto &b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    for (qsizetype i = 0; i < ranked.size() && i < query.topTypes; ++i)
        activity.types << ranked.at(i).second;
    for (qint64 i = 0; i < count; ++i) {
        ActivityBucket &b = activity.buckets[i];
        qint64 named = 0;
        b.counts.reserve(activity.types.size());
        for (const QString &type : std::as_const(activity.types)) {
            b.counts << perBucket.at(i).value(type);
            named += b.counts.last();
        }
        b.other = b.total - named;
    }
    return activity;
}

} // namespace eventium
