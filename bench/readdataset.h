#pragma once

#include <eventium/connectionoptions.h>

#include <QString>

#include <memory>

namespace eventium {
class Store;
}

namespace bench {

class BenchContext;

// The events read_global and read_stream read: BenchConfig::readEvents events in streams of
// BenchConfig::streamLength, loaded once into ours (through Store::append, then numbered) and
// into raw and lock (by COPY, keys built afterwards).
class ReadDataSet
{
public:
    ReadDataSet();
    ~ReadDataSet();
    ReadDataSet(const ReadDataSet &) = delete;
    ReadDataSet &operator=(const ReadDataSet &) = delete;

    // The store on the read schema, migrated. It runs no sequencer thread: the data set is
    // numbered once after loading.
    bool setUp(const eventium::ConnectionOptions &options, QString *error);
    void tearDown();
    // Loads the events on the first call; later calls return at once.
    bool load(const BenchContext &context, QString *error);

    eventium::Store &store() const { return *m_store; }
    int streams() const { return m_streams; }
    qint64 events() const { return m_events; }

private:
    std::unique_ptr<eventium::Store> m_store;
    bool m_loaded = false;
    int m_streams = 0;
    qint64 m_events = 0;
};

} // namespace bench
