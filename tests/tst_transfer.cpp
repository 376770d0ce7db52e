// Export and import as JSON lines (eventium/transfer.h): exports equal what the reads give,
// page by page and cancellable; imports validate the whole input before appending anything,
// keep or renew ids, are idempotent with kept ids, and carry line numbers in their errors.
#include "support/require.h"
#include "support/storetestcase.h"
#include "support/testmain.h"

#include <eventium/eventline.h>
#include <eventium/store.h>
#include <eventium/transfer.h>

#include <QBuffer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>

#include <unistd.h>

using namespace eventium;

namespace {

NewEvent ev(const QString &type, const QByteArray &data, const QByteArray &metadata = {})
{
    NewEvent e;
    e.type = type;
    e.data = data;
    e.metadata = metadata;
    return e;
}

QList<QByteArray> linesOf(const QByteArray &text)
{
    QList<QByteArray> out = text.split('\n');
    if (!out.isEmpty() && out.last().isEmpty())
        out.removeLast();
    return out;
}

// What an event is, apart from where and when it was stored: a text to compare.
QString identity(const RecordedEvent &e)
{
    return QStringLiteral("%1@%2 %3 %4 %5 %6")
        .arg(e.stream)
        .arg(e.version.value)
        .arg(e.id.toString(QUuid::WithoutBraces), e.type, QString::fromUtf8(e.data),
             QString::fromUtf8(e.metadata));
}

} // namespace

class TestTransfer : public eventium::test::StoreTestCase
{
    Q_OBJECT

    // Export into a buffer; fails the test on an error.
    QByteArray exportText(Store &from, const ExportOptions &options, ExportResult *result = nullptr)
    {
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        auto r = exportEvents(from, buffer, options);
        if (!r) {
            QTest::qFail(qPrintable(r.error().toString()), __FILE__, __LINE__);
            return {};
        }
        if (result)
            *result = r.value();
        return buffer.data();
    }

    ImportResult importText(Store &into, const QByteArray &text, const ImportOptions &options)
    {
        QBuffer buffer;
        buffer.setData(text);
        buffer.open(QIODevice::ReadOnly);
        return importEvents(into, buffer, options);
    }

    // Every event of the store's streams, stream by stream, in version order.
    QStringList everything(Store &s)
    {
        QStringList out;
        auto streams = s.listStreams({}, 1000);
        if (!streams)
            return {QStringLiteral("error: ") + streams.error().toString()};
        for (const StreamInfo &info : streams->streams) {
            auto events
                = s.readStream(StreamName(info.name), StreamVersion(1), Direction::Forward, 100000);
            if (!events)
                return {QStringLiteral("error: ") + events.error().toString()};
            for (const RecordedEvent &e : events.value())
                out << identity(e);
        }
        return out;
    }

    // The global sequence through a filter, as lines, following `next` to the head.
    QList<QByteArray> readAllLines(const GlobalFilter &filter, qint64 from, qint64 to)
    {
        QList<QByteArray> out;
        GlobalPosition next(from);
        while (true) {
            auto page = store().readAll(next, 7, filter);
            if (!page) {
                out << "error: " + page.error().toString().toUtf8();
                return out;
            }
            for (const RecordedEvent &e : page->events) {
                if (to > 0 && e.position.value > to)
                    return out;
                out << EventLine::format(e);
            }
            if (page->next > page->head)
                return out;
            next = page->next;
        }
    }

