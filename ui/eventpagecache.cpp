#include "eventpagecache.h"

namespace eventium::ui {

EventPageCache::EventPageCache(int maxPages)
    : m_maxPages(qMax(4, maxPages))
{
}

const RecordedEvent *EventPageCache::find(qint64 key)
{
    if (key < 1)
        return nullptr;
    auto it = m_pages.find(pageOf(key));
    if (it == m_pages.end())
        return nullptr;
    const int offset = int((key - 1) % pageSize);
    if (!it->present.testBit(offset))
        return nullptr;
    it->lastUse = ++m_clock;
    return &it->events.at(offset);
}

void EventPageCache::insert(qint64 key, const RecordedEvent &event)
{
    if (key < 1)
        return;
    Page &page = pageFor(pageOf(key));
    const int offset = int((key - 1) % pageSize);
    page.events[offset] = event;
    page.present.setBit(offset);
}

void EventPageCache::markHidden(qint64 first, qint64 last, bool byPosition)
{
    for (qint64 key = qMax<qint64>(1, first); key <= last; ++key) {
        Page &page = pageFor(pageOf(key));
        const int offset = int((key - 1) % pageSize);
        if (page.present.testBit(offset))
            continue;
        RecordedEvent placeholder;
        if (byPosition)
            placeholder.position = GlobalPosition(key);
        else
            placeholder.version = StreamVersion(key);
        page.events[offset] = placeholder;
        page.present.setBit(offset);
    }
}

EventPageCache::Page &EventPageCache::pageFor(qint64 index)
{
    auto it = m_pages.find(index);
    if (it == m_pages.end()) {
        if (m_pages.size() >= m_maxPages)
            evict();
        Page page;
        page.events.resize(pageSize);
        page.present.resize(pageSize);
        it = m_pages.insert(index, std::move(page));
    }
    it->lastUse = ++m_clock;
    return *it;
}

void EventPageCache::evict()
{
    auto oldest = m_pages.end();
    for (auto it = m_pages.begin(); it != m_pages.end(); ++it) {
        if (oldest == m_pages.end() || it->lastUse < oldest->lastUse)
            oldest = it;
    }
    if (oldest != m_pages.end())
        m_pages.erase(oldest);
}

void EventPageCache::clear()
{
    m_pages.clear();
    m_inFlight.clear();
    m_wanted.clear();
}

bool EventPageCache::want(qint64 page)
{
    if (isInFlight(page) || m_wanted.contains(page))
        return false;
    m_wanted.append(page);
    return true;
}

QList<qint64> EventPageCache::takeWanted(int maxInFlight)
{
    QList<qint64> pages;
    while (!m_wanted.isEmpty() && inFlightCount() + pages.size() < maxInFlight) {
        const qint64 page = m_wanted.takeLast();
        if (!isInFlight(page))
            pages.append(page);
    }
    m_wanted.clear();
    return pages;
}

bool EventPageCache::isInFlight(qint64 page) const
{
    for (auto it = m_inFlight.cbegin(); it != m_inFlight.cend(); ++it) {
        if (it.value() == page)
            return true;
    }
    return false;
}

void EventPageCache::setInFlight(quint64 token, qint64 page)
{
    m_inFlight.insert(token, page);
}

qint64 EventPageCache::takeInFlight(quint64 token)
{
    auto it = m_inFlight.find(token);
    if (it == m_inFlight.end())
        return -1;
    const qint64 page = it.value();
    m_inFlight.erase(it);
    return page;
}

} // namespace eventium::ui
