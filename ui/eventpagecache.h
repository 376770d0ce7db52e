#pragma once

#include <eventium/types.h>

#include <QBitArray>
#include <QHash>
#include <QList>

namespace eventium::ui {

// Events by a dense key (a stream version or a global position, both starting at 1), kept
// in pages of `pageSize` keys. Only the most recently used pages stay; the rest is read
// again when needed. Also remembers which pages are being read, by request token.
class EventPageCache
{
public:
    static constexpr int pageSize = 256;

    explicit EventPageCache(int maxPages = 96);

    static qint64 pageOf(qint64 key) { return (key - 1) / pageSize; }
    static qint64 firstKeyOf(qint64 page) { return page * pageSize + 1; }

    // nullptr when not cached; marks the page as recently used.
    const RecordedEvent *find(qint64 key);
    void insert(qint64 key, const RecordedEvent &event);
    // Keys in [first, last] that a read covered without finding an event: readers no longer
    // see theirs (deleted, truncated). They are cached as placeholders (isHidden()), so they
    // are not read again and again.
    void markHidden(qint64 first, qint64 last, bool byPosition);
    static bool isHidden(const RecordedEvent &event) { return event.id.isNull(); }
    void clear();
    int pageCount() const { return int(m_pages.size()); }

    bool isInFlight(qint64 page) const;
    int inFlightCount() const { return int(m_inFlight.size()); }
    void setInFlight(quint64 token, qint64 page);
    // The page a token was for, and forgets it; -1 when the token is unknown (stale).
    qint64 takeInFlight(quint64 token);

    // Notes a page painted but not cached; false when it is already wanted or being read.
    bool want(qint64 page);
    bool hasWanted() const { return !m_wanted.isEmpty(); }
    // The pages to read now: the most recently wanted first (they are what is on screen),
    // as many as keep at most `maxInFlight` reads going. Older wishes are dropped; they come
    // back if their rows are painted again.
    QList<qint64> takeWanted(int maxInFlight);

private:
    struct Page
    {
        QList<RecordedEvent> events;
        QBitArray present;
        quint64 lastUse = 0;
    };
    Page &pageFor(qint64 page);
    void evict();

    QHash<qint64, Page> m_pages;
    QHash<quint64, qint64> m_inFlight;
    QList<qint64> m_wanted;
    int m_maxPages;
    quint64 m_clock = 0;
};

} // namespace eventium::ui