    // A few streams of a few events, with metadata and a big number, numbered.
    void fillSample()
    {
        for (int s = 0; s < 4; ++s) {
            QList<NewEvent> events;
            for (int i = 0; i < 5; ++i)
                events << ev(i % 2 ? QStringLiteral("Deposited") : QStringLiteral("Opened"),
                             QStringLiteral("{\"n\": %1, \"big\": 123456789012345678901234567890, "
                                            "\"name\": \"é\\u00e9 %2\"}")
                                 .arg(i)
                                 .arg(s)
                                 .toUtf8(),
                             i == 2 ? QByteArray("{\"by\": \"test\"}") : QByteArray());
            REQUIRE_OK(store().append(StreamName(QStringLiteral("account-%1").arg(s)),
                                      ExpectedVersion::noStream(), events));
        }
        REQUIRE_OK(store().append(StreamName(QStringLiteral("other-1")), ExpectedVersion::any(),
                                  {ev(QStringLiteral("Noted"), "{\"x\": 1}")}));
        REQUIRE_OK(store().sequenceNow());
    }

private slots:
    void exportOfAStreamEqualsItsRead()
    {
        fillSample();
        auto read = store().readStream(StreamName(QStringLiteral("account-2")), StreamVersion(1),
                                       Direction::Forward, 100);
        REQUIRE_OK(read);
        QList<QByteArray> expected;
        for (const RecordedEvent &e : read.value())
            expected << EventLine::format(e);

        ExportOptions options;
        options.stream = QStringLiteral("account-2");
        options.pageSize = 2;
        ExportResult result;
        QCOMPARE(linesOf(exportText(store(), options, &result)), expected);
        QCOMPARE(result.events, 5);
        QCOMPARE(result.end, 5);

        // A range of versions.
        options.from = 2;
        options.to = 4;
        QCOMPARE(linesOf(exportText(store(), options)), expected.mid(1, 3));

        // With a search condition: searchStream's events.
        options.from = 1;
        options.to = 0;
        options.filter.types = {QStringLiteral("Deposited")};
        const QList<QByteArray> deposited = linesOf(exportText(store(), options));
        QCOMPARE(deposited.size(), 2);
        QCOMPARE(deposited.at(0), expected.at(1));
        QCOMPARE(deposited.at(1), expected.at(3));

        // A stream that does not exist exports nothing; stream conditions are refused.
        options = {};
        options.stream = QStringLiteral("nope");
        QVERIFY(exportText(store(), options).isEmpty());
        options.stream = QStringLiteral("account-2");
        options.filter.streamPrefix = QStringLiteral("acc");
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        auto refused = exportEvents(store(), buffer, options);
        QVERIFY(!refused);
        QCOMPARE(refused.error().kind(), StoreError::Kind::InvalidInput);
    }

    void exportOfARangeAndAFilterEqualsTheReads()
    {
        fillSample();
        // Everything.
        ExportOptions options;
        options.pageSize = 3;
        const QList<QByteArray> all = linesOf(exportText(store(), options));
        QCOMPARE(all.size(), 21);
        QCOMPARE(all, readAllLines({}, 1, 0));

        // A position range, inclusive at both ends.
        options.from = 4;
        options.to = 11;
        const QList<QByteArray> range = linesOf(exportText(store(), options));
        QCOMPARE(range.size(), 8);
        QCOMPARE(range, readAllLines({}, 4, 11));
        QCOMPARE(QJsonDocument::fromJson(range.first()).object().value("position").toInteger(), 4);
        QCOMPARE(QJsonDocument::fromJson(range.last()).object().value("position").toInteger(), 11);

        // Filters: types and prefix, and a search condition.
        GlobalFilter filter;
        filter.types = {QStringLiteral("Opened")};
        filter.streamPrefix = QStringLiteral("account-");
        options = {};
        options.filter = filter;
        const QList<QByteArray> opened = linesOf(exportText(store(), options));
        QCOMPARE(opened.size(), 12);
        QCOMPARE(opened, readAllLines(filter, 1, 0));
        filter = {};
        filter.where = QStringLiteral("n = 3");
        options.filter = filter;
        const QList<QByteArray> three = linesOf(exportText(store(), options));
        QCOMPARE(three.size(), 4);
        QCOMPARE(three, readAllLines(filter, 1, 0));
    }

    void exportThenImportReproducesTheStore()
    {
        fillSample();
        ExportResult exported;
        const QByteArray text = exportText(store(), {}, &exported);
        QCOMPARE(exported.events, 21);

        auto target = freshStore();
        ImportResult r = importText(*target, text, {});
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(r.lines, 21);
        QCOMPARE(r.events, 21);
        QCOMPARE(r.appended, 21);
        QCOMPARE(r.alreadyThere, 0);
        QCOMPARE(r.streams.size(), 5);
        QCOMPARE(r.streams.first().stream, QStringLiteral("account-0"));
        QCOMPARE(r.streams.first().appended, 5);
        QCOMPARE(r.streams.first().firstVersion, StreamVersion(1));
        QCOMPARE(r.streams.first().lastVersion, StreamVersion(5));
        // Streams, versions, ids, types, data and metadata, as in the source.
        const QStringList source = everything(store());
        QCOMPARE(source.size(), 21);
        QCOMPARE(everything(*target), source);

        // Again: a no-op that says so.
        r = importText(*target, text, {});
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(r.appended, 0);
        QCOMPARE(r.alreadyThere, 21);
        QCOMPARE(r.streams.at(2).alreadyThere, 5);
        QCOMPARE(everything(*target), source);
        auto stats = target->stats();
        REQUIRE_OK(stats);
        QCOMPARE(stats->events, 21);

        // In small batches too (a batch per few events, each its own transaction).
        ImportOptions small;
        small.batchEvents = 2;
        r = importText(*target, text, small);
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(r.alreadyThere, 21);
        auto again = freshStore();
        r = importText(*again, text, small);
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(r.appended, 21);
        QCOMPARE(everything(*again), source);
    }

    void importFromASequentialDevice()
    {
        fillSample();
        const QByteArray text = exportText(store(), {});
        QVERIFY(text.size() < 16384); // fits in the pipe's buffer
        auto target = freshStore();
        // A pipe, as stdin may be: the importer cannot go back in it.
        int fds[2];
        QCOMPARE(::pipe(fds), 0);
        QCOMPARE(::write(fds[1], text.constData(), size_t(text.size())), ssize_t(text.size()));
        ::close(fds[1]);
        QFile pipe;
        QVERIFY(pipe.open(fds[0], QIODevice::ReadOnly, QFileDevice::AutoCloseHandle));
        QVERIFY(pipe.isSequential());
        const ImportResult r = importEvents(*target, pipe, {});
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(r.appended, 21);
        QCOMPARE(everything(*target), everything(store()));
    }

    void newIdsIntoOneStream()
    {
        fillSample();
        ExportOptions options;
        options.filter.streamPrefix = QStringLiteral("account-");
        const QByteArray text = exportText(store(), options);
        QCOMPARE(linesOf(text).size(), 20);

        ImportOptions import;
        import.ids = IdMode::New;
        import.stream = QStringLiteral("copy");
        import.expected = ExpectedVersion::noStream();
        import.batchEvents = 6;
        ImportResult r = importText(store(), text, import);
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(r.appended, 20);
        QCOMPARE(r.streams.size(), 1);
        QCOMPARE(r.streams.first().stream, QStringLiteral("copy"));
        QCOMPARE(r.streams.first().lastVersion, StreamVersion(20));

        auto copy = store().readStream(StreamName(QStringLiteral("copy")), StreamVersion(1),
                                       Direction::Forward, 100);
        REQUIRE_OK(copy);
        QCOMPARE(copy->size(), 20);
        const QList<QByteArray> lines = linesOf(text);
        QSet<QUuid> ids;
        for (qsizetype i = 0; i < lines.size(); ++i) {
            const QJsonObject line = QJsonDocument::fromJson(lines.at(i)).object();
            const RecordedEvent &e = copy->at(i);
            QCOMPARE(e.version.value, i + 1);
            QCOMPARE(e.type, line.value("type").toString());
            QVERIFY(e.id != QUuid::fromString(line.value("id").toString()));
            QCOMPARE(QJsonDocument::fromJson(e.data).object(), line.value("data").toObject());
            ids.insert(e.id);
        }
        QCOMPARE(ids.size(), 20);

        // The same with kept ids fails: they are stored in the account streams.
        import.ids = IdMode::Keep;
        import.stream = QStringLiteral("copy-2");
        import.expected = ExpectedVersion::any();
        r = importText(store(), text, import);
        QCOMPARE(r.status, ImportResult::Status::Failed);
        QCOMPARE(r.error.kind(), StoreError::Kind::DuplicateEventId);
        QCOMPARE(r.line, 1);
        QCOMPARE(r.appended, 0);
        auto info = store().streamInfo(StreamName(QStringLiteral("copy-2")));
        REQUIRE_OK(info);
        QVERIFY(!info->has_value());

        // New ids a second time: another 20 (a copy is not idempotent).
        import.ids = IdMode::New;
        import.stream = QStringLiteral("copy");
        import.expected = ExpectedVersion::exact(20);
        r = importText(store(), text, import);
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(r.streams.first().firstVersion, StreamVersion(21));
        QCOMPARE(r.streams.first().lastVersion, StreamVersion(40));
    }

    void expectedVersionIsChecked()
    {
        fillSample();
        ExportOptions options;
        options.stream = QStringLiteral("account-1");
        const QByteArray text = exportText(store(), options);
        ImportOptions import;
        import.ids = IdMode::New;
        import.stream = QStringLiteral("account-3");
        import.expected = ExpectedVersion::noStream();
        ImportResult r = importText(store(), text, import);
        QCOMPARE(r.status, ImportResult::Status::WrongExpectedVersion);
        QCOMPARE(r.conflictStream, QStringLiteral("account-3"));
        QCOMPARE(r.actualVersion, 5);
        QCOMPARE(r.line, 1);
        QCOMPARE(r.appended, 0);
        import.expected = ExpectedVersion::exact(5);
        r = importText(store(), text, import);
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(r.streams.first().lastVersion, StreamVersion(10));
        // "exists" is no expectation an import takes.
        import.expected = ExpectedVersion::streamExists();
        r = importText(store(), text, import);
        QCOMPARE(r.status, ImportResult::Status::InvalidInput);
    }

    void aBadLineImportsNothing_data()
    {
        QTest::addColumn<QByteArray>("bad");
        QTest::addColumn<QString>("says");
        QTest::newRow("not JSON") << QByteArray("{\"stream\":\"s\",\"type\":\"T\",\"data\":{")
                                  << "JSON";
        QTest::newRow("no data") << QByteArray("{\"stream\":\"s\",\"type\":\"T\"}") << "\"data\"";
        QTest::newRow("no type") << QByteArray("{\"stream\":\"s\",\"data\":{}}") << "\"type\"";
        QTest::newRow("no stream") << QByteArray("{\"type\":\"T\",\"data\":{}}") << "\"stream\"";
        QTest::newRow("bad stream name")
            << QByteArray("{\"stream\":\"a\\u0007b\",\"type\":\"T\",\"data\":{}}") << "stream";
        QTest::newRow("invalid UTF-8")
            << QByteArray("{\"stream\":\"s\",\"type\":\"T\",\"data\":{\"a\":\"\xff\xfe\"}}")
            << "JSON";
        QTest::newRow("NUL escape")
            << QByteArray("{\"stream\":\"s\",\"type\":\"T\",\"data\":{\"a\":\"x\\u0000\"}}")
            << "\\u0000";
        QTest::newRow("empty type")
            << QByteArray("{\"stream\":\"s\",\"type\":\"\",\"data\":{}}") << "type";
        QTest::newRow("id twice") << QByteArray("{\"stream\":\"s\",\"type\":\"T\",\"data\":{},"
                                                "\"id\":\"0190d5a4-0000-7000-8000-000000000001\"}")
                                  << "earlier line";
        QTest::newRow("bad id") << QByteArray("{\"stream\":\"s\",\"type\":\"T\",\"data\":{},"
                                              "\"id\":\"nope\"}")
                                << "UUID";
    }

    void aBadLineImportsNothing()
    {
        QFETCH(QByteArray, bad);
        QFETCH(QString, says);
        QByteArray text;
        for (int i = 1; i <= 6; ++i)
            text += QStringLiteral("{\"stream\":\"s-%1\",\"type\":\"T\",\"data\":{\"i\":%1},"
                                   "\"id\":\"0190d5a4-0000-7000-8000-00000000000%1\"}\n")
                        .arg(i)
                        .toUtf8();
        text += '\n'; // line 7, blank: skipped, but counted
        text += bad + '\n'; // line 8
        text += "{\"stream\":\"s-9\",\"type\":\"T\",\"data\":{}}\n";
        ImportOptions options;
        options.batchEvents = 2; // batches would have gone in before line 8 without validation
        const ImportResult r = importText(store(), text, options);
        QCOMPARE(r.status, ImportResult::Status::InvalidInput);
        QCOMPARE(r.line, 8);
        QVERIFY2(r.message.startsWith(QLatin1String("line 8: ")), qPrintable(r.message));
        QVERIFY2(r.message.contains(says), qPrintable(r.message));
        QCOMPARE(r.appended, 0);
        auto stats = store().stats();
        REQUIRE_OK(stats);
        QCOMPARE(stats->events, 0);
        QCOMPARE(stats->streams, 0);

        // The checks alone, without a store, give the same answer.
        QBuffer buffer;
        buffer.setData(text);
        buffer.open(QIODevice::ReadOnly);
        const ImportResult checked = checkImport(buffer, options, store().settings());
        QCOMPARE(checked.status, r.status);
        QCOMPARE(checked.line, r.line);
        QCOMPARE(checked.message, r.message);
        QCOMPARE(checked.error.kind(), r.error.kind());
    }

    void checkingAnImportWritesNothing()
    {
        const QByteArray text = "{\"stream\":\"s-1\",\"type\":\"T\",\"data\":{\"i\":1}}\r\n"
                                "\n"
                                "{\"stream\":\"s-2\",\"type\":\"T\",\"data\":\"abcdefgh\"}";
        QBuffer buffer;
        buffer.setData(text);
        buffer.open(QIODevice::ReadOnly);
        const ImportResult checked = checkImport(buffer, {});
        QVERIFY2(checked.ok(), qPrintable(checked.message));
        QCOMPARE(checked.lines, 3);
        QCOMPARE(checked.events, 2);
        QCOMPARE(checked.appended, 0);
        QVERIFY(checked.streams.isEmpty());
        auto stats = store().stats();
        REQUIRE_OK(stats);
        QCOMPARE(stats->events, 0);

        // The limits are the settings given: a smaller event size refuses line 3.
        StoreSettings small;
        small.maxEventBytes = 8;
        buffer.seek(0);
        const ImportResult tooBig = checkImport(buffer, {}, small);
        QCOMPARE(tooBig.status, ImportResult::Status::InvalidInput);
        QCOMPARE(tooBig.line, 3);
        QCOMPARE(tooBig.error.kind(), StoreError::Kind::PayloadTooLarge);
        // And the options: "exists" is not an import's expectation.
        ImportOptions exists;
        exists.expected = ExpectedVersion::streamExists();
        buffer.seek(0);
        const ImportResult badOptions = checkImport(buffer, exists);
        QCOMPARE(badOptions.status, ImportResult::Status::InvalidInput);
        QCOMPARE(badOptions.line, 0);
    }

    void exportCanBeCancelled()
    {
        QList<NewEvent> events;
        for (int i = 0; i < 50; ++i)
            events << ev(QStringLiteral("T"), QByteArray("{\"i\": ") + QByteArray::number(i) + '}');
        REQUIRE_OK(store().append(StreamName(QStringLiteral("c")), ExpectedVersion::any(), events));
        REQUIRE_OK(store().sequenceNow());
        Cancellation cancellation;
        int calls = 0;
        ExportOptions options;
        options.pageSize = 10;
        options.progress = [&](const TransferProgress &) {
            if (++calls == 2)
                cancellation.cancel();
        };
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        auto r = exportEvents(store(), buffer, options, cancellation);
        QVERIFY(!r);
        QCOMPARE(r.error().kind(), StoreError::Kind::Cancelled);
        QCOMPARE(calls, 2);
        QCOMPARE(linesOf(buffer.data()).size(), 20); // two pages, then it stopped
        // The same for a stream.
        Cancellation second;
        calls = 0;
        options.stream = QStringLiteral("c");
        options.progress = [&](const TransferProgress &) {
            if (++calls == 1)
                second.cancel();
        };
        QBuffer streamBuffer;
        streamBuffer.open(QIODevice::WriteOnly);
        r = exportEvents(store(), streamBuffer, options, second);
        QVERIFY(!r);
        QCOMPARE(r.error().kind(), StoreError::Kind::Cancelled);
        QCOMPARE(linesOf(streamBuffer.data()).size(), 10);
    }

    void manyEventsExportInPages()
    {
        const int total = 20000;
        for (int batch = 0; batch < total / 1000; ++batch) {
            QList<NewEvent> events;
            for (int i = 0; i < 1000; ++i)
                events << ev(QStringLiteral("Tick"),
                             QByteArray("{\"i\": ") + QByteArray::number(batch * 1000 + i) + '}');
            REQUIRE_OK(store().append(StreamName(QStringLiteral("ticks-%1").arg(batch % 3)),
                                      ExpectedVersion::any(), events));
        }
        REQUIRE_OK(store().sequenceNow(std::chrono::seconds(60)));
        QList<TransferProgress> reports;
        ExportOptions options;
        options.pageSize = 1000;
        options.progress = [&](const TransferProgress &p) { reports << p; };
        ExportResult result;
        const QByteArray text = exportText(store(), options, &result);
        QCOMPARE(result.events, total);
        QCOMPARE(linesOf(text).size(), total);
        // A page at a time: a report per page, each further than the one before.
        QVERIFY2(reports.size() >= total / 1000, qPrintable(QString::number(reports.size())));
        for (qsizetype i = 1; i < reports.size(); ++i) {
            QVERIFY(reports.at(i).events > reports.at(i - 1).events);
            QVERIFY(reports.at(i).events - reports.at(i - 1).events <= 1000);
            QVERIFY(reports.at(i).reached > reports.at(i - 1).reached);
        }
        QCOMPARE(reports.last().events, total);
        QCOMPARE(reports.last().reached, reports.last().end);
        QCOMPARE(reports.last().end, total);

        // And back in, into a fresh schema, in batches.
        auto target = freshStore();
        int batches = 0;
        ImportOptions import;
        import.progress = [&](const TransferProgress &) { ++batches;
    };
    const ImportResult r = importText(*target, text, import);
    QVERIFY2(r.ok(), qPrintable(r.message));
    QCOMPARE(r.appended, total);
    QCOMPARE(batches, total / 1000);
    auto info = target->streamInfo(StreamName(QStringLiteral("ticks-0")));
    REQUIRE_OK(info);
    QVERIFY(info->has_value());
    QCOMPARE((*info)->version.value, 7000);
}
}
;

EVENTIUM_TEST_MAIN(TestTransfer)
#include "tst_transfer.moc"
